/** How the transactions workload records its operations in the history (the transactional checker reads them back). */

/** The history's name of the transactions workload's operation. */
export const TXN_OPERATION = "txn";

/** What a micro-operation does: read, write (set or rw-register write), append, create, delete, version check. */
export type MopFunction = "r" | "w" | "append" | "create" | "delete" | "check";

/** A micro-operation as the workload records it. */
export interface RecordedMop {
  readonly f: MopFunction;
  /** The key's name (a znode under the workload root). */
  readonly key: string;
  /** Written or read value (null: absent); the expected version for a check. */
  readonly value: unknown;
  /** A read's Stat mzxid (decimal), when the key existed. */
  readonly mzxid?: string;
  /** A committed setData's resulting version, and its znode's czxid (decimal): which incarnation it wrote. */
  readonly version?: number;
  readonly czxid?: string;
}

/** What the workload records as a txn operation's value. */
export interface RecordedTxn {
  readonly mops: readonly RecordedMop[];
  /** The read followed a sync. */
  readonly synced?: boolean;
}

/** A recorded txn operation that only reads (a getData or multiRead), from its invocation's value. */
export function isReadOnlyTxn(f: string, value: unknown): boolean {
  const mops = (value as RecordedTxn | undefined)?.mops;
  return f === TXN_OPERATION && mops !== undefined && mops.every((mop) => mop.f === "r");
}
