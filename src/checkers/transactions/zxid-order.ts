/**
 * The transactional check with ZooKeeper's own witness: every committed
 * `multi` has one zxid and zxids are the commit order, so each key's version
 * order is its writes in zxid order, and each read names the write it saw
 * (its Stat's mzxid). What Elle must infer is given; what remains is a walk
 * in zxid order: each read-only transaction must fit one point of that order
 * (else it saw part of a commit, or a mix of old and new), each session's
 * points must never go back, a read after a sync must sit after every write
 * acknowledged before it, and writes must be committed in real-time order.
 * Near-linear: a sort per key and per session, a binary search per read.
 */
import { formatZxid, type Zxid } from "../../history/event.js";
import { lowerBound } from "../../util/lower-bound.js";
import type { Anomaly } from "../verdict.js";
import { type CycleStep, cycleAnomaly, txnEvents } from "./cycle.js";
import { ReadIntervals, resolveUnknownCommits, StrayWrites } from "./read-values.js";
import { isReadOnly, type Txn, txnName } from "./txn.js";
import {
  BEFORE_ALL,
  endedBy,
  Findings,
  firstPoint,
  type Interval,
  intersect,
  same,
  versionOrders,
} from "./versions.js";

/** What the walk found, and how much it looked at. */
export interface ZxidOrderResult {
  readonly anomalies: Anomaly[];
  readonly stats: Record<string, number>;
}

/**
 * The cycle that proves a version ended before a point: the reader, the
 * commit that overwrote what it read, and (through zxid order) the commit or
 * observation at the point.
 */
function staleCycle(
  reader: Txn,
  ended: Interval,
  later: { txn: Txn; edge: "wr" | "process" | "realtime"; key?: string; via?: Txn },
): CycleStep[] {
  const steps: CycleStep[] = [];
  const next = ended.next as Txn;
  steps.push({ from: reader, to: next, edge: "rw", key: ended.key });
  // The point was set by `via` (a commit) and reached the reader from `later.txn`.
  const target = later.via ?? later.txn;
  if (next !== target) steps.push({ from: next, to: target, edge: "zxid" });
  if (later.via !== undefined && later.via !== later.txn)
    steps.push({
      from: later.via,
      to: later.txn,
      edge: "wr",
      ...(later.key ? { key: later.key } : {}),
    });
  steps.push({
    from: later.txn,
    to: reader,
    edge: later.edge,
    ...(later.edge === "wr" && later.key ? { key: later.key } : {}),
  });
  return steps;
}

/** A read-only transaction whose reads fit no single point: the two that disagree. */
function unfitAnomaly(txn: Txn, reads: readonly Interval[][]): Anomaly | undefined {
  for (let i = 0; i < reads.length; i++)
    for (let j = 0; j < reads.length; j++) {
      if (i === j) continue;
      const early = reads[i] as Interval[];
      const late = reads[j] as Interval[];
      if (intersect(early, late).length > 0) continue;
      // `late` holds only after `early` ended: early's version was overwritten before late's was written.
      const seen = late.find((interval) => interval.writer !== undefined);
      if (seen === undefined) continue;
      const ended = endedBy(early, seen.lo);
      if (ended === undefined) continue;
      const steps = staleCycle(txn, ended, {
        txn: seen.writer as Txn,
        edge: "wr",
        key: seen.key,
      });
      if (ended.next === seen.writer)
        return cycleAnomaly(
          steps,
          "fractured-read",
          `${txnName(txn)} saw ${txnName(seen.writer as Txn)}'s write of ${seen.key} but not its write of ${ended.key}: part of one multi`,
        );
      return cycleAnomaly(
        steps,
        undefined,
        `${txnName(txn)} saw ${ended.key} before ${txnName(ended.next as Txn)} and ${seen.key} after ${txnName(seen.writer as Txn)}, which committed later`,
      );
    }
  return undefined;
}

/** What set a session's lowest possible point: a commit of its own, or a read (whose intervals say which commit it saw). */
interface PointSource {
  point: Zxid;
  txn: Txn;
  intervals: readonly Interval[] | undefined;
}

/** The commit a session's point rests on, when a read set it: the writer of the interval whose start it is. */
function pointVia(source: PointSource): { via?: Txn; key?: string } {
  const base = source.intervals?.find(
    (interval) => interval.lo <= source.point && source.point < interval.hi,
  );
  return base?.writer !== undefined && same(base.lo, source.point)
    ? { via: base.writer, key: base.key }
    : {};
}

