import type { HistoryEvent } from "../../history/event.js";
import { FAILURE_KINDS, type ServerLogKind } from "../../history/server-log.js";
import type { Anomaly } from "../verdict.js";
import { isDataDamage } from "./leader-completeness.js";

/** Log lines of a learner's sync with a leader: where a half-applied sync shows. */
const SYNC_KINDS: ReadonlySet<string> = new Set([
  "diff-from-leader",
  "snapshot-from-leader",
  "truncating-log",
  "newleader-received",
]);

/**
 * Why two servers may hold different trees: on a version with documented
 * bugs that leave a learner's sync half-applied (`syncBugs`), a server of the
 * pair that synced with a leader during the run, proven by its sync lines
 * (never when the nemesis destroyed data: that explains it alone).
 */
function divergenceCause(
  events: readonly HistoryEvent[],
  servers: readonly number[],
  syncBugs: readonly string[],
): Anomaly["cause"] {
  // Data the nemesis destroyed explains a divergence without any ZooKeeper bug.
  if (syncBugs.length === 0 || events.some(isDataDamage)) return undefined;
  const lines = events.filter(
    (event) =>
      event.f === "log" &&
      servers.some((server) => event.process === `server-${server}`) &&
      SYNC_KINDS.has((event.value as { kind?: string } | undefined)?.kind ?? ""),
  );
  if (lines.length === 0) return undefined;
  const synced = [...new Set(lines.map((event) => String(event.process)))].join(", ");
  return {
    message: `${synced} synced with a leader during the run (${lines.length} sync line(s), the last at event ${lines.at(-1)?.index}); this version's documented sync bugs leave a learner's transactions half-applied (${syncBugs.join(", ")})`,
    events: lines.slice(-4).map((event) => event.index),
    knownBugs: syncBugs,
  };
}

/**
 * After healing, every server holds the same tree: compares the final reads.
 * With the run's events and the version's sync bugs, a divergence whose
 * servers synced during the run names them as its cause.
 */
export function checkConvergence(
  finalReads: readonly HistoryEvent[],
  events: readonly HistoryEvent[] = [],
  syncBugs: readonly string[] = [],
): {
  anomalies: Anomaly[];
  servers: number;
} {
  const reads = finalReads.filter((event) => event.type === "ok");
  const anomalies: Anomaly[] = [];
  const [first, ...rest] = reads;
  if (first === undefined) return { anomalies, servers: 0 };
  const nodesOf = (event: HistoryEvent) =>
    (event.value as { nodes: Record<string, [string, number, string]> }).nodes;
  const reference = nodesOf(first);
  for (const other of rest) {
    const nodes = nodesOf(other);
    const paths = new Set([...Object.keys(reference), ...Object.keys(nodes)]);
    const differing = [...paths].filter(
      (path) =>
        JSON.stringify(reference[path]?.slice(0, 2)) !== JSON.stringify(nodes[path]?.slice(0, 2)),
    );
    if (differing.length > 0) {
      const cause = divergenceCause(events, [first.server ?? 0, other.server ?? 0], syncBugs);
      anomalies.push({
        kind: "divergent-final-state",
        message: `servers ${first.server} and ${other.server} hold different trees after healing (${differing.length} znodes differ, e.g. ${differing.slice(0, 3).join(", ")})`,
        events: [first.index, other.index],
        ...(cause ? { cause } : {}),
      });
    }
  }
  return { anomalies, servers: reads.length };
}

/**
 * At most one leader per epoch, from the observer's srvr samples. Two leaders
 * of different epochs in one sample are allowed (a deposed leader steps down
 * on a timer) and counted, with the longest such overlap.
 */
