import { formatZxid, type HistoryEvent, parseZxid, type Zxid } from "../../history/event.js";
import { entryOf } from "../../util/map-entry.js";
import type { Anomaly } from "../verdict.js";
import {
  ambiguous,
  type ChangeIndex,
  changeToVersion,
  compareZxid,
  firstChangeAfter,
  indexChanges,
  type KnownChange,
} from "./watch-changes.js";

/** A notification with the change that fired it, when the history proves which. */
export interface TriggeredNotification {
  /** The notification's event. */
  readonly event: number;
  readonly time: number;
  readonly change: KnownChange;
  /** The change's write completed at this time (ns). */
  readonly ackTime: number;
}

/** What the watch checks found, and what they measured on the way. */
export interface WatchCheck {
  readonly anomalies: Anomaly[];
  /** The changes the writers' replies prove. */
  readonly changes: ChangeIndex;
  readonly registrations: number;
  readonly notifications: number;
  readonly triggered: TriggeredNotification[];
  /** Watching agents whose cache was compared with the final tree. */
  readonly agentsConverged: number;
  /** Watching agents that did not settle (still disconnected or busy) when the run ended. */
  readonly agentsUnsettled: number;
}

/** An open one-time watch: set by a read whose reply came, or maybe by one whose reply never came. */
interface Window {
  readonly first: number;
  readonly h: Zxid | undefined;
  /** The data version (mzxid) or children the watch was set on. */
  seen: string | undefined;
  /** The data version the watch was set on: the next one is what fires it. */
  version: number | undefined;
}

interface PersistentWatch {
  readonly event: number;
  readonly h: Zxid;
  readonly root: string;
  /** `${type}|${path}` -> notifications since it was set. */
  readonly counts: Map<string, number>;
}

const CLASSES: Readonly<Record<string, readonly ("data" | "child")[]>> = {
  NodeDataChanged: ["data"],
  NodeCreated: ["data"],
  NodeChildrenChanged: ["child"],
  NodeDeleted: ["data", "child"],
};

const CHANGE_TYPE: Readonly<Record<KnownChange["kind"], string>> = {
  created: "NodeCreated",
  changed: "NodeDataChanged",
  deleted: "NodeDeleted",
};

/**
 * The change that fired a one-time watch, when the history proves which: a
 * data change is the set that made the version after the one watched; any
 * other is the first change of the watch's own class (`key`: a child watch
 * ends with a child's change or the znode's delete, never a set of its data)
 * after the watch was set, unless a change of unknown zxid may have come first.
 */
function triggerOf(
  index: ChangeIndex,
  type: string,
  key: string,
  window: Window & { h: Zxid },
): KnownChange | undefined {
  const path = key.slice(key.indexOf("|") + 1);
  if (type === "NodeDataChanged" && window.version !== undefined) {
    const exact = changeToVersion(index, path, window.version + 1, window.h);
    if (exact !== undefined) return exact;
  }
  const change = firstChangeAfter(index, key, window.h);
  return change === undefined || ambiguous(index, key, change) ? undefined : change;
}

const watcherOf = (process: HistoryEvent["process"]) =>
  typeof process === "string" && process.startsWith("session-")
    ? Number(process.slice(8))
    : undefined;

/** The root the register workload's watchers watch (the registers' parent), from their watch-end events. */
function registersRootOf(events: readonly HistoryEvent[]): string | undefined {
  if (!events.some((event) => event.f === "write" || event.f === "cas")) return undefined;
  const end = events.find((event) => event.f === "watch-end");
  return (end?.value as { root?: string } | undefined)?.root;
}

/**
 * ZooKeeper's guarantees about watches (Programmer's Guide), judged from the
 * watching agents' reads, notifications and caches against the changes the
 * writers' replies prove (their zxids):
 * - a client sees the watch event before it sees the new data;
 * - a session's watch events come in the order the service made the changes;
 * - a one-time watch fires at most once, and a change made while the session
 *   was disconnected still fires after it reconnects, unless it expired;
 *   after expiry no event arrives;
 * - an agent's cache holds only what its session read, and converges to the
 *   final tree after the heal.
 */