/** The latest write acknowledged before each moment, by completion order. */
function acknowledgedBefore(commits: Map<Txn, Zxid>) {
  const byRet = [...commits.keys()]
    .filter((txn) => txn.type === "ok")
    .sort((a, b) => a.ret - b.ret);
  // The highest zxid acknowledged up to each position, and its commit.
  const bestZxid: Zxid[] = new Array(byRet.length);
  const bestTxn: Txn[] = new Array(byRet.length);
  byRet.forEach((txn, at) => {
    const zxid = commits.get(txn) as Zxid;
    const previous = at === 0 ? undefined : (bestZxid[at - 1] as Zxid);
    const keep = previous !== undefined && previous >= zxid;
    bestZxid[at] = keep ? previous : zxid;
    bestTxn[at] = keep ? (bestTxn[at - 1] as Txn) : txn;
  });
  return (time: number): { zxid: Zxid; txn: Txn } | undefined => {
    const lo = lowerBound(byRet.length, (at) => (byRet[at] as Txn).ret < time);
    return lo === 0 ? undefined : { zxid: bestZxid[lo - 1] as Zxid, txn: bestTxn[lo - 1] as Txn };
  };
}

/** Checks transactions that carry zxids: Elle's anomalies, found by a walk in zxid order. */
export function checkByZxid(txns: readonly Txn[]): ZxidOrderResult {
  const findings = new Findings();
  const commits = new Map<Txn, Zxid>();
  for (const txn of txns)
    if (txn.type === "ok" && txn.zxid !== undefined && !isReadOnly(txn)) commits.set(txn, txn.zxid);
  const stray = new StrayWrites(txns);
  resolveUnknownCommits(txns, stray, commits, findings);
  const { versions, unresolved } = versionOrders(txns, commits, findings);
  const intervals = new ReadIntervals(txns, versions, unresolved, stray, findings);

  // One walk in invocation order (a session runs one operation at a time): each read's
  // possible points, its session's view, and real time.
  const ordered = txns.every((txn, at) => at === 0 || (txns[at - 1] as Txn).call <= txn.call)
    ? txns
    : [...txns].sort((a, b) => a.call - b.call);
  const before = acknowledgedBefore(commits);
  const sessions = new Map<string, PointSource>();
  let reads = 0;
  for (const txn of ordered) {
    if (txn.type !== "ok" || txn.mops.length === 0) continue;
    if (!isReadOnly(txn)) {
      // An ok write's commit is its reply's zxid (only multis of unknown outcome needed the map).
      const zxid = txn.zxid;
      if (zxid === undefined) continue;
      checkCommitOrder(txn, zxid, before(txn.call), findings);
      if (txn.session !== undefined) sessionCommit(sessions, txn, zxid, findings);
      continue;
    }
    const fit = fitOf(txn, intervals, findings);
    if (fit === undefined) continue;
    reads++;
    if (txn.synced === true) checkSyncedRead(txn, fit, before(txn.call), findings);
    if (txn.session !== undefined) sessionRead(sessions, txn, fit, findings);
  }
  return {
    anomalies: findings.anomalies,
    stats: {
      transactions: txns.length,
      committed: commits.size,
      reads,
      keys: versions.size,
      ...Object.fromEntries(
        Object.entries(findings.counts).map(([kind, n]) => [`anomalies:${kind}`, n]),
      ),
    },
  };
}

/** The points of zxid order where all of a read-only transaction's reads held; undefined when none constrains it, after naming the anomaly when they disagree. */
function fitOf(txn: Txn, reads: ReadIntervals, findings: Findings): Interval[] | undefined {
  let common: Interval[] | undefined;
  let each: Interval[][] | undefined;
  for (const mop of txn.mops) {
    const intervals = reads.of(txn, mop);
    if (intervals === undefined) continue;
    if (common === undefined) {
      common = intervals;
      each = [intervals];
      continue;
    }
    (each as Interval[][]).push(intervals);
    common = intersect(common, intervals);
  }
  if (common === undefined || common.length > 0) return common;
  findings.add(
    unfitAnomaly(txn, each as Interval[][]) ?? {
      kind: "G-single",
      message: `the reads of ${txnName(txn)} fit no single point of the commit order`,
      events: txnEvents([txn]),
    },
  );
  return undefined;
}

