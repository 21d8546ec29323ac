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
import { isReadOnly, isWrite, type Mop, type Txn, txnName, valueId, zxidOf } from "./txn.js";

/** A version of a key: from one commit to the next. */
interface Version {
  readonly zxid: Zxid;
  readonly absent: boolean;
  /** What it holds (as a map key), when present. */
  readonly value?: unknown;
  /** The znode version its setData made, and the znode's czxid (which creation), when recorded. */
  readonly made?: number;
  readonly czxid?: Zxid;
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

/** True when no later mop of the transaction writes the same key: the value it left. */
function isFinal(mops: readonly Mop[], at: number): boolean {
  const key = (mops[at] as Mop).key;
  for (let later = at + 1; later < mops.length; later++) {
    const mop = mops[later] as Mop;
    if (mop.key === key && isWrite(mop)) return false;
  }
  return true;
}

/** Every value written, by key: who wrote it, and the values a later write of the same transaction replaced. */
class WriteIndex {
  private readonly writers = new Map<string, Map<unknown, Txn>>();
  private readonly intermediates = new Map<string, Set<unknown>>();

  constructor(txns: readonly Txn[]) {
    for (const txn of txns) {
      const mops = txn.mops;
      for (let at = 0; at < mops.length; at++) {
        const mop = mops[at] as Mop;
        if (!isWrite(mop) || mop.f === "delete") continue;
        const id = valueId(mop.value);
        entryOf(this.writers, mop.key, () => new Map<unknown, Txn>()).set(id, txn);
        if (!isFinal(mops, at)) entryOf(this.intermediates, mop.key, () => new Set()).add(id);
      }
    }
  }

  /** The transaction that wrote a value to a key, if any did. */
  writer(key: string, value: unknown): Txn | undefined {
    return this.writers.get(key)?.get(valueId(value));
  }