export function checkWatches(events: readonly HistoryEvent[]): WatchCheck {
  const index: ChangeIndex = indexChanges(events, registersRootOf(events));
  const writeTimes = new Map<number, number>();
  for (const list of index.known.values())
    for (const change of list) writeTimes.set(change.event, events[change.event]?.time ?? 0);
  const anomalies: Anomaly[] = [];
  const windows = new Map<string, Map<string, Window>>();
  const persistent = new Map<string, PersistentWatch>();
  const expired = new Set<string>();
  const catchingUp = new Set<string>();
  const latest = new Map<string, { trigger: Zxid; event: number; change: KnownChange }>();
  /** Each session's latest reconnect (event index). */
  const lastConnect = new Map<string, number>();
  /** session|path of a deleted znode whose second NodeDeleted from a SetWatches is still due. */
  const spareDeletes = new Set<string>();
  const readValues = new Map<number, Set<string>>();
  const open = new Map<number, HistoryEvent>();
  const triggered: TriggeredNotification[] = [];
  let registrations = 0;
  let notifications = 0;
  const watchEnds: HistoryEvent[] = [];
  const sessionWindows = (session: string) => entryOf(windows, session, () => new Map());
  // The client queues SetWatches when its socket connects, behind requests made while it was
  // away: only the reply to a request made after the reconnect proves the catch-up is over.
  const endCatchUp = (session: string, invoke: HistoryEvent) => {
    if (invoke.index > (lastConnect.get(session) ?? -1)) catchingUp.delete(session);
  };

  const onRead = (invoke: HistoryEvent, completion: HistoryEvent) => {
    const value = (completion.type === "ok" ? completion.value : invoke.value) as {
      path: string;
      watch?: string;
      mzxid?: string;
      version?: number;
      children?: string[];
    };
    const session = completion.session;
    if (session === undefined || typeof value?.path !== "string") return;
    endCatchUp(session, invoke);
    const own = sessionWindows(session);
    const path = value.path;
    if (completion.type === "ok" && value.mzxid !== undefined) {
      entryOf(readValues, completion.process as number, () => new Set<string>()).add(
        `${path}@${value.mzxid}`,
      );
    }
    // The event before the data: a read that shows a newer version while a watch on it has not fired.
    const isChildren = value.children !== undefined || value.watch === "children";
    const window = own.get(`${isChildren ? "child" : "data"}|${path}`);
    const shown =
      completion.type === "ok"
        ? isChildren
          ? JSON.stringify(value.children)
          : value.mzxid
        : completion.error === -101
          ? "gone"
          : undefined;
    if (window?.seen !== undefined && shown !== undefined && shown !== window.seen) {
      anomalies.push({
        kind: "data-before-watch-event",
        message: `session ${session} read ${path} ${shown === "gone" ? "gone" : isChildren ? `with children ${shown}` : `at mzxid ${formatZxid(parseZxid(shown))}`} while its watch set at ${isChildren ? `children ${window.seen}` : `mzxid ${formatZxid(parseZxid(window.seen))}`} had not fired: the client saw the new data before the watch event`,
        events: [window.first, invoke.index, completion.index],
      });
      window.seen = shown;
    }
    if (value.watch !== "data" && value.watch !== "children") return;
    if (completion.type === "fail") return;
    registrations++;
    const key = `${value.watch === "data" ? "data" : "child"}|${path}`;
    spareDeletes.delete(`${session}|${path}`);
    const existing = own.get(key);
    if (existing === undefined)
      own.set(key, {
        first: completion.type === "ok" ? completion.index : invoke.index,
        h:
          completion.type === "ok" && completion.zxid !== undefined
            ? parseZxid(completion.zxid)
            : undefined,
        seen: completion.type === "ok" ? shown : undefined,
        version: completion.type === "ok" ? value.version : undefined,
      });
    else if (existing.seen === undefined && completion.type === "ok") {
      existing.seen = shown;
      existing.version = value.version;
    }
  };

  const orderCheck = (session: string, notification: HistoryEvent, change: KnownChange) => {
    triggered.push({
      event: notification.index,
      time: notification.time,
      change,
      ackTime: writeTimes.get(change.event) ?? notification.time,
    });
    const before = latest.get(session);
    if (
      before !== undefined &&
      compareZxid(change.zxid, before.trigger) < 0 &&
      !catchingUp.has(session)
    )
      anomalies.push({
        kind: "watch-events-out-of-order",
        message: `session ${session} got the event for ${change.path} (change ${formatZxid(change.zxid)}) after the event for ${before.change.path} (change ${formatZxid(before.trigger)}): watch events must come in the order the service made the changes`,
        events: [change.event, before.change.event, before.event, notification.index],
      });
    if (before === undefined || compareZxid(change.zxid, before.trigger) > 0)
      latest.set(session, { trigger: change.zxid, event: notification.index, change });
  };

  const onNotify = (event: HistoryEvent) => {
    const session = event.session;
    const { type, path } = event.value as { type: string; path: string };
    if (session === undefined) return;
    notifications++;
    if (expired.has(session)) {
      anomalies.push({
        kind: "watch-event-after-expiry",
        message: `session ${session} got ${type} for ${path} after it expired: an expired session gets no more events`,
        events: [event.index],
      });
      return;
    }
    const watch = persistent.get(session);
    if (watch !== undefined && (path === watch.root || path.startsWith(`${watch.root}/`))) {
      const key = `${type}|${path}`;
      const count = (watch.counts.get(key) ?? 0) + 1;
      watch.counts.set(key, count);
      const kind =
        type === "NodeCreated" ? "created" : type === "NodeDeleted" ? "deleted" : "changed";
      const changeKey = `data|${path}`;
      const list = (index.known.get(changeKey) ?? []).filter(
        (change) => change.kind === kind && compareZxid(change.zxid, watch.h) > 0,
      );
      const change = list[count - 1];
      if (change !== undefined && !ambiguous(index, changeKey, change))
        orderCheck(session, event, change);
      return;
    }
    const own = sessionWindows(session);
    const classes = CLASSES[type] ?? [];
    const closed = classes
      .map((kind) => ({ key: `${kind}|${path}`, window: own.get(`${kind}|${path}`) }))
      .filter((entry) => entry.window !== undefined);
    if (closed.length === 0) {
      const spare = `${session}|${path}`;
      if (type === "NodeDeleted" && spareDeletes.delete(spare)) return;
      anomalies.push({
        kind: "watch-fired-twice",
        message: `session ${session} got ${type} for ${path} with no watch of its kind set since the last one fired: a one-time watch fires at most once`,
        events: [event.index],
      });
      return;
    }
    for (const { key } of closed) own.delete(key);
    // After a reconnect, SetWatches fires NodeDeleted once per watch kind of a deleted znode
    // (DataTree.setWatches walks data and child watches apart): two on the wire, both watches
    // ending once, which the Java client delivers as one. A live delete sends only one.
    const reconnected = lastConnect.get(session) ?? -1;
    if (
      type === "NodeDeleted" &&
      closed.length > 1 &&
      closed.every((entry) => (entry.window as Window).first < reconnected)
    )
      spareDeletes.add(`${session}|${path}`);
    // A NodeDeleted may end a data and a child watch at once: either names the same delete.
    const { key, window } = closed[0] as { key: string; window: Window };
    if (window.h === undefined) return;
    const change = triggerOf(index, type, key, window as Window & { h: Zxid });
    if (change !== undefined) orderCheck(session, event, change);
  };

  for (const event of events) {
    if (typeof event.process === "number") {
      if (event.type === "invoke") {
        open.set(event.process, event);
        continue;
      }
      const invoke = open.get(event.process);
      open.delete(event.process);
      if (invoke === undefined) continue;
      if (event.session !== undefined && event.type === "ok") endCatchUp(event.session, invoke);
      if (invoke.f === "watch-read" || invoke.f === "watch-probe") onRead(invoke, event);
      else if (invoke.f === "add-watch" && event.type === "ok" && event.session !== undefined) {
        registrations++;
        persistent.set(event.session, {
          event: event.index,
          h: parseZxid(event.zxid ?? "0"),
          root: (invoke.value as { path: string }).path,
          counts: new Map(),
        });
      }
      continue;
    }
    if (watcherOf(event.process) === undefined) continue;
    if (event.f === "notify") onNotify(event);
    else if (event.f === "session" && event.session !== undefined) {
      const what = (event.value as { event?: string } | undefined)?.event;
      if (what === "expired") expired.add(event.session);
      if (what === "connected" || what === "opened") {
        catchingUp.add(event.session);
        lastConnect.set(event.session, event.index);
      }
    } else if (event.f === "cache") {
      const value = event.value as { path: string; mzxid?: string };
      const seen = readValues.get(watcherOf(event.process) as number);
      if (value.mzxid !== undefined && !seen?.has(`${value.path}@${value.mzxid}`))
        anomalies.push({
          kind: "cache-newer-than-reads",
          message: `agent ${watcherOf(event.process)} cached ${value.path} at mzxid ${formatZxid(parseZxid(value.mzxid))}, which its session never read`,
          events: [event.index],
        });
    } else if (event.f === "watch-end") watchEnds.push(event);
  }

  const convergence = checkCaches(events, watchEnds, index, windows, persistent, anomalies);
  return {
    anomalies,
    changes: index,
    registrations,
    notifications,
    triggered,
    agentsConverged: convergence.compared,
    agentsUnsettled: convergence.unsettled,
  };
}

