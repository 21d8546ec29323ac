/**
 * The register workload's operations as columns, read from the paired ops in
 * one pass: a million ops are objects scattered over a large heap, and every
 * check that chased `op.completion.stat` for itself paid a cache miss per
 * field per pass. The checks (register-checks.ts) then loop over dense arrays.
 */
import { parseZxid, type Zxid } from "../../history/event.js";
import { type PairedOp, readValue, registerKey, writtenValue } from "./operations.js";
import { registerLinOp } from "./register-history.js";
import { type RegisterOpColumns, RegisterOpColumnsBuilder } from "./register-op-columns.js";

/**
 * What the acknowledged register operations showed, one row per observation:
 * the writes first, then the reads, each in invocation order.
 */
export interface RegisterObservations {
  readonly count: number;
  /** Rows below this are writes (and cas), the rest reads. */
  readonly writes: number;
  readonly op: readonly PairedOp[];
  readonly key: Float64Array;
  /** The value written or read; NaN for a read of an empty register (null). */
  readonly value: Float64Array;
  readonly version: Float64Array;
  readonly mzxid: readonly Zxid[];
  /** Completion time (ns). */
  readonly time: Float64Array;
  readonly invokeTime: Float64Array;
  /** The invocation's index: the order of the ops, which breaks ties of time. */
  readonly invokeIndex: Float64Array;
  /** The session that saw it, as a number (its id, or its worker where none was recorded). */
  readonly session: Int32Array;
  readonly sessionNames: readonly string[];
  /** 1 for a read that followed a sync. */
  readonly synced: Uint8Array;
}

/** What every register operation (acknowledged or not) says about writes. */
export interface RegisterWrites {
  /** Per register, the writes that could have happened (all but failed ones). */
  readonly possible: ReadonlyMap<number, number>;
  /** Per register, the values those writes wrote. */
  readonly written: ReadonlyMap<number, ReadonlySet<number>>;
  /** Writes that ended unknown: their register and the value they wrote, if any. */
  readonly indeterminate: readonly { key: number; value: number | undefined }[];
}

/** A value of a row as the history had it (null for NaN). */
export const observedValue = (observations: RegisterObservations, row: number): number | null => {
  const value = observations.value[row] as number;
  return Number.isNaN(value) ? null : value;
};

/** Grows a set of values per register. */
function addWritten(written: Map<number, Set<number>>, key: number, value: number): void {
  let values = written.get(key);
  if (values === undefined) {
    values = new Set();
    written.set(key, values);
  }
  values.add(value);
}

/** Observation rows as they are read, in op order; writesFirst() gives the checks' layout. */
class ObservationRows {
  private count = 0;
  private readonly op: PairedOp[] = [];
  private readonly key: Float64Array;
  private readonly value: Float64Array;
  private readonly version: Float64Array;
  private readonly mzxid: Zxid[] = [];
  private readonly time: Float64Array;
  private readonly invokeTime: Float64Array;
  private readonly invokeIndex: Float64Array;
  private readonly session: Int32Array;
  private readonly sessionNames: string[] = [];
  private readonly sessionIds = new Map<string, number>();
  private readonly synced: Uint8Array;
  private readonly read: Uint8Array;

  constructor(capacity: number) {
    this.key = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
    this.version = new Float64Array(capacity);
    this.time = new Float64Array(capacity);
    this.invokeTime = new Float64Array(capacity);
    this.invokeIndex = new Float64Array(capacity);
    this.session = new Int32Array(capacity);
    this.synced = new Uint8Array(capacity);
    this.read = new Uint8Array(capacity);
  }

