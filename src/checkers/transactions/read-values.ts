/**
 * Which write each read saw. A ZooKeeper read names it by the Stat's mzxid:
 * the version committed at that zxid, found by a binary search in the key's
 * versions; only writes that never became a version (failed, of unknown
 * outcome, overwritten within their own multi) are indexed by value, and
 * every value only when a read names something else (an anomaly).
 */
import { formatZxid, type Zxid } from "../../history/event.js";
import { lowerBound } from "../../util/lower-bound.js";
import { entryOf } from "../../util/map-entry.js";
import { txnEvents } from "./cycle.js";
import { isWrite, type Mop, type Txn, txnName, valueId, zxidOf } from "./txn.js";
import {
  type Findings,
  INITIAL,
  type Interval,
  isFinal,
  same,
  type Version,
  versionInterval,
} from "./versions.js";

/** Writes that never became a version of their key, by key and value. */
export class StrayWrites {
  /** Values of failed multis and of multis of unknown outcome. */
  readonly uncommitted = new Map<string, Map<unknown, Txn>>();
  /** Values a multi overwrote within itself. */
  readonly intermediate = new Map<string, Map<unknown, Txn>>();

  constructor(txns: readonly Txn[]) {
    for (const txn of txns) {
      const mops = txn.mops;
      for (let at = 0; at < mops.length; at++) {
        const mop = mops[at] as Mop;
        if (!isWrite(mop) || mop.f === "delete") continue;
        if (txn.type !== "ok")
          entryOf(this.uncommitted, mop.key, () => new Map<unknown, Txn>()).set(
            valueId(mop.value),
            txn,
          );
        if (!isFinal(mops, at))
          entryOf(this.intermediate, mop.key, () => new Map<unknown, Txn>()).set(
            valueId(mop.value),
            txn,
          );
      }
    }
  }
}

/**
 * Commits of unknown outcome that a read proves: it saw their value, at its
 * mzxid. A read naming a different zxid for a commit already known is an
 * incompatible order.
 */
export function resolveUnknownCommits(
  txns: readonly Txn[],
  stray: StrayWrites,
  commits: Map<Txn, Zxid>,
  findings: Findings,
): void {
  if (stray.uncommitted.size === 0) return;
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    for (const mop of txn.mops) {
      if (mop.f !== "r" || mop.value === null || mop.value === undefined || mop.mzxid === undefined)
        continue;
      const writer = stray.uncommitted.get(mop.key)?.get(valueId(mop.value));
      if (writer?.type !== "info") continue;
      const mzxid = zxidOf(mop.mzxid);
      const known = commits.get(writer);
      if (known === undefined) commits.set(writer, mzxid);
      else if (!same(known, mzxid))
        findings.add({
          kind: "incompatible-order",
          message: `${readText(txn, mop)} at zxid ${formatZxid(mzxid)}, but another read put ${txnName(writer)}'s commit at zxid ${formatZxid(known)}`,
          events: txnEvents([writer, txn]),
        });
    }
  }
}

/** A read in words, for anomalies. */
function readText(txn: Txn, mop: Mop): string {
  return `${txnName(txn)} read ${mop.key} = ${JSON.stringify(mop.value)}`;
}

/**
 * The version holding a value at a zxid in a key's versions (sorted), if
 * one was committed there. Two commits at one zxid (a forgotten epoch
 * reused) are told apart by the value.
 */
function versionAt(list: readonly Version[], zxid: Zxid, value: unknown): number | undefined {
  const lo = lowerBound(list.length, (at) => (list[at] as Version).zxid < zxid);
  for (let at = lo; at < list.length && same((list[at] as Version).zxid, zxid); at++)
    if ((list[at] as Version).value === value) return at;
  return undefined;
}

/** Each read's interval of zxid order, from the version it saw; each interval made once. */
export class ReadIntervals {
  private readonly made = new Map<string, (Interval[] | undefined)[]>();
  private readonly absences = new Map<string, Interval[]>();
  /** Every version's position by value, per key: made only for reads without an mzxid. */
  private readonly byValue = new Map<string, Map<unknown, number>>();
  /** Every value's writer: made only when a read names a value no version holds. */
  private everyWriter: Map<string, Map<unknown, Txn>> | undefined;

