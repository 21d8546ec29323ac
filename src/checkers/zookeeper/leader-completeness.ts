/**
 * Zab's leader completeness, judged from the servers' own log lines: a
 * server that takes over as leader must hold every transaction committed
 * before it. Each election a server starts names the last zxid it stands on
 * ("New election ... proposed zxid=0x..."); a leader that gathers its quorum
 * names its new epoch ("... setting last processed zxid: 0xE00000000"). A
 * write acknowledged to a client is committed; if its zxid lies after the
 * leader's last zxid and before the new epoch, the leader took over without
 * it, and every server that syncs from it loses it. No timing is involved:
 * a follower that acknowledged the write never votes for a server behind it,
 * so only a server that dropped a committed transaction lets this happen.
 * One more case needs a clock: a quorum that forgot its epochs (a wiped
 * server) can elect a leader of an epoch no newer than ones already
 * committed in; a write of such an epoch acknowledged well before the
 * election began (a second, beyond any log line's delay) cannot be the new
 * leader's own.
 * The proof is ZooKeeper's, not the harness's: anomalies it explains are
 * findings about the servers, and a documented bug of the version is named.
 */

import { formatZxid, type HistoryEvent, recordedSettings } from "../../history/event.js";
import { epochStartZxid, proposedZxid } from "../../history/server-log.js";
import { type RecordedTxn, TXN_OPERATION } from "../../history/txn-record.js";
import { inRange } from "../../zookeeper/version-range.js";

import type { Anomaly, AnomalyCause } from "../verdict.js";
import { type SyncOnWire, syncOnWire, syncOnWireEvents, syncOnWireText } from "./sync-on-wire.js";

/** Log moments after which a server holds its leader's history, not what it proposed before. */
const SYNCED = new Set([
  "following",
  "diff-from-leader",
  "snapshot-from-leader",
  "truncating-log",
  "newleader-received",
  "uptodate-received",
]);
/** A leader that took over without a write acknowledged before it. */
export interface IncompleteLeader {
  readonly server: number;
  /** The last zxid it stood on when it began the election it won. */
  readonly lastZxid: bigint;
  /** The first zxid of its epoch. */
  readonly epochStart: bigint;
  /** Its "New election" and "quorum of supporters" lines. */
  readonly electionEvent: number;
  readonly leadingEvent: number;
  /** The highest acknowledged zxid it lacks, and the operation that was told so. */
  readonly missingZxid: bigint;
  readonly missingEvent: number;
  /** When its election began (history time, ns). */
  readonly electionTime: number;
  /** True when the missing write's epoch is this leader's or later: the quorum forgot that epoch. */
  readonly epochReused: boolean;
  /** The nemesis's wipes and corruptions of server data before this leader took over. */
  readonly damagedBefore: readonly {
    readonly event: number;
    readonly servers: readonly number[];
  }[];
  /** With the wire recorded: the sync in which it took the epoch it led from. */
  readonly sync?: SyncOnWire;
}

/** Margin before an election within which a write of its epoch or later could be the new leader's own (ns). */
const EPOCH_REUSE_MARGIN_NS = 1e9;

/** Documented bugs that let a leader take over without committed transactions, and the releases that have them. */
const LEADER_COMPLETENESS_BUGS: readonly {
  readonly jira: readonly string[];
  readonly affects: string;
}[] = [
  {
    // A follower dies, or steps down, between taking the new epoch and flushing its sync's
    // transactions; fixed together (ZOOKEEPER-4394) in 3.9.3; 4785 alone in 3.8.5.
    jira: ["ZOOKEEPER-4643", "ZOOKEEPER-4646", "ZOOKEEPER-4712", "ZOOKEEPER-4785"],
    affects: "<3.9.3",
  },
];

/** The documented bugs of `version` that explain a leader without committed writes (empty when none does). */
export function leaderCompletenessBugs(version: string | undefined): readonly string[] {
  if (version === undefined) return [];
  // An ensemble of several versions (an upgrade) has the bug if any of them does.
  const versions = version.split("+");
  return LEADER_COMPLETENESS_BUGS.filter((bug) =>
    versions.some((each) => inRange(each, bug.affects)),
  ).flatMap((bug) => bug.jira);
}

const serverOf = (event: HistoryEvent): number | undefined =>
  typeof event.process === "string" && event.process.startsWith("server-")
    ? Number(event.process.slice("server-".length))
    : undefined;

const logOf = (event: HistoryEvent): { kind?: string; line?: string } =>
  event.f === "log" ? ((event.value ?? {}) as { kind?: string; line?: string }) : {};

/** The zxid a client was told of by an acknowledged operation (its znode's mzxid), if any. */
export function acknowledgedZxid(event: HistoryEvent): bigint | undefined {
  if (event.type !== "ok" || typeof event.process !== "number") return undefined;
  // A committed multi of the transactions workload: its reply's zxid is its own.
  const zxid = event.stat?.mzxid ?? (isCommittedMulti(event) ? event.zxid : undefined);
  return zxid === undefined ? undefined : BigInt(zxid);
}