/** Missed notifications of each agent's last session, and its cache against the final tree. */
function checkCaches(
  events: readonly HistoryEvent[],
  watchEnds: readonly HistoryEvent[],
  index: ChangeIndex,
  windows: ReadonlyMap<string, ReadonlyMap<string, Window>>,
  persistent: ReadonlyMap<string, PersistentWatch>,
  anomalies: Anomaly[],
): { compared: number; unsettled: number } {
  const finalRead = events.find(
    (event) => event.process === "observer" && event.f === "final-read" && event.type === "ok",
  );
  const finalValue = finalRead?.value as
    | { root: string; nodes: Record<string, [string, number, string]> }
    | undefined;
  let compared = 0;
  let unsettled = 0;
  for (const end of watchEnds) {
    const value = end.value as {
      root: string;
      settled: boolean;
      nodes: Record<string, [string, number, string]>;
    };
    if (!value.settled || end.session === undefined) {
      unsettled++;
      continue;
    }
    const session = end.session;
    // Every watch still set when the agent settled must not have missed a change after it was set.
    for (const [key, window] of windows.get(session) ?? []) {
      if (window.h === undefined) continue;
      const change = firstChangeAfter(index, key, window.h);
      if (change === undefined) continue;
      anomalies.push({
        kind: "missed-watch-event",
        message: `session ${session} set a watch on ${key.slice(key.indexOf("|") + 1)} (${key.startsWith("data") ? "data" : "children"}) at ${formatZxid(window.h)}; the change ${formatZxid(change.zxid)} (${change.kind} ${change.path}) came after, and no event ever arrived though the session lived on`,
        events: [window.first, change.event, end.index],
      });
    }
    const watch = persistent.get(session);
    if (watch !== undefined) missedPersistent(session, watch, index, end, anomalies);
    if (finalRead === undefined || finalValue === undefined) continue;
    compared++;
    const expected = new Map<string, string>();
    for (const [relative, [, , mzxid]] of Object.entries(finalValue.nodes)) {
      const path = `${finalValue.root}/${relative}`;
      if (path.startsWith(`${value.root}/`)) expected.set(path, mzxid);
    }
    const differing: string[] = [];
    for (const [path, mzxid] of expected)
      if (value.nodes[path]?.[2] !== mzxid) differing.push(path);
    for (const path of Object.keys(value.nodes))
      if (path.startsWith(`${value.root}/`) && !expected.has(path)) differing.push(path);
    if (differing.length === 0) continue;
    const first = differing.sort()[0] as string;
    const proof = [...(index.known.get(`data|${first}`) ?? [])].pop();
    anomalies.push({
      kind: "stale-watch-cache",
      message: `agent ${watcherOf(end.process)}'s cache of ${value.root} did not converge after the heal: ${differing.length} znode(s) differ from the final tree, e.g. ${differing
        .slice(0, 3)
        .map((path) => {
          const cached = value.nodes[path];
          const final = expected.get(path);
          return `${path} (cache ${cached ? formatZxid(parseZxid(cached[2])) : "none"}, final ${final ? formatZxid(parseZxid(final)) : "none"})`;
        })
        .join(", ")}`,
      events: [end.index, finalRead.index, ...(proof ? [proof.event] : [])],
    });
  }
  return { compared, unsettled };
}

/** A persistent recursive watch must fire once per change below its root after it was set. */
function missedPersistent(
  session: string,
  watch: PersistentWatch,
  index: ChangeIndex,
  end: HistoryEvent,
  anomalies: Anomaly[],
): void {
  for (const [key, list] of index.known) {
    if (!key.startsWith("data|")) continue;
    const path = key.slice(5);
    if (!path.startsWith(`${watch.root}/`)) continue;
    for (const kind of ["created", "changed", "deleted"] as const) {
      const after = list.filter(
        (change) => change.kind === kind && compareZxid(change.zxid, watch.h) > 0,
      );
      const got = watch.counts.get(`${CHANGE_TYPE[kind]}|${path}`) ?? 0;
      const missed = after[got];
      if (missed === undefined || ambiguous(index, key, after.at(-1) as KnownChange)) continue;
      anomalies.push({
        kind: "missed-watch-event",
        message: `session ${session}'s persistent watch on ${watch.root} (set at ${formatZxid(watch.h)}) got ${got} ${CHANGE_TYPE[kind]} event(s) for ${path} but ${after.length} such change(s) came after it, e.g. ${formatZxid(missed.zxid)}`,
        events: [watch.event, missed.event, end.index],
      });
    }
  }
}