  constructor(
    private readonly txns: readonly Txn[],
    private readonly versions: Map<string, Version[]>,
    /** Keys a delete of unknown outcome may have emptied at any time. */
    private readonly unresolved: Set<string>,
    private readonly stray: StrayWrites,
    private readonly findings: Findings,
  ) {}

  /** Where one read's result held; undefined when it constrains nothing (after naming what is wrong with it). */
  of(txn: Txn, mop: Mop): Interval[] | undefined {
    const list = this.versions.get(mop.key) ?? INITIAL;
    if (mop.value === null || mop.value === undefined) {
      if (this.unresolved.has(mop.key)) return undefined;
      return entryOf(this.absences, mop.key, () =>
        list.flatMap((version, at) => (version.absent ? [versionInterval(list, at, mop.key)] : [])),
      );
    }
    const at = this.position(txn, mop, list);
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

  /** The position of the version a present read saw. */
  private position(txn: Txn, mop: Mop, list: readonly Version[]): number | undefined {
    const id = valueId(mop.value);
    if (mop.mzxid === undefined) {
      const byValue = entryOf(this.byValue, mop.key, () => {
        const positions = new Map<unknown, number>();
        list.forEach((version, at) => {
          if (!version.absent) positions.set(version.value, at);
        });
        return positions;
      });
      const at = byValue.get(id);
      if (at !== undefined) return at;
    } else {
      const at = versionAt(list, zxidOf(mop.mzxid), id);
      if (at !== undefined) return at;
    }
    this.explain(txn, mop, id);
    return undefined;
  }

  /** Names a read of a value no version holds: aborted, intermediate, at the wrong zxid, or never written. */
  private explain(txn: Txn, mop: Mop, id: unknown): void {
    const uncommitted = this.stray.uncommitted.get(mop.key)?.get(id);
    if (uncommitted?.type === "fail") {
      this.findings.add({
        kind: "G1a",
        message: `aborted read: ${readText(txn, mop)}, written by ${txnName(uncommitted)}, a multi that failed`,
        events: txnEvents([uncommitted, txn]),
      });
      return;
    }
    const intermediate = this.stray.intermediate.get(mop.key)?.get(id);
    if (intermediate !== undefined && intermediate !== txn) {
      this.findings.add({
        kind: "G1b",
        message: `intermediate read: ${readText(txn, mop)}, a value ${txnName(intermediate)} overwrote within itself`,
        events: txnEvents([intermediate, txn]),
      });
      return;
    }
    // An unresolved multi of unknown outcome the read did not place, or a commit elsewhere in zxid order.
    if (uncommitted !== undefined) return;
    const writer = this.writerOf(mop.key, id);
    if (writer === undefined) {
      this.findings.add({
        kind: "garbage-read",
        message: `${readText(txn, mop)}, a value no transaction wrote`,
        events: txnEvents([txn]),
      });
      return;
    }
    if (mop.mzxid !== undefined && writer.zxid !== undefined)
      this.findings.add({
        kind: "incompatible-order",
        message: `${readText(txn, mop)} at zxid ${formatZxid(zxidOf(mop.mzxid))}, but ${txnName(writer)} committed it at zxid ${formatZxid(writer.zxid)}`,
        events: txnEvents([writer, txn]),
      });
  }

  /** Any transaction that wrote the value to the key (every value indexed on first use). */
  private writerOf(key: string, id: unknown): Txn | undefined {
    if (this.everyWriter === undefined) {
      const index = new Map<string, Map<unknown, Txn>>();
      for (const txn of this.txns)
        for (const mop of txn.mops)
          if (isWrite(mop) && mop.f !== "delete")
            entryOf(index, mop.key, () => new Map<unknown, Txn>()).set(valueId(mop.value), txn);
      this.everyWriter = index;
    }
    return this.everyWriter.get(key)?.get(id);
  }
}
