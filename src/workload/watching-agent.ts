import { sessionProcess } from "../history/event.js";
import type { HistoryRecorder } from "../history/recorder.js";
import { deriveRandom } from "../util/seeded-random.js";
import { sleep } from "../util/sleep.js";
import { type NotificationFault, NotificationRelay } from "./notification-relay.js";
import type { OpResult, RecordedSession } from "./recorded-session.js";
import {
  type WatchedChildren,
  type WatchedData,
  type WatchNotification,
  ZK_ERRORS,
} from "./zk-session.js";

/** How a watching agent watches: one-time watches set again at each read, or one persistent recursive watch (3.6+). */
export type WatchMode = "one-time" | "persistent";

/** A znode as the agent's cache holds it. */
export interface CachedNode {
  readonly data: string;
  readonly version: number;
  readonly mzxid: string;
}

/** What a watching agent needs. */
export interface WatchingAgentOptions {
  /** Its process in the history (numbered after the writing workers). */
  readonly worker: number;
  /** The subtree it consumes (absolute). */
  readonly root: string;
  readonly mode: WatchMode;
  readonly recorder: HistoryRecorder;
  readonly seed: number | string;
  /** Reads without a watch of a cached znode at this interval: they test "the event before the data" (0: none). */
  readonly probeEveryMs: number;
  /** A deliberately broken client, to prove the watch checker catches one. */
  readonly fault?: NotificationFault;
}

type Work = `${"data" | "children" | "watch"}:${string}`;

/** A data read's history value; `watch` says whether it left a data watch (probes leave none). */
function dataValue(path: string, reply: WatchedData, watch?: boolean): OpResult {
  return {
    value: {
      path,
      ...(watch === undefined ? {} : { watch: watch ? "data" : "none" }),
      data: reply.data.toString("utf8"),
      version: reply.stat.version,
      mzxid: reply.stat.mzxid.toString(),
    },
  };
}

/** A children read's history value (children sorted). */
function childrenValue(path: string, reply: WatchedChildren, watch: boolean): OpResult {
  return {
    value: {
      path,
      watch: watch ? "children" : "none",
      children: [...reply.children].sort(),
      pzxid: reply.stat.pzxid.toString(),
      cversion: reply.stat.cversion,
    },
  };
}

/**
 * A MidoNet-style agent that consumes a subtree through watches: it loads the
 * subtree with watching reads, then re-reads (and so re-watches) what each
 * notification names, one read at a time, as an agent's reactor does. After a
 * session expiry (or, with persistent watches, a reconnect) it loads anew.
 * Every notification and cache change is recorded on its session's process.
 */
