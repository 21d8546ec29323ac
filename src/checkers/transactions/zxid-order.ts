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
import { entryOf } from "../../util/map-entry.js";
import type { Anomaly } from "../verdict.js";
import { type CycleStep, cycleAnomaly, txnEvents } from "./cycle.js";
import { isReadOnly, isWrite, type Mop, type Txn, txnName, valueKey } from "./txn.js";

/** A version of a key: from one commit to the next. */
interface Version {
  readonly zxid: Zxid;
  readonly absent: boolean;
  /** The commit that made it (none for the initial absence). */
  readonly writer?: Txn;
}

/** Where a read may sit in zxid order: from its version's commit to the next one. */
interface Interval {
  readonly lo: Zxid;
  readonly hi: Zxid;
  readonly key: string;
  readonly writer?: Txn;
  /** The commit that ended the version (none: still current). */
  readonly next?: Txn;
}

/** Where each write of a value is: its transaction and whether it is that transaction's last write of the key. */
interface WriteRef {
  readonly txn: Txn;
  readonly final: boolean;
}

/** What the walk found, and how much it looked at. */
export interface ZxidOrderResult {
  readonly anomalies: Anomaly[];
  readonly stats: Record<string, number>;
}

const NEVER = Number.POSITIVE_INFINITY;
const BEFORE_ALL = -1;

// Zxids may be bigints: Math.max and Math.min do not take them.
const max = (a: Zxid, b: Zxid): Zxid => (a > b ? a : b);
const min = (a: Zxid, b: Zxid): Zxid => (a < b ? a : b);
const byZxid = (a: { zxid: Zxid }, b: { zxid: Zxid }) =>
  a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0;
const same = (a: Zxid, b: Zxid): boolean => !(a < b) && !(b < a);

/** Anomalies collected by kind, each kind capped (the count stays exact). */
class Findings {
  readonly anomalies: Anomaly[] = [];
  readonly counts: Record<string, number> = {};

  constructor(private readonly cap = 50) {}

  add(anomaly: Anomaly): void {
    const count = (this.counts[anomaly.kind] ?? 0) + 1;
    this.counts[anomaly.kind] = count;
    if (count <= this.cap) this.anomalies.push(anomaly);
  }
}

/** Every value written, by key: who wrote it and whether a later write of the same transaction replaced it. */
function indexWrites(txns: readonly Txn[]): Map<string, Map<string, WriteRef>> {
  const index = new Map<string, Map<string, WriteRef>>();
  for (const txn of txns) {
    const last = new Map<string, number>();
    txn.mops.forEach((mop, at) => {
      if (isWrite(mop)) last.set(mop.key, at);
    });
    txn.mops.forEach((mop, at) => {
      if (!isWrite(mop) || mop.f === "delete") return;
      entryOf(index, mop.key, () => new Map<string, WriteRef>()).set(valueKey(mop.value), {
        txn,
        final: last.get(mop.key) === at,
      });
    });
  }
  return index;
}

/** Reads of present values: the writer each names, with the anomalies of the value itself. */
function resolveReads(
  txns: readonly Txn[],
  writes: Map<string, Map<string, WriteRef>>,
  commits: Map<Txn, Zxid>,
  findings: Findings,
): void {
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const mop of txn.mops) {
      if (mop.f !== "r" || mop.value === null || mop.value === undefined) continue;
      const ref = writes.get(mop.key)?.get(valueKey(mop.value));
      const read = `${txnName(txn)} read ${mop.key} = ${JSON.stringify(mop.value)}`;
      if (ref === undefined) {
        findings.add({
          kind: "garbage-read",
          message: `${read}, a value no transaction wrote`,
          events: txnEvents([txn]),
        });
        continue;
      }
      if (ref.txn.type === "fail") {
        findings.add({
          kind: "G1a",
          message: `aborted read: ${read}, written by ${txnName(ref.txn)}, a multi that failed`,
          events: txnEvents([ref.txn, txn]),
        });
        continue;
      }
      if (!ref.final && ref.txn !== txn) {
        findings.add({
          kind: "G1b",
          message: `intermediate read: ${read}, a value ${txnName(ref.txn)} overwrote within itself`,
          events: txnEvents([ref.txn, txn]),
        });
      }
      if (mop.mzxid === undefined) continue;
      const known = commits.get(ref.txn);
      if (known === undefined && ref.txn.type === "info") commits.set(ref.txn, mop.mzxid);
      else if (known !== undefined && !same(known, mop.mzxid)) {
        findings.add({
          kind: "incompatible-order",
          message: `${read} at zxid ${formatZxid(mop.mzxid)}, but ${txnName(ref.txn)} committed it at zxid ${formatZxid(known)}`,
          events: txnEvents([ref.txn, txn]),
        });
      }
    }
  }
}