/** An ok transaction that wrote (not a read). */
function isCommittedMulti(event: HistoryEvent): boolean {
  return (
    event.f === TXN_OPERATION &&
    ((event.value as RecordedTxn | undefined)?.mops ?? []).some(
      (mop) => mop.f !== "r" && mop.f !== "check",
    )
  );
}

/** Every leader that took over without an acknowledged write; empty when the logs hold no election line. */
export function findIncompleteLeaders(events: readonly HistoryEvent[]): IncompleteLeader[] {
  const acknowledged: { zxid: bigint; index: number; time: number }[] = [];
  for (const event of events) {
    const zxid = acknowledgedZxid(event);
    if (zxid !== undefined) acknowledged.push({ zxid, index: event.index, time: event.time });
  }
  const elections = new Map<number, { lastZxid: bigint; index: number; time: number }>();
  const damaged: { event: number; servers: readonly number[] }[] = [];
  const found: IncompleteLeader[] = [];
  for (const event of events) {
    if (isDataDamage(event)) {
      const servers = (event.value as { servers?: readonly number[] }).servers ?? [];
      damaged.push({ event: event.index, servers });
      continue;
    }
    const server = serverOf(event);
    const { kind, line } = logOf(event);
    if (server === undefined || line === undefined) continue;
    if (kind === "election-started") {
      const lastZxid = proposedZxid(line);
      if (lastZxid !== undefined)
        elections.set(server, { lastZxid, index: event.index, time: event.time });
      continue;
    }
    // Synced with a leader since its election: what it proposed then is no longer what it
    // holds. A leadership without a new election (a reconfig hands it over) proves nothing.
    if (SYNCED.has(kind ?? "")) {
      elections.delete(server);
      continue;
    }
    const epochStart = kind === "quorum-of-supporters" ? epochStartZxid(line) : undefined;
    const election = elections.get(server);
    if (epochStart === undefined || election === undefined) continue;
    let missing: { zxid: bigint; index: number } | undefined;
    let epochReused = false;
    for (const ack of acknowledged) {
      if (ack.zxid <= election.lastZxid || ack.zxid <= (missing?.zxid ?? -1n)) continue;
      const reused = ack.zxid >= epochStart && ack.time < election.time - EPOCH_REUSE_MARGIN_NS;
      if (ack.zxid < epochStart || reused) {
        missing = ack;
        epochReused = reused;
      }
    }
    if (missing === undefined) continue;
    const sync = syncOnWire(events, server, election.index, missing.zxid);
    found.push({
      server,
      lastZxid: election.lastZxid,
      epochStart,
      electionEvent: election.index,
      electionTime: election.time,
      leadingEvent: event.index,
      missingZxid: missing.zxid,
      missingEvent: missing.index,
      epochReused,
      // Before it took over, not only before its vote began: a server wiped during the vote
      // restarts empty and joins the quorum (explore met it on 3.9.5, wiped 1.4 s into a vote).
      damagedBefore: [...damaged],
      ...(sync ? { sync } : {}),
    });
  }
  return found;
}

/** True when the history holds the servers' election lines this check needs. */
export function hasElectionLines(events: readonly HistoryEvent[]): boolean {
  return events.some((event) => logOf(event).kind === "election-started");
}

/** One anomaly per leader that took over without an acknowledged write. */
export function checkLeaderCompleteness(events: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  leaders: IncompleteLeader[];
} {
  const leaders = findIncompleteLeaders(events);
  const bugs = leaderCompletenessBugs(recordedSettings(events)?.zooKeeperVersion);
  const anomalies = leaders.map(
    (leader): Anomaly => ({
      kind: "leader-lacks-acknowledged-write",
      message: `server ${leader.server} took over as leader of epoch 0x${(leader.epochStart >> 32n).toString(16)}${leader.epochReused ? " (an epoch an earlier leader had already reached: the quorum forgot it)" : ""} standing on zxid ${formatZxid(leader.lastZxid)}, without the acknowledged write at ${formatZxid(leader.missingZxid)} (event ${leader.missingEvent})${leader.sync ? `; ${syncOnWireText(leader.sync, leader.missingZxid)}` : ""}: ${whyText(leader, bugs)}`,
      events: proofOf(leader),
      cause: causeOf(leader, bugs),
    }),
  );
  return { anomalies, leaders };
}

/** Why a leader lacked committed writes: the nemesis destroyed data, or ZooKeeper dropped it. */
function whyText(leader: IncompleteLeader, bugs: readonly string[]): string {
  const damage = leader.damagedBefore;
  if (damage.length > 0) {
    const servers = [...new Set(damage.flatMap((entry) => entry.servers))].join(", ");
    return `server(s) ${servers} had their data destroyed by the nemesis before (event ${damage.map((entry) => entry.event).join(", ")}); ZooKeeper trusts its disks, so this is the wipe, not a ZooKeeper bug`;
  }
  return bugs.length === 0
    ? "ZooKeeper dropped a committed transaction (no documented bug of this version explains it)"
    : `ZooKeeper dropped a committed transaction, a documented bug of this version (${bugs.join(", ")})`;
}

