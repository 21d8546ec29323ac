import { type HistoryEvent, WATCH_OPERATIONS } from "../history/event.js";
import { isReadOnlyTxn } from "../history/txn-record.js";
import {
  type ConnectivityView,
  isRunning,
  possibleLeaders,
  quorumPossible,
  servingSetFor,
} from "../quorum/connectivity.js";
import type { Anomaly, Verdict } from "./verdict.js";

/** The ZooKeeper settings that bound how long an election and a reconnect may take. */
export interface AvailabilitySettings {
  readonly tickTime: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  /** The clients' session timeout (ms). */
  readonly sessionTimeoutMs: number;
  /** The bound on election notifications (ms); zk-chaos's fast profile sets 1000. */
  readonly maxNotificationIntervalMs?: number;
}

/**
 * The bounds used when a history carries no settings and none are given:
 * zk-chaos's fast profile with 4 s sessions.
 */
export const DEFAULT_AVAILABILITY_SETTINGS: AvailabilitySettings = {
  tickTime: 200,
  initLimit: 10,
  syncLimit: 5,
  sessionTimeoutMs: 4000,
  maxNotificationIntervalMs: 1000,
};

/**
 * The grace after a change of connectivity before the quorum's side must
 * serve: a follower notices a lost leader within syncLimit ticks, an
 * election settles within a few notification rounds, a new leader syncs its
 * followers within initLimit ticks, and a client whose server was lost finds
 * another within its session timeout.
 */
export function electionGraceMs(settings: AvailabilitySettings): number {
  const notification = settings.maxNotificationIntervalMs ?? 1000;
  return (
    (settings.syncLimit + settings.initLimit) * settings.tickTime +
    2 * notification +
    settings.sessionTimeoutMs
  );
}

/** One stretch of time under one connectivity, as expected and as observed. */
export interface AvailabilityWindow {
  /** Milliseconds since the run started. */
  readonly startMs: number;
  readonly endMs: number;
  readonly blocked: number;
  readonly down: readonly number[];
  readonly expectedAvailable: boolean;
  /** Servers that serve whichever possible leader leads. */
  readonly mustServe: readonly number[];
  /** Servers that may serve under some possible leader. */
  readonly mayServe: readonly number[];
  readonly operations: number;
  readonly succeeded: number;
  /** First success after the window began (ms), if any. */
  readonly firstSuccessMs: number | undefined;
  /** Longest stretch with no success while a quorum was possible (ms). */
  readonly longestGapMs: number;
}

const READS = new Set([
  "read",
  "read-subtree",
  "exists",
  "get",
  "getData",
  "getChildren",
  // Watching agents: their reads, probes and watch registrations write nothing.
  ...WATCH_OPERATIONS,
]);
const ms = (ns: number) => ns / 1e6;

function allUp(ids: readonly number[]): ConnectivityView {
  const conditions = Object.fromEntries(ids.map((id) => [id, "up" as const]));
  return { servers: ids, conditions, blocked: [], clientsBlocked: [] };
}

/** Without nemesis records: the servers the operations name, all up. */
function defaultView(events: readonly HistoryEvent[]): ConnectivityView | undefined {
  const servers = new Set<number>();
  for (const event of events) if (typeof event.server === "number") servers.add(event.server);
  return servers.size === 0 ? undefined : allUp([...servers].sort((a, b) => a - b));
}

/**
 * The quorum oracle: from the connectivity the nemesis recorded, which
 * servers can form a quorum at every instant; then judges the operations.
 * A write acknowledged by a server outside every possible quorum is a
 * split-brain anomaly. An operation sent to a server that every possible
 * quorum includes, begun after the election grace, must not end unknown.
 */
