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
  const writeOps: PairedOp[] = [];
  const readOps: PairedOp[] = [];
  const possible = new Map<number, number>();
  const written = new Map<number, Set<number>>();
  const indeterminate: { key: number; value: number | undefined }[] = [];
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
    if (!isRead && op.type !== "fail") {
      possible.set(key, (possible.get(key) ?? 0) + 1);
      const value = writtenValue(op);
      if (value !== undefined) addWritten(written, key, value);
      if (op.type === "info") indeterminate.push({ key, value });
    }
    if (op.type === "ok" && op.completion?.stat !== undefined)
      (isRead ? readOps : writeOps).push(op);
  }
  const count = writeOps.length + readOps.length;
  const observations = {
    count: 0,
    writes: 0,
    op: [] as PairedOp[],
    key: new Float64Array(count),
    value: new Float64Array(count),
    version: new Float64Array(count),
    mzxid: [] as Zxid[],
    time: new Float64Array(count),
    invokeTime: new Float64Array(count),
    invokeIndex: new Float64Array(count),
    session: new Int32Array(count),
    sessionNames: [] as string[],
    synced: new Uint8Array(count),
  };
  const sessionIds = new Map<string, number>();
  const row = (op: PairedOp, value: number | null) => {
    const index = observations.count++;
    const completion = op.completion as NonNullable<PairedOp["completion"]>;
    const stat = completion.stat as NonNullable<typeof completion.stat>;
    const session = completion.session ?? String(op.invoke.process);
    let id = sessionIds.get(session);
    if (id === undefined) {
      id = observations.sessionNames.length;
      sessionIds.set(session, id);
      observations.sessionNames.push(session);
    }
    observations.op.push(op);
    observations.key[index] = registerKey(op) as number;
    observations.value[index] = value ?? Number.NaN;
    observations.version[index] = stat.version;
    observations.mzxid.push(parseZxid(stat.mzxid));
    observations.time[index] = completion.time;
    observations.invokeTime[index] = op.invoke.time;
    observations.invokeIndex[index] = op.invoke.index;
    observations.session[index] = id;
    observations.synced[index] = (op.invoke.value as { synced?: boolean }).synced === true ? 1 : 0;
  };
  for (const op of writeOps) {
    const value = writtenValue(op);
    if (value !== undefined) row(op, value);
  }
  observations.writes = observations.count;
  for (const op of readOps) {
    const value = readValue(op);
    if (value !== undefined) row(op, value);
  }
  return {
    observations,
    writes: { possible, written, indeterminate },
    ...(builder !== undefined ? { columns: builder.columns() } : {}),
  };
}
