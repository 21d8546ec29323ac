import type { HistoryEvent } from "../../history/event.js";
import { type CasInput, type CasOutput, type LinOp, UNKNOWN } from "../linearizability/model.js";
import { type PairedOp, pairOps, readValue, registerKey, writtenValue } from "./operations.js";

/** A register operation with the zxid ZooKeeper gave it (a write's own, the one a read saw), when known. */
export type RegisterLinOp = LinOp<CasInput & { key: number }, CasOutput> & {
  readonly zxid?: bigint;
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
): RegisterLinOp[] {
  const ops: RegisterLinOp[] = [];
  const toOp = (op: PairedOp, input: CasInput, output: CasOutput | typeof UNKNOWN) => {
    const key = registerKey(op) as number;
    const mzxid = op.type === "ok" ? op.completion?.stat?.mzxid : undefined;
    ops.push({
      ...(mzxid !== undefined ? { zxid: BigInt(mzxid) } : {}),
      id: op.invoke.index,
      process: op.invoke.process,
      call: op.invoke.time,
      ret:
        op.type === "info" || op.completion === undefined
          ? Number.POSITIVE_INFINITY
          : op.completion.time,
      input: { ...input, key },
      output,
    });
  };
  for (const op of pairOps(events)) {
    if (registerKey(op) === undefined) continue;
    if (op.invoke.f === "read") {
      const value = readValue(op);
      const synced = (op.invoke.value as { synced?: boolean }).synced === true;
      if (op.type === "ok" && value !== undefined && (synced || allReads))
        toOp(op, { f: "read" }, value);
    } else if (op.invoke.f === "write") {
      if (op.type !== "fail")
        toOp(
          op,
          { f: "write", value: writtenValue(op) ?? null },
          op.type === "ok" ? undefined : UNKNOWN,
        );
    } else if (op.invoke.f === "cas") {
      const [from] = (op.invoke.value as { value: [number | null, number] }).value;
      const input: CasInput = { f: "cas", from, to: writtenValue(op) ?? null };
      toOp(op, input, op.type === "ok" ? true : op.type === "fail" ? false : UNKNOWN);
    }
  }
  return ops;
}
