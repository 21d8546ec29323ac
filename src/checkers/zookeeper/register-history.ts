import type { HistoryEvent } from "../../history/event.js";
import { type CasInput, type CasOutput, type LinOp, UNKNOWN } from "../linearizability/model.js";
import { type PairedOp, pairOps, readValue, registerKey, writtenValue } from "./operations.js";

/**
 * A register operation with the zxid ZooKeeper gave it (a write's own, the
 * one a read saw), when known. As a number: exact for every epoch below 2^21,
 * and only ever a proposal (the witness built from it is verified).
 */
export type RegisterLinOp = LinOp<CasInput & { key: number }, CasOutput> & {
  readonly zxid?: number | undefined;
};

/**
 * The register workload's operations as cas-register operations for the
 * general checker, keyed by register: reads, writes and cas (a cas that
 * failed with BadVersion failed its compare; unique values make version and
 * value equality the same). Info is unknown; failed reads and writes are left out.
 * ZooKeeper's plain reads are only sequentially consistent (a follower may
 * lag), so only reads that followed a sync take part unless `allReads`.
 */
export function registerOperations(
  events: readonly HistoryEvent[],
  allReads = false,
  /** The events already paired (pairOps), to pair a million events once. */
  paired: readonly PairedOp[] = pairOps(events),
): RegisterLinOp[] {
  const ops: RegisterLinOp[] = [];
  forEachRegisterOp(paired, allReads, (op) => ops.push(op));
  return ops;
}

/** The register operation a paired op is, given what it asked and answered. */
function linOpOf(
  op: PairedOp,
  input: CasInput & { key: number },
  output: CasOutput | typeof UNKNOWN,
): RegisterLinOp {
  const mzxid = op.type === "ok" ? op.completion?.stat?.mzxid : undefined;
  // One object shape for every operation: a million of them are made.
  return {
    id: op.invoke.index,
    process: op.invoke.process,
    call: op.invoke.time,
    ret:
      op.type === "info" || op.completion === undefined
        ? Number.POSITIVE_INFINITY
        : op.completion.time,
    input,
    output,
    zxid: mzxid === undefined ? undefined : Number(mzxid),
  };
}

/**
 * The register operation a paired op is for the general checker, or
 * undefined when it is none (not a register op, a failed read or write, a
 * read without a sync unless `allReads`).
 */
export function registerLinOp(op: PairedOp, allReads: boolean): RegisterLinOp | undefined {
  const key = registerKey(op);
  if (key === undefined) return undefined;
  if (op.invoke.f === "read") {
    const value = readValue(op);
    const synced = (op.invoke.value as { synced?: boolean }).synced === true;
    return op.type === "ok" && value !== undefined && (synced || allReads)
      ? linOpOf(op, { f: "read", key }, value)
      : undefined;
  }
  if (op.invoke.f === "write") {
    return op.type !== "fail"
      ? linOpOf(
          op,
          { f: "write", value: writtenValue(op) ?? null, key },
          op.type === "ok" ? undefined : UNKNOWN,
        )
      : undefined;
  }
  if (op.invoke.f === "cas") {
    const [from] = (op.invoke.value as { value: [number | null, number] }).value;
    return linOpOf(
      op,
      { f: "cas", from, to: writtenValue(op) ?? null, key },
      op.type === "ok" ? true : op.type === "fail" ? false : UNKNOWN,
    );
  }
  return undefined;
}

/**
 * Hands each register operation of the paired ops to `visit`, in order, as
 * registerOperations lists them; nothing is kept (a caller that writes them
 * elsewhere holds no million objects).
 */
export function forEachRegisterOp(
  paired: readonly PairedOp[],
  allReads: boolean,
  visit: (op: RegisterLinOp) => void,
): void {
  for (const op of paired) {
    const linOp = registerLinOp(op, allReads);
    if (linOp !== undefined) visit(linOp);
  }
}
