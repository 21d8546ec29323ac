/**
 * Faults that start on an event rather than at a time: a server's log line
 * (or a state it logs), or another fault's start. Each fires at most once,
 * then heals after its duration.
 */
import type { ServerLogLine } from "../ensemble/ensemble.js";
import { classifyServerLogLine, type ServerLogKind } from "../history/server-log.js";
import type { FaultTrigger, MessageMatch, ScheduledFault, TriggerState } from "./fault-spec.js";

/** A message a wire trigger's rule holds in the proxy: whose trigger, who sent it, what it is. */
export interface HeldMessage {
  readonly owner: string;
  readonly sender: number;
  readonly description: string;
}

/** The proxies' side of wire triggers: hold the first matching message for a trigger, hear it, let it go. */
export interface WireTriggers {
  /** Holds the next message `match` names for trigger `id`. */
  arm(id: string, match: MessageMatch): Promise<void>;
  /** Lets the held message go on (or stops waiting for one). */
  disarm(id: string): Promise<void>;
  subscribe(listener: (held: HeldMessage) => void): () => void;
}

/** The log moment each state waits for. */
const STATE_KINDS: Readonly<Record<TriggerState, ServerLogKind>> = {
  "new-leader-serving": "quorum-of-supporters",
  "leader-changed": "leading",
  "server-synced": "uptodate-received",
};

/** What the arming needs from the nemesis. */
export interface TriggerArmingOptions {
  readonly items: readonly ScheduledFault[];
  /** performance.now() when the schedule started. */
  readonly startedAt: number;
  readonly signal?: AbortSignal;
  /** Each server's role when arming starts (later lines update it). */
  readonly roles?: ReadonlyMap<number, "leader" | "follower" | "looking">;
  /** Subscribes to the servers' log lines (absent when no item waits for one). */
  readonly subscribe?: (listener: (line: ServerLogLine) => void) => () => void;
  /** Holds and reports peer messages for wire triggers (absent when no item waits for one). */
  readonly wire?: WireTriggers;
  /** Starts a fault: the server whose line fired it, and the line. */
  fire(item: ScheduledFault, logged: number | undefined, line: string | undefined): Promise<void>;
  heal(id: string): Promise<void>;
  log(line: string): void;
}