export function checkAvailability(
  events: readonly HistoryEvent[],
  settings: AvailabilitySettings,
): Verdict {
  const started = performance.now();
  const graceNs = electionGraceMs(settings) * 1e6;
  const changes = events.filter(
    (event) => event.process === "nemesis" && event.f === "connectivity",
  ) as (HistoryEvent & { value: ConnectivityView })[];
  // Before the first recorded change every server is up and connected.
  const first = changes[0]?.value;
  const initial = first
    ? { ...allUp(first.servers), ...(first.observers ? { observers: first.observers } : {}) }
    : defaultView(events);
  if (initial === undefined) {
    return {
      checker: "availability",
      guarantee: "availability matches the quorum",
      valid: "unknown",
      anomalies: [],
      stats: { reason: "no servers named in the history" },
      elapsedMs: performance.now() - started,
    };
  }
  const end = events.reduce((latest, event) => Math.max(latest, event.time), 0);
  const spans: { start: number; view: ConnectivityView }[] = [{ start: 0, view: initial }];
  for (const change of changes) spans.push({ start: change.time, view: change.value });
  // Keyed by worker number: a string per event cost a quarter of a second at a million.
  const opens = new Map<number, HistoryEvent>();
  // The completed ops as two lists side by side: no object made per op.
  const invokes: HistoryEvent[] = [];
  const completions: HistoryEvent[] = [];
  for (const event of events) {
    if (typeof event.process !== "number" || event.f === "session") continue;
    if (event.type === "invoke") opens.set(event.process, event);
    else {
      const invoke = opens.get(event.process);
      opens.delete(event.process);
      if (invoke) {
        invokes.push(invoke);
        completions.push(event);
      }
    }
  }
  const anomalies: Anomaly[] = [];
  const windows: AvailabilityWindow[] = [];
  let unavailableInsideQuorum = 0;
  let readsOutsideQuorum = 0;
  spans.forEach((span, index) => {
    const stop = spans[index + 1]?.start ?? end;
    if (stop <= span.start && index < spans.length - 1) return;
    const view = span.view;
    const leaders = possibleLeaders(view);
    const sets = leaders.map((leader) => servingSetFor(view, leader));
    const mayServe = [...new Set(sets.flat())].sort((a, b) => a - b);
    // A starved server may be the leader everyone waits on: nothing must serve in time then.
    const starved = view.servers.some((server) => view.conditions[server] === "slow");
    const mustServe =
      sets.length === 0 || starved
        ? []
        : view.servers.filter((server) => sets.every((set) => set.includes(server)));
    // One pass over the ops: a filtered copy of a million ops per span, and two more passes
    // over it, cost half a second.
    const outside: Anomaly[] = [];
    const unavailable: Anomaly[] = [];
    const successTimes: number[] = [];
    let operations = 0;
    for (let op = 0; op < invokes.length; op++) {
      const invoke = invokes[op] as HistoryEvent;
      const completion = completions[op] as HistoryEvent;
      if (invoke.time < span.start || completion.time > stop) continue;
      operations++;
      if (completion.type === "ok") successTimes.push(completion.time);
      const answered = completion.server;
      if (completion.type === "ok" && answered !== undefined && !mayServe.includes(answered)) {
        if (READS.has(invoke.f) || isReadOnlyTxn(invoke.f, invoke.value)) readsOutsideQuorum++;
        else
          outside.push({
            kind: "write-outside-quorum",
            message: `server ${answered} acknowledged ${invoke.f} while it could not be part of any quorum (${quorumPossible(view) ? `only ${mayServe.join(",")} could serve` : "no quorum could form"}): split brain`,
            events: [invoke.index, completion.index],
          });
      }
      const server = answered ?? invoke.server;
      if (
        server === undefined ||
        !mustServe.includes(server) ||
        view.clientsBlocked.includes(server) ||
        invoke.time < span.start + graceNs
      )
        continue;
      if (
        completion.type === "info" ||
        (completion.type === "fail" && completion.error === "no-session")
      ) {
        unavailableInsideQuorum++;
        unavailable.push({
          kind: "unavailable-inside-quorum",
          message: `${invoke.f} on server ${server} did not complete although a quorum including it stood for ${ms(invoke.time - span.start).toFixed(0)} ms (grace ${electionGraceMs(settings)} ms)`,
          events: [invoke.index, completion.index],
        });
      }
    }
    // In this order, and not spread into push: a span can hold a million of them.
    for (const anomaly of outside) anomalies.push(anomaly);
    for (const anomaly of unavailable) anomalies.push(anomaly);
    const successes = Float64Array.from(successTimes).sort();
    let longestGap = 0;
    if (quorumPossible(view)) {
      let last = span.start;
      for (const time of successes) {
        longestGap = Math.max(longestGap, time - last);
        last = time;
      }
      longestGap = Math.max(longestGap, stop - last);
    }
    windows.push({
      startMs: ms(span.start),
      endMs: ms(stop),
      blocked: view.blocked.length,
      down: view.servers.filter((server) => !isRunning(view.conditions[server])),
      expectedAvailable: quorumPossible(view),
      mustServe,
      mayServe,
      operations,
      succeeded: successes.length,
      firstSuccessMs:
        successes[0] === undefined ? undefined : ms((successes[0] as number) - span.start),
      longestGapMs: ms(longestGap),
    });
  });
  return {
    checker: "availability",
    guarantee:
      "writes succeed only where a quorum can form, and do succeed there after the election grace",
    valid: anomalies.length === 0,
    anomalies,
    stats: {
      graceMs: electionGraceMs(settings),
      windows,
      unavailableInsideQuorum,
      readsOutsideQuorum,
      longestUnavailableMs: Math.max(0, ...windows.map((window) => window.longestGapMs)),
    },
    elapsedMs: performance.now() - started,
  };
}