/** Session order for a commit: it must come after every point its session saw. */
function sessionCommit(
  sessions: Map<string, PointSource>,
  txn: Txn,
  zxid: Zxid,
  findings: Findings,
): void {
  const session = txn.session as string;
  const source = sessions.get(session);
  if (source === undefined) {
    sessions.set(session, { point: zxid, txn, intervals: undefined });
    return;
  }
  if (source.point >= zxid) sessionWentBack(txn, zxid, source, findings);
  else {
    source.point = zxid;
    source.txn = txn;
    source.intervals = undefined;
  }
}

/** Session order for a read: its view never goes back, and it sees its session's own commits. */
function sessionRead(
  sessions: Map<string, PointSource>,
  txn: Txn,
  intervals: Interval[],
  findings: Findings,
): void {
  const session = txn.session as string;
  const source = sessions.get(session);
  const from = source?.point ?? BEFORE_ALL;
  const point = firstPoint(intervals, from);
  if (point === undefined) {
    const ended = endedBy(intervals, from);
    if (ended === undefined || source === undefined) return;
    const { via, key } = pointVia(source);
    const steps = staleCycle(txn, ended, {
      txn: source.txn,
      edge: "process",
      ...(via ? { via } : {}),
      ...(key ? { key } : {}),
    });
    findings.add(
      cycleAnomaly(
        steps,
        undefined,
        `the session of ${txnName(txn)} went back: it had seen zxid ${formatZxid(source.point)}`,
      ),
    );
    return;
  }
  if (source === undefined) sessions.set(session, { point, txn, intervals });
  else if (point > source.point) {
    source.point = point;
    source.txn = txn;
    source.intervals = intervals;
  }
}

/** A session committed at or below a point it had already seen: the cycle through its own order. */
function sessionWentBack(txn: Txn, zxid: Zxid, source: PointSource, findings: Findings): void {
  const { via, key } = pointVia(source);
  const steps: CycleStep[] = [{ from: source.txn, to: txn, edge: "process" }];
  const target = via ?? source.txn;
  if (target !== txn) steps.push({ from: txn, to: target, edge: "zxid" });
  if (via !== undefined && via !== source.txn)
    steps.push({ from: via, to: source.txn, edge: "wr", ...(key ? { key } : {}) });
  findings.add(
    cycleAnomaly(
      steps,
      undefined,
      `${txnName(txn)} committed at zxid ${formatZxid(zxid)}, yet its session had already seen zxid ${formatZxid(source.point)}`,
    ),
  );
}

/** Real time for a commit: it began after the highest commit acknowledged before, so it must commit after it. */
function checkCommitOrder(
  txn: Txn,
  zxid: Zxid,
  earlier: { zxid: Zxid; txn: Txn } | undefined,
  findings: Findings,
): void {
  if (earlier === undefined || earlier.txn === txn || earlier.zxid < zxid) return;
  findings.add(
    cycleAnomaly(
      [
        { from: earlier.txn, to: txn, edge: "realtime" },
        { from: txn, to: earlier.txn, edge: "zxid" },
      ],
      undefined,
      `${txnName(txn)} began after ${txnName(earlier.txn)} was acknowledged, yet committed earlier (zxid ${formatZxid(zxid)} vs ${formatZxid(earlier.zxid)})`,
    ),
  );
}

/** Real time for a read after a sync: it sees every commit acknowledged before it began. */
function checkSyncedRead(
  txn: Txn,
  intervals: Interval[],
  earlier: { zxid: Zxid; txn: Txn } | undefined,
  findings: Findings,
): void {
  if (earlier === undefined || firstPoint(intervals, earlier.zxid) !== undefined) return;
  const ended = endedBy(intervals, earlier.zxid);
  if (ended === undefined) return;
  const steps = staleCycle(txn, ended, { txn: earlier.txn, edge: "realtime" });
  findings.add(
    cycleAnomaly(
      steps,
      undefined,
      `${txnName(txn)} read after a sync, yet missed ${txnName(earlier.txn)} (zxid ${formatZxid(earlier.zxid)}), acknowledged before it began`,
    ),
  );
}
