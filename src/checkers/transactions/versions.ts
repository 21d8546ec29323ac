/**
 * Each key's versions in zxid order (ZooKeeper commits every multi at one
 * zxid, and zxids are the commit order), the interval of zxid order each
 * version held for, and the lost updates that order shows.
 */
import { formatZxid, type Zxid } from "../../history/event.js";
import { entryOf } from "../../util/map-entry.js";
import type { Anomaly } from "../verdict.js";
import { txnEvents } from "./cycle.js";
import { isWrite, type Mop, type Txn, txnName, valueId, zxidOf } from "./txn.js";

/** A version of a key: from one commit to the next. */
export interface Version {
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
export interface Interval {
  readonly lo: Zxid;
  readonly hi: Zxid;
  readonly key: string;
  readonly writer?: Txn;
  /** The commit that ended the version (none: still current). */
  readonly next?: Txn;
}

export const NEVER = Number.POSITIVE_INFINITY;
export const BEFORE_ALL = -1;

// Zxids may be bigints: Math.max and Math.min do not take them.
export const max = (a: Zxid, b: Zxid): Zxid => (a > b ? a : b);
export const min = (a: Zxid, b: Zxid): Zxid => (a < b ? a : b);
export const byZxid = (a: { zxid: Zxid }, b: { zxid: Zxid }) =>
  a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0;
export const same = (a: Zxid, b: Zxid): boolean => !(a < b) && !(b < a);

/** Anomalies collected by kind, each kind capped (the count stays exact). */
export class Findings {
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
export function isFinal(mops: readonly Mop[], at: number): boolean {
  const key = (mops[at] as Mop).key;
  for (let later = at + 1; later < mops.length; later++) {
    const mop = mops[later] as Mop;
    if (mop.key === key && isWrite(mop)) return false;
  }
  return true;
}

/** Each key's versions in zxid order, from the initial absence; and the writers of unknown outcome never seen. */
export function versionOrders(
  txns: readonly Txn[],
  commits: Map<Txn, Zxid>,
  findings: Findings,
): { versions: Map<string, Version[]>; unresolved: Set<string> } {
  const versions = new Map<string, Version[]>();
  const unresolved = new Set<string>();
  // Multis no read placed (of unknown outcome, or committed with no zxid in their reply):
  // their keys may have changed at any time.
  for (const txn of txns) {
    if (txn.type === "fail" || commits.has(txn)) continue;
    for (const mop of txn.mops) if (isWrite(mop)) unresolved.add(mop.key);
  }
  for (const [txn, zxid] of commits) {
    const mops = txn.mops;
    for (let at = 0; at < mops.length; at++) {
      const mop = mops[at] as Mop;
      if (!isWrite(mop) || !isFinal(mops, at)) continue;
      const key = mop.key;
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

/**
 * Versions of one znode (one czxid: one creation) only grow in zxid order.
 * A commit that made a version an earlier commit had already made (or an
 * older one) overwrote what it had not seen: a lost update, which ZooKeeper's
 * version check exists to prevent.
 */
export function checkLostUpdates(key: string, list: readonly Version[], findings: Findings): void {
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
      // The commit that made the same version before, else the one that made a later one:
      // never the version itself, whose own events prove nothing of what it overwrote.
      const first =
        list.find(
          (other) =>
            other !== version &&
            other.made === version.made &&
            other.czxid !== undefined &&
            same(other.czxid, czxid as Zxid),
        ) ?? highest;
      const writer = txnName(version.writer as Txn);
      const what =
        first.made === version.made
          ? `${txnName(first.writer as Txn)} and ${writer} both made version ${version.made} of ${key}`
          : `${txnName(first.writer as Txn)} made version ${first.made} of ${key}, then ${writer} made version ${version.made}`;
      findings.add({
        kind: "lost-update",
        message: `${what} (created at zxid ${formatZxid(czxid)}): one overwrote the other unseen`,
        events: txnEvents([first.writer as Txn, version.writer as Txn]),
      });
    } else highest = version;
  }
}

/** The interval of a key's version at `at`: from its commit to the next. */
export function versionInterval(list: readonly Version[], at: number, key: string): Interval {
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

/** A key no commit wrote: absent throughout. */
export const INITIAL: readonly Version[] = [{ zxid: BEFORE_ALL, absent: true }];

/** Intervals common to two sets (each sorted, disjoint). */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a)
    for (const y of b) {
      const lo = max(x.lo, y.lo);
      const hi = min(x.hi, y.hi);
      if (lo < hi) out.push({ ...(x.lo >= y.lo ? x : y), lo, hi });
    }
  return out.sort((p, q) => (p.lo < q.lo ? -1 : 1));
}

/** The last interval ending at or before a point (the version a stale read saw), if any. */
export function endedBy(intervals: readonly Interval[], point: Zxid): Interval | undefined {
  let found: Interval | undefined;
  for (const interval of intervals) if (interval.hi <= point && interval.next) found = interval;
  return found;
}

/** The first point of the intervals at or after `from`, if any. */
export function firstPoint(intervals: readonly Interval[], from: Zxid): Zxid | undefined {
  for (const interval of intervals) if (interval.hi > from) return max(interval.lo, from);
  return undefined;
}