  /** Adds an acknowledged op with a stat and the value it wrote or read. */
  add(op: PairedOp, key: number, value: number | null, isRead: boolean): void {
    const row = this.count++;
    const completion = op.completion as NonNullable<PairedOp["completion"]>;
    const stat = completion.stat as NonNullable<typeof completion.stat>;
    const session = completion.session ?? String(op.invoke.process);
    let id = this.sessionIds.get(session);
    if (id === undefined) {
      id = this.sessionNames.length;
      this.sessionIds.set(session, id);
      this.sessionNames.push(session);
    }
    this.op.push(op);
    this.key[row] = key;
    this.value[row] = value ?? Number.NaN;
    this.version[row] = stat.version;
    this.mzxid.push(parseZxid(stat.mzxid));
    this.time[row] = completion.time;
    this.invokeTime[row] = op.invoke.time;
    this.invokeIndex[row] = op.invoke.index;
    this.session[row] = id;
    this.synced[row] = (op.invoke.value as { synced?: boolean }).synced === true ? 1 : 0;
    this.read[row] = isRead ? 1 : 0;
  }

  /** The rows with the writes first, then the reads, each in op order. */
  writesFirst(): RegisterObservations {
    const order = new Int32Array(this.count);
    let writes = 0;
    for (let row = 0; row < this.count; row++) if (this.read[row] === 0) order[writes++] = row;
    let next = writes;
    for (let row = 0; row < this.count; row++) if (this.read[row] === 1) order[next++] = row;
    const gather = <T extends Float64Array | Int32Array | Uint8Array>(column: T): T => {
      const gathered = column.slice(0, this.count) as T;
      for (let row = 0; row < this.count; row++)
        gathered[row] = column[order[row] as number] as number;
      return gathered;
    };
    const gatherList = <T>(list: readonly T[]): T[] => Array.from(order, (row) => list[row] as T);
    return {
      count: this.count,
      writes,
      op: gatherList(this.op),
      key: gather(this.key),
      value: gather(this.value),
      version: gather(this.version),
      mzxid: gatherList(this.mzxid),
      time: gather(this.time),
      invokeTime: gather(this.invokeTime),
      invokeIndex: gather(this.invokeIndex),
      session: gather(this.session),
      sessionNames: this.sessionNames,
      synced: gather(this.synced),
    };
  }
}

/** What one pass over the register ops extracted. */
export interface RegisterExtract {
  readonly observations: RegisterObservations;
  readonly writes: RegisterWrites;
  /** The general checker's operations as columns, when asked for and they carry them. */
  readonly columns?: RegisterOpColumns | undefined;
}

/**
 * The observations and writes of the register workload's ops (reads, writes,
 * cas with a numeric key); with `columns`, the general checker's operations
 * too, in the same pass (each op read once while it is in the cache).
 */
export function registerObservations(
  ops: readonly PairedOp[],
  options: { columns?: boolean } = {},
): RegisterExtract {
  const builder = options.columns ? new RegisterOpColumnsBuilder(ops.length) : undefined;
  const possible = new Map<number, number>();
  const written = new Map<number, Set<number>>();
  const indeterminate: { key: number; value: number | undefined }[] = [];
  // Rows in op order as the ops come (each op read once, while its fields are in the cache);
  // the writes are moved before the reads at the end, a copy of dense arrays.
  const rows = new ObservationRows(ops.length);
  for (const op of ops) {
    const f = op.invoke.f;
    const isRead = f === "read";
    if (!isRead && f !== "write" && f !== "cas") continue;
    const key = registerKey(op);
    if (key === undefined) continue;
    if (builder !== undefined) {
      const linOp = registerLinOp(op, false);
      if (linOp !== undefined) builder.add(linOp);
    }
    const wrote = isRead ? undefined : writtenValue(op);
    const value = isRead ? readValue(op) : wrote;
    if (!isRead && op.type !== "fail") {
      possible.set(key, (possible.get(key) ?? 0) + 1);
      if (wrote !== undefined) addWritten(written, key, wrote);
      if (op.type === "info") indeterminate.push({ key, value: wrote });
    }
    if (op.type === "ok" && op.completion?.stat !== undefined && value !== undefined)
      rows.add(op, key, value, isRead);
  }
  const observations = rows.writesFirst();
  return {
    observations,
    writes: { possible, written, indeterminate },
    ...(builder !== undefined ? { columns: builder.columns() } : {}),
  };
}