const proofOf = (leader: IncompleteLeader): number[] => [
  leader.electionEvent,
  leader.leadingEvent,
  leader.missingEvent,
  ...syncOnWireEvents(leader.sync),
  ...leader.damagedBefore.map((entry) => entry.event),
];

function causeOf(leader: IncompleteLeader, bugs: readonly string[]): AnomalyCause {
  const destroyed = leader.damagedBefore.length > 0;
  return {
    message: `server ${leader.server} led from ${formatZxid(leader.lastZxid)}, without the committed writes up to ${formatZxid(leader.missingZxid)}: ${whyText(leader, bugs)}`,
    events: proofOf(leader),
    ...(destroyed ? { dataDestroyed: true } : bugs.length > 0 ? { knownBugs: bugs } : {}),
  };
}

/** A nemesis action that destroyed or changed a server's data (wipe, corrupt). */
export function isDataDamage(event: HistoryEvent): boolean {
  return (
    event.process === "nemesis" &&
    event.type === "info" &&
    (event.f === "wipe" || event.f === "corrupt") &&
    (event.value as { servers?: unknown } | undefined)?.servers !== undefined
  );
}

/**
 * Adds the cause to every anomaly one of whose proof events was told of a
 * zxid a leader took over without (between its last zxid and its new epoch):
 * the lost writes, the versions given twice, the sessions sent back.
 */
export function explainByIncompleteLeaders(
  anomalies: readonly Anomaly[],
  events: readonly HistoryEvent[],
  leaders: readonly IncompleteLeader[],
): Anomaly[] {
  if (leaders.length === 0) return [...anomalies];
  const bugs = leaderCompletenessBugs(recordedSettings(events)?.zooKeeperVersion);
  const completions = completionsByIndex(events);
  return anomalies.map((anomaly) => {
    if (anomaly.cause !== undefined) return anomaly;
    const leader = leaders.find((candidate) =>
      anomaly.events.some((index) => {
        const event = completions.get(index);
        const zxid = event === undefined ? undefined : acknowledgedZxid(event);
        return (
          zxid !== undefined &&
          zxid > candidate.lastZxid &&
          (zxid < candidate.epochStart ||
            (candidate.epochReused &&
              (event?.time ?? Number.POSITIVE_INFINITY) <
                candidate.electionTime - EPOCH_REUSE_MARGIN_NS))
        );
      }),
    );
    const cause =
      leader ??
      leaders.find((candidate) => followsFromReusedEpoch(anomaly, candidate, completions));
    return cause === undefined ? anomaly : { ...anomaly, cause: causeOf(cause, bugs) };
  });
}

/** Whether an event is the server's own line, or a status poll that saw it lead. */
function tellsOfLeading(event: HistoryEvent | undefined, server: number): boolean {
  if (event === undefined) return false;
  if (event.process === `server-${server}`) return true;
  const statuses = (event.value as { statuses?: Record<string, { mode?: string }> } | undefined)
    ?.statuses;
  return event.process === "observer" && statuses?.[String(server)]?.mode === "leader";
}

/**
 * Anomalies a leader on a reused epoch explains though they name no lost
 * zxid: the second leader of that epoch (its own election lines), and, when
 * the nemesis destroyed the data, trees that differ after the heal (a server
 * that kept the forgotten transactions is synchronised by a diff of the same
 * epoch, which cannot see them).
 */
function followsFromReusedEpoch(
  anomaly: Anomaly,
  leader: IncompleteLeader,
  byIndex: ReadonlyMap<number, HistoryEvent>,
): boolean {
  if (!leader.epochReused) return false;
  if (anomaly.kind === "two-leaders-one-epoch")
    return anomaly.events.some(
      (index) => index >= leader.electionEvent && tellsOfLeading(byIndex.get(index), leader.server),
    );
  if (anomaly.kind === "divergent-final-state")
    return (
      leader.damagedBefore.length > 0 &&
      anomaly.events.every((index) => index > leader.electionEvent)
    );
  return false;
}

/** Each event's index to the event that completes its operation (an invoke's ok, fail or info; any other event itself). */
function completionsByIndex(events: readonly HistoryEvent[]): Map<number, HistoryEvent> {
  const completions = new Map<number, HistoryEvent>();
  const pending = new Map<number, number>();
  for (const event of events) {
    completions.set(event.index, event);
    if (typeof event.process !== "number") continue;
    if (event.type === "invoke") pending.set(event.process, event.index);
    else {
      const invoke = pending.get(event.process);
      if (invoke !== undefined) completions.set(invoke, event);
      pending.delete(event.process);
    }
  }
  return completions;
}