/** Each key's versions in zxid order, from the initial absence; and the writers of unknown outcome never seen. */
function versionOrders(
  txns: readonly Txn[],
  commits: Map<Txn, Zxid>,
  findings: Findings,
): { versions: Map<string, Version[]>; unresolved: Set<string> } {
  const versions = new Map<string, Version[]>();
  const unresolved = new Set<string>();
  for (const txn of txns) {
    const zxid = commits.get(txn);
    const finals = new Map<string, Mop>();
    for (const mop of txn.mops) if (isWrite(mop)) finals.set(mop.key, mop);
    for (const [key, mop] of finals) {
      if (zxid === undefined) {
        if (txn.type === "info") unresolved.add(key);
        continue;
      }
      entryOf(versions, key, (): Version[] => [{ zxid: BEFORE_ALL, absent: true }]).push({
        zxid,
        absent: mop.f === "delete",
        writer: txn,
      });
    }
  }
  for (const [key, list] of versions) {
    list.sort(byZxid);
    for (let at = 1; at < list.length; at++) {
      const before = list[at - 1] as Version;
      const version = list[at] as Version;
      if (
        before.writer !== undefined &&
        before.writer !== version.writer &&
        same(before.zxid, version.zxid)
      )
        findings.add({
          kind: "incompatible-order",
          message: `${txnName(before.writer)} and ${txnName(version.writer as Txn)} both committed ${key} at zxid ${formatZxid(version.zxid)}`,
          events: txnEvents([before.writer, version.writer as Txn]),
        });
    }
  }
  return { versions, unresolved };
}

/** The intervals of zxid order where one read's result held; undefined when it constrains nothing. */
function readIntervals(
  mop: Mop,
  versions: Map<string, Version[]>,
  positions: Map<string, Map<Txn, number>>,
  unresolved: Set<string>,
  writes: Map<string, Map<string, WriteRef>>,
  absences: Map<string, Interval[]>,
): Interval[] | undefined {
  const list = versions.get(mop.key) ?? [{ zxid: BEFORE_ALL, absent: true }];
  const interval = (at: number): Interval => {
    const version = list[at] as Version;
    const next = list[at + 1];
    return {
      lo: version.zxid,
      hi: next?.zxid ?? NEVER,
      key: mop.key,
      ...(version.writer ? { writer: version.writer } : {}),
      ...(next?.writer ? { next: next.writer } : {}),
    };
  };
  if (mop.value === null || mop.value === undefined) {
    // A delete of unknown outcome may explain any absence.
    if (unresolved.has(mop.key)) return undefined;
    return entryOf(absences, mop.key, () =>
      list.flatMap((version, at) => (version.absent ? [interval(at)] : [])),
    );
  }
  const writer = writes.get(mop.key)?.get(valueKey(mop.value))?.txn;
  const at = writer === undefined ? undefined : positions.get(mop.key)?.get(writer);
  return at === undefined ? undefined : [interval(at)];
}

/** Intervals common to two sets (each sorted, disjoint). */
function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a)
    for (const y of b) {
      const lo = max(x.lo, y.lo);
      const hi = min(x.hi, y.hi);
      if (lo < hi) out.push({ ...(x.lo >= y.lo ? x : y), lo, hi });
    }
  return out.sort((p, q) => (p.lo < q.lo ? -1 : 1));
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