export function checkLeaders(events: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  epochs: number;
  overlappingSamples: number;
  longestOverlapMs: number;
} {
  const leaders = new Map<number, Map<number, number>>();
  let overlappingSamples = 0;
  let overlapStart: number | undefined;
  let longestOverlapMs = 0;
  for (const event of events) {
    if (event.process !== "observer" || event.f !== "status" || event.type !== "ok") continue;
    const statuses =
      (event.value as { statuses?: Record<string, { mode?: string; epoch?: number }> }).statuses ??
      {};
    const leading = Object.values(statuses).filter((status) => status.mode === "leader");
    if (leading.length > 1) {
      overlappingSamples++;
      overlapStart ??= event.time;
      longestOverlapMs = Math.max(longestOverlapMs, (event.time - overlapStart) / 1e6);
    } else overlapStart = undefined;
    for (const [id, status] of Object.entries(statuses)) {
      if (status.mode !== "leader" || status.epoch === undefined) continue;
      const byEpoch = leaders.get(status.epoch) ?? new Map<number, number>();
      if (!byEpoch.has(Number(id))) byEpoch.set(Number(id), event.index);
      leaders.set(status.epoch, byEpoch);
    }
  }
  const anomalies: Anomaly[] = [];
  for (const [epoch, byServer] of leaders) {
    if (byServer.size > 1) {
      anomalies.push({
        kind: "two-leaders-one-epoch",
        message: `servers ${[...byServer.keys()].join(" and ")} both reported themselves leader of epoch ${epoch}`,
        events: [...byServer.values()],
      });
    }
  }
  return { anomalies, epochs: leaders.size, overlappingSamples, longestOverlapMs };
}

/** The worker a session process (session-N) belongs to. */
function sessionWorker(process: string): number | undefined {
  const worker = /^session-(\d+)$/.exec(process)?.[1];
  return worker === undefined ? undefined : Number(worker);
}

/** Every session id belongs to one client: the servers never hand the same id to two. */
export function checkSessionIds(events: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  sessions: number;
} {
  const owners = new Map<string, Map<number, number>>();
  for (const event of events) {
    if (event.session === undefined) continue;
    // A worker's operations, and its session's own events (session-N), name the worker (by
    // number: a string per event cost a tenth of a second at a million).
    const process = event.process;
    const worker = typeof process === "number" ? process : sessionWorker(process);
    if (worker === undefined) continue;
    let byProcess = owners.get(event.session);
    if (byProcess === undefined) {
      byProcess = new Map();
      owners.set(event.session, byProcess);
    }
    if (!byProcess.has(worker)) byProcess.set(worker, event.index);
  }
  const anomalies: Anomaly[] = [];
  for (const [session, byProcess] of owners) {
    if (byProcess.size > 1)
      anomalies.push({
        kind: "shared-session-id",
        message: `session 0x${session} was handed to ${byProcess.size} clients (workers ${[...byProcess.keys()].join(", ")}): their requests and replies can be mixed up`,
        events: [...byProcess.values()],
      });
  }
  return { anomalies, sessions: owners.size };
}

/**
 * After every fault is healed, every server comes back: a server whose
 * process ends by itself then (say, it cannot load its own data) is an
 * anomaly, proven by the observer's record and the server's failure lines.
 * A quorum that does not form in time with every process running is "unknown".
 */
export function checkRecovery(events: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  valid: boolean | "unknown";
  afterMs: number | undefined;
} {
  const recovered = events.find((event) => event.process === "observer" && event.f === "recovered");
  if (recovered === undefined || recovered.type === "ok") {
    const afterMs = (recovered?.value as { afterMs?: number } | undefined)?.afterMs;
    return { anomalies: [], valid: true, afterMs };
  }
  const { down, exits } = recovered.value as {
    down?: number[];
    exits?: Record<string, string>;
  };
  if (down === undefined || down.length === 0) {
    return { anomalies: [], valid: "unknown", afterMs: undefined };
  }
  const anomalies = down.map((server) => {
    const proof = events.filter(
      (event) =>
        event.process === `server-${server}` &&
        FAILURE_KINDS.has((event.value as { kind?: ServerLogKind }).kind as ServerLogKind),
    );
    const said = proof.at(-1)?.value as { line?: string } | undefined;
    return {
      kind: "server-did-not-recover",
      message:
        `server ${server} did not come back after every fault was healed: its process ended by itself (${exits?.[server] ?? "how: unknown"})` +
        (said?.line ? `; its last failure line: ${said.line.trim()}` : ""),
      events: [...proof.slice(-3).map((event) => event.index), recovered.index],
    };
  });
  return { anomalies, valid: false, afterMs: undefined };
}