/** True when a log line (from a server of a role) satisfies a trigger. */
export function lineMatches(
  trigger: FaultTrigger,
  pattern: RegExp | undefined,
  line: string,
  server: number,
  role: "leader" | "follower" | "looking" | undefined,
): boolean {
  const who = trigger.server ?? "any";
  if (typeof who === "number" && who !== server) return false;
  if ((who === "leader" || who === "follower") && role !== who) return false;
  if (pattern !== undefined && !pattern.test(line)) return false;
  if (trigger.state !== undefined && classifyServerLogLine(line) !== STATE_KINDS[trigger.state])
    return false;
  return true;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The triggered faults of one schedule, armed and waiting. */
export class TriggerArming {
  private readonly armedAt = new Map<string, number>();
  private readonly fired = new Set<string>();
  private readonly pending: Promise<void>[] = [];
  private readonly roles = new Map<number, "leader" | "follower" | "looking">();
  private readonly patterns = new Map<string, RegExp | undefined>();
  private readonly unsubscribe: (() => void) | undefined;
  private readonly unsubscribeWire: (() => void) | undefined;
  /** Wire triggers whose rule is in the proxies. */
  private readonly wireArmed = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: TriggerArmingOptions) {
    for (const [server, role] of options.roles ?? []) this.roles.set(server, role);
    for (const item of options.items) {
      this.patterns.set(item.id, item.when?.log ? new RegExp(item.when.log) : undefined);
      // Items without `after` are armed at their offset from the schedule's start.
      if (item.after === undefined) this.armAt(item, options.startedAt + item.at);
    }
    this.unsubscribe = options.subscribe?.((line) => this.onLine(line));
    this.unsubscribeWire = options.wire?.subscribe((held) => this.onHeld(held));
  }

  /** Tells the arming a fault started: faults `after` it arm (or fire) relative to now. */
  started(id: string): void {
    const now = performance.now();
    for (const item of this.options.items) if (item.after === id) this.armAt(item, now + item.at);
  }

  private armAt(item: ScheduledFault, at: number): void {
    if (this.closed) return;
    if (item.when === undefined) {
      // Only `after`: fires at its offset from the fault it follows.
      const timer = setTimeout(
        () => this.fire(item, undefined, undefined),
        Math.max(0, at - performance.now()),
      );
      this.timers.push(timer);
      return;
    }
    this.armedAt.set(item.id, at);
    const match = item.when.wire;
    if (match !== undefined) {
      const wire = this.options.wire;
      if (wire === undefined) {
        this.options.log(
          `nemesis: ${item.id} waits for a peer message, but the network cannot see them`,
        );
        return;
      }
      const arm = async () => {
        // Armed at its time, as a log trigger only counts lines from then on.
        await sleep(at - performance.now(), this.options.signal);
        if (this.closed || this.fired.has(item.id)) return;
        this.wireArmed.add(item.id);
        await wire.arm(item.id, match);
      };
      this.pending.push(
        arm().catch((error: unknown) =>
          this.options.log(
            `nemesis: arming wire trigger ${item.id} failed: ${(error as Error).message}`,
          ),
        ),
      );
    }
  }

  private onHeld({ owner, sender, description }: HeldMessage): void {
    const item = this.options.items.find((candidate) => candidate.id === owner);
    if (item === undefined || this.fired.has(item.id)) return;
    this.fire(item, sender, description);
  }

  /** Lets a wire trigger's held message go on and removes its rule. */
  private async release(id: string): Promise<void> {
    if (!this.wireArmed.delete(id)) return;
    await this.options.wire?.disarm(id);
  }

  private onLine({ server, line, receivedMs }: ServerLogLine): void {
    const kind = classifyServerLogLine(line);
    if (kind === "leading") this.roles.set(server, "leader");
    else if (kind === "following") this.roles.set(server, "follower");
    else if (kind === "looking" || kind === "shutdown") this.roles.set(server, "looking");
    for (const item of this.options.items) {
      const armed = this.armedAt.get(item.id);
      if (armed === undefined || receivedMs < armed || this.fired.has(item.id) || !item.when)
        continue;
      // A wire trigger fires on its held message, never on a line.
      if (item.when.wire !== undefined) continue;
      if (lineMatches(item.when, this.patterns.get(item.id), line, server, this.roles.get(server)))
        this.fire(item, server, line);
    }
  }

  private fire(item: ScheduledFault, server: number | undefined, line: string | undefined): void {
    if (this.closed || this.fired.has(item.id) || this.options.signal?.aborted) return;
    this.fired.add(item.id);
    this.armedAt.delete(item.id);
    const run = async () => {
      try {
        // A wire trigger's message stays held through the delay and the fault's start.
        await sleep(item.when?.delayMs ?? 0, this.options.signal);
        if (this.closed || this.options.signal?.aborted) return;
        await this.options.fire(item, server, line);
      } finally {
        await this.release(item.id);
      }
      this.started(item.id);
      await sleep(item.durationMs, this.options.signal);
      await this.options.heal(item.id);
    };
    this.pending.push(
      run().catch((error: unknown) =>
        this.options.log(`nemesis: triggered fault ${item.id} failed: ${(error as Error).message}`),
      ),
    );
  }

  /** Waits for every fault that fired to start and heal (bounded by the signal). */
  async settled(signal?: AbortSignal): Promise<void> {
    // A fault that fires while we wait adds itself: wait until nothing new came.
    for (let seen = -1; seen !== this.pending.length && !signal?.aborted; ) {
      seen = this.pending.length;
      await Promise.all(this.pending);
    }
  }

  /** Faults armed that never fired, by id. */
  unfired(): string[] {
    return this.options.items.map((item) => item.id).filter((id) => !this.fired.has(id));
  }

  /** Disarms everything that has not fired. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribeWire?.();
    for (const timer of this.timers) clearTimeout(timer);
    for (const id of [...this.wireArmed])
      this.release(id).catch((error: unknown) =>
        this.options.log(
          `nemesis: releasing wire trigger ${id} failed: ${(error as Error).message}`,
        ),
      );
  }
}