  /** True when the value was overwritten within the transaction that wrote it. */
  intermediate(key: string, value: unknown): boolean {
    return this.intermediates.get(key)?.has(valueId(value)) === true;
  }
}

/** Reads of present values: the writer each names, with the anomalies of the value itself. */
function resolveReads(
  txns: readonly Txn[],
  writes: WriteIndex,
  commits: Map<Txn, Zxid>,
  findings: Findings,
): void {
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const mop of txn.mops) {
      if (mop.f !== "r" || mop.value === null || mop.value === undefined) continue;
      const writer = writes.writer(mop.key, mop.value);
      // Words only for anomalies: a million reads make none.
      const read = () => `${txnName(txn)} read ${mop.key} = ${JSON.stringify(mop.value)}`;
      if (writer === undefined) {
        findings.add({
          kind: "garbage-read",
          message: `${read()}, a value no transaction wrote`,
          events: txnEvents([txn]),
        });
        continue;
      }
      if (writer.type === "fail") {
        findings.add({
          kind: "G1a",
          message: `aborted read: ${read()}, written by ${txnName(writer)}, a multi that failed`,
          events: txnEvents([writer, txn]),
        });
        continue;
      }
      if (writer !== txn && writes.intermediate(mop.key, mop.value)) {
        findings.add({
          kind: "G1b",
          message: `intermediate read: ${read()}, a value ${txnName(writer)} overwrote within itself`,
          events: txnEvents([writer, txn]),
        });
      }
      if (mop.mzxid === undefined) continue;
      const mzxid = zxidOf(mop.mzxid);
      const known = commits.get(writer);
      if (known === undefined && writer.type === "info") commits.set(writer, mzxid);
      else if (known !== undefined && !same(known, mzxid)) {
        findings.add({
          kind: "incompatible-order",
          message: `${read()} at zxid ${formatZxid(mzxid)}, but ${txnName(writer)} committed it at zxid ${formatZxid(known)}`,
          events: txnEvents([writer, txn]),
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
    const mops = txn.mops;
    for (let at = 0; at < mops.length; at++) {
      const mop = mops[at] as Mop;
      if (!isWrite(mop) || !isFinal(mops, at)) continue;
      const key = mop.key;
      if (zxid === undefined) {
        if (txn.type === "info") unresolved.add(key);
        continue;
      }
      entryOf(versions, key, (): Version[] => [{ zxid: BEFORE_ALL, absent: true }]).push({
        zxid,
        absent: mop.f === "delete",
        writer: txn,
        value: mop.f === "delete" ? undefined : valueId(mop.value),
        made: mop.version,
        czxid: mop.czxid === undefined ? undefined : zxidOf(mop.czxid),
      });
    }
  }
  for (const [key, list] of versions) {
    list.sort(byZxid);
    checkLostUpdates(key, list, findings);
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

/** The interval of a key's version at `at`: from its commit to the next. */
function versionInterval(list: readonly Version[], at: number, key: string): Interval {
  const version = list[at] as Version;
  const next = list[at + 1];
  return {
    lo: version.zxid,
    hi: next?.zxid ?? NEVER,
    key,
    writer: version.writer,
    next: next?.writer,
  };
}

/** Each key's versions with where each value sits, and the intervals made so far (each made once). */
class VersionIndex {
  private readonly positions = new Map<string, Map<unknown, number>>();
  private readonly made = new Map<string, (Interval[] | undefined)[]>();
  private readonly absences = new Map<string, Interval[]>();

  constructor(
    readonly versions: Map<string, Version[]>,
    private readonly unresolved: Set<string>,
  ) {
    for (const [key, list] of versions) {
      const byValue = new Map<unknown, number>();
      list.forEach((version, at) => {
        if (!version.absent) byValue.set(version.value, at);
      });
      this.positions.set(key, byValue);
    }
  }

  /** The intervals of zxid order where one read's result held; undefined when it constrains nothing. */
  intervalsOf(mop: Mop): Interval[] | undefined {
    const list = this.versions.get(mop.key) ?? INITIAL;
    if (mop.value === null || mop.value === undefined) {
      // A delete of unknown outcome may explain any absence.
      if (this.unresolved.has(mop.key)) return undefined;
      return entryOf(this.absences, mop.key, () =>
        list.flatMap((version, at) => (version.absent ? [versionInterval(list, at, mop.key)] : [])),
      );
    }
    const at = this.positions.get(mop.key)?.get(valueId(mop.value));
    if (at === undefined) return undefined;
    const cached = entryOf(
      this.made,
      mop.key,
      () => new Array<Interval[] | undefined>(list.length),
    );
    let found = cached[at];
    if (found === undefined) {
      found = [versionInterval(list, at, mop.key)];
      cached[at] = found;
    }
    return found;
  }
}

/** A key no commit wrote: absent throughout. */
const INITIAL: readonly Version[] = [{ zxid: BEFORE_ALL, absent: true }];

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
    let lo = 0;
    let hi = byRet.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((byRet[mid] as Txn).ret < time) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : { zxid: bestZxid[lo - 1] as Zxid, txn: bestTxn[lo - 1] as Txn };
  };
}

/** Checks transactions that carry zxids: Elle's anomalies, found by a walk in zxid order. */
export function checkByZxid(txns: readonly Txn[]): ZxidOrderResult {
  const findings = new Findings();
  const writes = new WriteIndex(txns);
  const commits = new Map<Txn, Zxid>();
  for (const txn of txns)
    if (txn.type === "ok" && txn.zxid !== undefined && !isReadOnly(txn)) commits.set(txn, txn.zxid);
  resolveReads(txns, writes, commits, findings);
  const { versions, unresolved } = versionOrders(txns, commits, findings);
  const index = new VersionIndex(versions, unresolved);

  // One walk in invocation order (a session runs one operation at a time): each read's
  // possible points, its session's view, and real time.
  const ordered = txns.every((txn, at) => at === 0 || (txns[at - 1] as Txn).call <= txn.call)
    ? txns
    : [...txns].sort((a, b) => a.call - b.call);
  const before = acknowledgedBefore(commits);
  const sessions = new Map<string, PointSource>();
  let reads = 0;
  for (const txn of ordered) {
    if (txn.type !== "ok") continue;
    const zxid = commits.get(txn);
    if (zxid !== undefined) {
      checkCommitOrder(txn, zxid, before(txn.call), findings);
      if (txn.session !== undefined) sessionCommit(sessions, txn, zxid, findings);
      continue;
    }
    if (txn.mops.length === 0 || !isReadOnly(txn)) continue;
    const fit = fitOf(txn, index, findings);
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

/**
 * Versions of one znode (one czxid: one creation) only grow in zxid order.
 * A commit that made a version an earlier commit had already made (or an
 * older one) overwrote what it had not seen: a lost update, which ZooKeeper's
 * version check exists to prevent.
 */
function checkLostUpdates(key: string, list: readonly Version[], findings: Findings): void {
  let czxid: Zxid | undefined;
  let highest: Version | undefined;
  for (const version of list) {
    if (version.made === undefined || version.czxid === undefined) continue;
    if (czxid === undefined || !same(czxid, version.czxid)) {
      czxid = version.czxid;
      highest = version;
      continue;
    }
    if (highest !== undefined && (version.made as number) <= (highest.made as number)) {
      const first =
        list.find(
          (other) =>
            other.made === version.made &&
            other.czxid !== undefined &&
            same(other.czxid, czxid as Zxid),
        ) ?? highest;
      findings.add({
        kind: "lost-update",
        message: `${txnName(first.writer as Txn)} and ${txnName(version.writer as Txn)} both made version ${version.made} of ${key} (created at zxid ${formatZxid(czxid)}): one overwrote the other unseen`,
        events: txnEvents([first.writer as Txn, version.writer as Txn]),
      });
    } else highest = version;
  }
}

/** The points of zxid order where all of a read-only transaction's reads held; undefined when none constrains it, after naming the anomaly when they disagree. */
function fitOf(txn: Txn, index: VersionIndex, findings: Findings): Interval[] | undefined {
  let common: Interval[] | undefined;
  let reads: Interval[][] | undefined;
  for (const mop of txn.mops) {
    const intervals = index.intervalsOf(mop);
    if (intervals === undefined) continue;
    if (common === undefined) {
      common = intervals;
      reads = [intervals];
      continue;
    }
    (reads as Interval[][]).push(intervals);
    common = intersect(common, intervals);
  }
  if (common === undefined || common.length > 0) return common;
  findings.add(
    unfitAnomaly(txn, reads as Interval[][]) ?? {
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
