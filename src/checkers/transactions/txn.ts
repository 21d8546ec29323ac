/**
 * Transactions as the transactional checker sees them, from any history:
 * ZooKeeper `multi`s and reads (with the zxids that order them) or Elle's
 * list-append and rw-register operations (without).
 */
import { parseZxid, type Zxid } from "../../history/event.js";

import type { MopFunction } from "../../history/txn-record.js";

export type { MopFunction } from "../../history/txn-record.js";

/** One micro-operation of a transaction. */
export interface Mop {
  readonly f: MopFunction;
  readonly key: string;
  /** Written or read value (null: absent); a list for list-append reads; the version for a check. */
  readonly value: unknown;
  /** For a ZooKeeper read: the zxid of the write whose value it saw (the Stat's mzxid; decimal text as recorded). */
  readonly mzxid?: Zxid | string;
  /** For a committed ZooKeeper setData: the version it made, of the znode created at `czxid`. */
  readonly version?: number;
  readonly czxid?: Zxid | string;
}

/** A transaction: one operation of a history, paired. */
export interface Txn {
  /** The history index (or, imported, the position) of its invocation: how anomalies name it. */
  readonly id: number;
  /** The history index of its completion, when it has one. */
  readonly completion?: number;
  readonly process: string | number;
  /** The ZooKeeper session that ran it: the unit of ZooKeeper's session order. */
  readonly session?: string;
  /** ok: committed; fail: certainly not; info: unknown. */
  readonly type: "ok" | "fail" | "info";
  /** Real-time order of its invocation and completion (Infinity without one). */
  readonly call: number;
  readonly ret: number;
  /** Completed micro-operations (reads carry what they saw). */
  readonly mops: readonly Mop[];
  /** A committed ZooKeeper write's zxid: the commit order. */
  readonly zxid?: Zxid;
  /** A ZooKeeper read after a sync: it must see every write acknowledged before it began. */
  readonly synced?: boolean;
}

/** A mop that changes its key. */
export function isWrite(mop: Mop): boolean {
  return mop.f === "w" || mop.f === "append" || mop.f === "create" || mop.f === "delete";
}

/** A transaction that only reads. */
export function isReadOnly(txn: Txn): boolean {
  for (const mop of txn.mops) if (mop.f !== "r") return false;
  return true;
}

/** A value as a map key without making a string: primitives as they are (6 and "6" stay apart), lists and maps by content. */
export function valueId(value: unknown): unknown {
  return typeof value === "object" && value !== null ? `\u0000${JSON.stringify(value)}` : value;
}

/** A value as a string key: numbers and strings apart ("6" is not 6), lists by content. */
export function valueKey(value: unknown): string {
  return typeof value === "string" ? `s${value}` : `v${JSON.stringify(value)}`;
}

/** Sessions of the final reads (every server's tree after the heal) are named after their server. */
export const FINAL_READ_SESSION = "final-read-";

/** How an anomaly names a transaction in words: T<id> (its history index), and which final read it is. */
export function txnName(txn: Txn): string {
  const finalRead = txn.session?.startsWith(FINAL_READ_SESSION)
    ? ` (the final read of server ${txn.session.slice(FINAL_READ_SESSION.length)})`
    : "";
  return `T${txn.id}${finalRead}`;
}

/** A zxid as recorded (decimal text) or already parsed, as a zxid. */
export function zxidOf(zxid: Zxid | string): Zxid {
  return typeof zxid === "string" ? parseZxid(zxid) : zxid;
}