export class WatchingAgent {
  readonly cache = new Map<string, CachedNode>();
  private readonly queue = new Set<Work>();
  private wake: (() => void) | undefined;
  private stopping = false;
  private finishing = false;
  private lastNotification = performance.now();
  private connected = false;
  private readonly random: () => number;
  private readonly relay: NotificationRelay;
  private session: RecordedSession | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WatchingAgentOptions) {
    this.random = deriveRandom(options.seed, "watch-probe", options.worker);
    this.relay = new NotificationRelay(options.fault, (notification, session) =>
      this.deliver(notification, session),
    );
  }

  /** The worker id of the agent (its history process). */
  get worker(): number {
    return this.options.worker;
  }

  /** The subtree the agent consumes. */
  get root(): string {
    return this.options.root;
  }

  /** For the session's notification hook: every notification, in wire order. */
  notified = (notification: WatchNotification, session: string): void => {
    this.relay.receive(notification, session);
  };

  /** For the session's state hook: reconnects and expiries call for a reload. */
  sessionChanged = (event: string): void => {
    if (event === "disconnected") this.connected = false;
    if (event === "connected" || event === "opened") {
      const wasDown = !this.connected;
      this.connected = true;
      // Persistent watches are not set again by the library: set it and load anew after any reconnect.
      if (this.options.mode === "persistent" && wasDown && event === "connected") this.reload();
    }
    if (event === "expired") {
      this.connected = false;
      // A new session has no watches: load everything again.
      this.reload();
    }
  };

  /** Starts consuming through `session` until finish(). */
  start(session: RecordedSession): void {
    this.session = session;
    this.reload();
    this.loop = this.run().catch(() => {});
  }

  /**
   * Lets the agent catch up (queue drained, no notification for `quietMs`,
   * connected), records its cache as `watch-end`, and stops; at most `budgetMs`.
   */
  async finish(quietMs = 1000, budgetMs = 20_000): Promise<void> {
    const started = performance.now();
    const deadline = started + budgetMs;
    this.finishing = true;
    let settled = false;
    while (performance.now() < deadline && !this.stopping) {
      if (
        this.queue.size === 0 &&
        !this.busy &&
        this.connected &&
        // Quiet from the finish on, too: what the writers' last acts send may still be on its way.
        performance.now() - Math.max(this.lastNotification, started) >= quietMs
      ) {
        settled = true;
        break;
      }
      await sleep(100);
    }
    this.relay.flush();
    this.options.recorder.record({
      process: sessionProcess(this.options.worker),
      type: "info",
      f: "watch-end",
      value: {
        root: this.options.root,
        mode: this.options.mode,
        settled,
        connected: this.connected,
        nodes: Object.fromEntries(
          [...this.cache].map(([path, node]) => [path, [node.data, node.version, node.mzxid]]),
        ),
      },
      ...(this.session?.sessionId ? { session: this.session.sessionId } : {}),
    });
    await this.stop();
  }

  /** Stops at once (an interrupted run). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private busy = false;

  private enqueue(work: Work): void {
    this.queue.add(work);
    this.wake?.();
  }

  private reload(): void {
    if (this.options.mode === "persistent") this.enqueue(`watch:${this.options.root}`);
    for (const path of [this.options.root, ...this.cache.keys()]) {
      this.enqueue(`data:${path}`);
      this.enqueue(`children:${path}`);
    }
  }

  private deliver(notification: WatchNotification, session: string): void {
    this.lastNotification = performance.now();
    const server = this.session?.server;
    this.options.recorder.record({
      process: sessionProcess(this.options.worker),
      type: "info",
      f: "notify",
      value: { type: notification.type, path: notification.path },
      session,
      ...(server !== undefined ? { server } : {}),
    });
    const { type, path } = notification;
    if (type === "NodeDataChanged") this.enqueue(`data:${path}`);
    else if (type === "NodeChildrenChanged") this.enqueue(`children:${path}`);
    else if (type === "NodeCreated") {
      this.enqueue(`data:${path}`);
      this.enqueue(`children:${path}`);
    } else this.forget(path, "notify", session);
  }

  /** Drops a znode and everything below it from the cache. */
  private forget(path: string, by: "notify" | "read", session: string | undefined): void {
    for (const cached of [...this.cache.keys()]) {
      if (cached !== path && !cached.startsWith(`${path}/`)) continue;
      this.cache.delete(cached);
      this.recordCache({ path: cached, removed: true, by }, session);
    }
  }

  private recordCache(value: Record<string, unknown>, session: string | undefined): void {
    this.options.recorder.record({
      process: sessionProcess(this.options.worker),
      type: "info",
      f: "cache",
      value,
      ...(session ? { session } : {}),
    });
  }

  private async run(): Promise<void> {
    let nextProbe = performance.now() + this.options.probeEveryMs;
    while (!this.stopping) {
      const next = this.queue.values().next();
      if (next.done) {
        const probing = this.options.probeEveryMs > 0 && !this.finishing && this.cache.size > 0;
        const wait = probing ? nextProbe - performance.now() : 200;
        if (probing && wait <= 0) {
          nextProbe = performance.now() + this.options.probeEveryMs;
          await this.probe();
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, wait));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      const work = next.value;
      this.queue.delete(work);
      this.busy = true;
      try {
        const done = await this.perform(work);
        if (!done) {
          // Unknown outcome or no session: try again shortly (the watch may not be set).
          this.queue.add(work);
          await sleep(100);
        }
      } finally {
        this.busy = false;
      }
    }
  }

  /** One read of the queue; false when it must be tried again. */
  private async perform(work: Work): Promise<boolean> {
    const session = this.session as RecordedSession;
    const at = work.indexOf(":");
    const kind = work.slice(0, at);
    const path = work.slice(at + 1);
    const watch = this.options.mode === "one-time";
    if (kind === "watch") {
      const outcome = await session.perform(
        "add-watch",
        { path, mode: "persistent-recursive" },
        async (zk, settle) => {
          await zk.addWatch(path, "persistent-recursive", () => settle({}));
          return {};
        },
      );
      return outcome.type === "ok";
    }
    if (kind === "data") {
      const outcome = await session.perform(
        "watch-read",
        { path, watch: watch ? "data" : "none" },
        async (zk, settle) => {
          const read = await zk.watchData(
            path,
            (reply) => settle(dataValue(path, reply, watch)),
            watch,
          );
          return dataValue(path, read, watch);
        },
      );
      return this.afterRead(outcome, path, (value) => {
        const node = value as { data: string; version: number; mzxid: string };
        const cached = this.cache.get(path);
        if (cached?.mzxid === node.mzxid) return;
        this.cache.set(path, { data: node.data, version: node.version, mzxid: node.mzxid });
        this.recordCache({ path, version: node.version, mzxid: node.mzxid }, this.sessionId);
      });
    }
    const outcome = await session.perform(
      "watch-read",
      { path, watch: watch ? "children" : "none" },
      async (zk, settle) => {
        const read = await zk.watchChildren(
          path,
          (reply) => settle(childrenValue(path, reply, watch)),
          watch,
        );
        return childrenValue(path, read, watch);
      },
    );
    return this.afterRead(outcome, path, (value) => {
      const children = new Set((value as { children: string[] }).children);
      for (const child of children) {
        const childPath = `${path}/${child}`;
        if (this.cache.has(childPath)) continue;
        this.enqueue(`data:${childPath}`);
        this.enqueue(`children:${childPath}`);
      }
      for (const cached of [...this.cache.keys()]) {
        const rest = cached.startsWith(`${path}/`) ? cached.slice(path.length + 1) : undefined;
        if (rest !== undefined && !rest.includes("/") && !children.has(rest))
          this.forget(cached, "read", this.sessionId);
      }
    });
  }

  private get sessionId(): string | undefined {
    return this.session?.sessionId;
  }

  private afterRead(
    outcome: Awaited<ReturnType<RecordedSession["perform"]>>,
    path: string,
    apply: (value: unknown) => void,
  ): boolean {
    if (outcome.type === "ok") {
      apply(outcome.result.value);
      return true;
    }
    if (outcome.type === "fail" && outcome.error.code === ZK_ERRORS.NO_NODE) {
      if (path === this.options.root) {
        // The subtree's owner has not made it yet: look again soon.
        return false;
      }
      this.forget(path, "read", this.sessionId);
      return true;
    }
    return false;
  }

  /** A read without a watch of a random cached znode: never applied to the cache. */
  private async probe(): Promise<void> {
    const paths = [...this.cache.keys()];
    const path = paths[Math.floor(this.random() * paths.length)] as string;
    await (this.session as RecordedSession).perform("watch-probe", { path }, async (zk, settle) => {
      const read = await zk.watchData(path, (reply) => settle(dataValue(path, reply)), false);
      return dataValue(path, read);
    });
  }
}