/** The last interval ending at or before a point (the version a stale read saw), if any. */
function endedBy(intervals: readonly Interval[], point: Zxid): Interval | undefined {
  let found: Interval | undefined;
  for (const interval of intervals) if (interval.hi <= point && interval.next) found = interval;
  return found;
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

/** The first point of the intervals at or after `from`, if any. */
function firstPoint(intervals: readonly Interval[], from: Zxid): Zxid | undefined {
  for (const interval of intervals) if (interval.hi > from) return max(interval.lo, from);
  return undefined;
}

/** What set a session's lowest possible point: a commit of its own, or a commit one of its reads saw. */
interface PointSource {
  readonly point: Zxid;
  readonly txn: Txn;
  /** The commit whose zxid the point is, when `txn` is a read that saw it. */
  readonly via?: Txn;
  readonly key?: string;
}

/** The commit a read's point rests on: the writer of the interval whose start it is. */
function pointSource(txn: Txn, intervals: readonly Interval[], point: Zxid): PointSource {
  const base = intervals.find((interval) => interval.lo <= point && point < interval.hi);
  return base?.writer !== undefined && same(base.lo, point)
    ? { point, txn, via: base.writer, key: base.key }
    : { point, txn };
}

/** The latest write acknowledged before each moment, by completion order. */
function acknowledgedBefore(writes: readonly Txn[], commits: Map<Txn, Zxid>) {
  const byRet = writes.filter((txn) => txn.type === "ok").sort((a, b) => a.ret - b.ret);
  const best: { zxid: Zxid; txn: Txn }[] = [];
  for (const txn of byRet) {
    const zxid = commits.get(txn) as Zxid;
    const previous = best[best.length - 1];
    best.push(previous !== undefined && previous.zxid >= zxid ? previous : { zxid, txn });
  }
  return (time: number): { zxid: Zxid; txn: Txn } | undefined => {
    let lo = 0;
    let hi = byRet.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((byRet[mid] as Txn).ret < time) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : best[lo - 1];
  };
}

/** Checks transactions that carry zxids: Elle's anomalies, found by a walk in zxid order. */
export function checkByZxid(txns: readonly Txn[]): ZxidOrderResult {
  const findings = new Findings();
  const writes = indexWrites(txns);
  const commits = new Map<Txn, Zxid>();
  for (const txn of txns)
    if (txn.type === "ok" && txn.zxid !== undefined && txn.mops.some(isWrite))
      commits.set(txn, txn.zxid);
  resolveReads(txns, writes, commits, findings);
  const { versions, unresolved } = versionOrders(txns, commits, findings);
  const positions = new Map<string, Map<Txn, number>>();
  for (const [key, list] of versions) {
    const byWriter = new Map<Txn, number>();
    list.forEach((version, at) => {
      if (version.writer) byWriter.set(version.writer, at);
    });
    positions.set(key, byWriter);
  }
  checkLostUpdates(txns, commits, findings);

  // Each read-only transaction's possible points.
  const fits = new Map<Txn, Interval[]>();
  const absences = new Map<string, Interval[]>();
  for (const txn of txns) {
    if (txn.type !== "ok" || !isReadOnly(txn) || txn.mops.length === 0) continue;
    const reads = txn.mops
      .map((mop) => readIntervals(mop, versions, positions, unresolved, writes, absences))
      .filter((intervals): intervals is Interval[] => intervals !== undefined);
    if (reads.length === 0) continue;
    const common = reads.reduce((a, b) => intersect(a, b));
    if (common.length > 0) fits.set(txn, common);
    else {
      const anomaly = unfitAnomaly(txn, reads);
      findings.add(
        anomaly ?? {
          kind: "G-single",
          message: `the reads of ${txnName(txn)} fit no single point of the commit order`,
          events: txnEvents([txn]),
        },
      );
    }
  }
  checkSessions(txns, commits, fits, findings);
  checkRealTime(commits, fits, findings);
  return {
    anomalies: findings.anomalies,
    stats: {
      transactions: txns.length,
      committed: commits.size,
      reads: fits.size,
      keys: versions.size,
      ...Object.fromEntries(
        Object.entries(findings.counts).map(([kind, n]) => [`anomalies:${kind}`, n]),
      ),
    },
  };
}

/**
 * Two commits that made the same version of the same znode (its czxid names
 * which creation): each overwrote a version the other had not seen, so one
 * update was lost. ZooKeeper's version check exists to prevent exactly this.
 */
function checkLostUpdates(txns: readonly Txn[], commits: Map<Txn, Zxid>, findings: Findings): void {
  const made = new Map<string, Txn>();
  for (const txn of txns) {
    if (!commits.has(txn)) continue;
    for (const mop of txn.mops) {
      if (mop.f !== "w" || mop.version === undefined || mop.czxid === undefined) continue;
      const slot = `${mop.key}\u0000${String(mop.czxid)}\u0000${mop.version}`;
      const first = made.get(slot);
      if (first === undefined) made.set(slot, txn);
      else if (first !== txn)
        findings.add({
          kind: "lost-update",
          message: `${txnName(first)} and ${txnName(txn)} both made version ${mop.version} of ${mop.key} (created at zxid ${formatZxid(mop.czxid)}): one overwrote the other unseen`,
          events: txnEvents([first, txn]),
        });
    }
  }
}

/** Session order: a session's view never goes back, and it sees its own commits. */
function checkSessions(
  txns: readonly Txn[],
  commits: Map<Txn, Zxid>,
  fits: Map<Txn, Interval[]>,
  findings: Findings,
): void {
  const sessions = new Map<string, Txn[]>();
  for (const txn of txns) {
    if (txn.type !== "ok" || txn.session === undefined) continue;
    if (!commits.has(txn) && !fits.has(txn)) continue;
    const list = sessions.get(txn.session) ?? [];
    list.push(txn);
    sessions.set(txn.session, list);
  }
  for (const list of sessions.values()) {
    list.sort((a, b) => a.call - b.call);
    let source: PointSource | undefined;
    for (const txn of list) {
      const zxid = commits.get(txn);
      if (zxid !== undefined) {
        if (source !== undefined && source.point >= zxid) {
          const steps: CycleStep[] = [{ from: source.txn, to: txn, edge: "process" }];
          const target = source.via ?? source.txn;
          if (target !== txn) steps.push({ from: txn, to: target, edge: "zxid" });
          if (source.via !== undefined && source.via !== source.txn)
            steps.push({
              from: source.via,
              to: source.txn,
              edge: "wr",
              ...(source.key ? { key: source.key } : {}),
            });
          findings.add(
            cycleAnomaly(
              steps,
              undefined,
              `${txnName(txn)} committed at zxid ${formatZxid(zxid)}, yet its session had already seen zxid ${formatZxid(source.point)}`,
            ),
          );
        }
        if (source === undefined || zxid > source.point) source = { point: zxid, txn };
        continue;
      }
      const intervals = fits.get(txn) as Interval[];
      const from = source?.point ?? BEFORE_ALL;
      const point = firstPoint(intervals, from);
      if (point === undefined) {
        const ended = endedBy(intervals, from) as Interval | undefined;
        if (ended !== undefined && source !== undefined) {
          const steps = staleCycle(txn, ended, {
            txn: source.txn,
            edge: "process",
            ...(source.via ? { via: source.via } : {}),
            ...(source.key ? { key: source.key } : {}),
          });
          findings.add(
            cycleAnomaly(
              steps,
              undefined,
              `the session of ${txnName(txn)} went back: it had seen zxid ${formatZxid(source.point)}`,
            ),
          );
        }
        continue;
      }
      if (source === undefined || point > source.point) source = pointSource(txn, intervals, point);
    }
  }
}

/** Real time: commits in the order they were acknowledged, and a read after a sync sees what was acknowledged before it. */
function checkRealTime(
  commits: Map<Txn, Zxid>,
  fits: Map<Txn, Interval[]>,
  findings: Findings,
): void {
  const before = acknowledgedBefore([...commits.keys()], commits);
  for (const [txn, zxid] of commits) {
    const earlier = before(txn.call);
    if (earlier !== undefined && earlier.txn !== txn && earlier.zxid >= zxid)
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
  for (const [txn, intervals] of fits) {
    if (txn.synced !== true) continue;
    const earlier = before(txn.call);
    if (earlier === undefined || firstPoint(intervals, earlier.zxid) !== undefined) continue;
    const ended = endedBy(intervals, earlier.zxid);
    if (ended === undefined) continue;
    const steps = staleCycle(txn, ended, { txn: earlier.txn, edge: "realtime" });
    findings.add(
      cycleAnomaly(
        steps,
        undefined,
        `${txnName(txn)} read after a sync, yet missed ${txnName(earlier.txn)} (zxid ${formatZxid(earlier.zxid)}), acknowledged before it began`,
      ),
    );
  }
}
