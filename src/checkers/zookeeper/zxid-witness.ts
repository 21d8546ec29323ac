/**
 * What ZooKeeper tells us: the zxid order of a register's writes is a
 * candidate linearization. Writes go in zxid order, each read right after
 * the write whose zxid it saw (reads of one write by call time), writes whose
 * outcome is unknown at the zxid a read revealed (values are unique) or left
 * out (they may never have happened), and cas that failed their compare
 * where the register held another value. The candidate is then verified, in
 * linear time; only registers where it fails need the search.
 */
import {
  type CasInput,
  type CasOutput,
  casRegisterModel,
  type Model,
  type RegisterValue,
  UNKNOWN,
} from "../linearizability/model.js";
import { verifyWitness, type WitnessResult } from "../linearizability/witness.js";
import type { RegisterLinOp } from "./register-history.js";

/** Positions scanned for a failed cas before giving up on the witness. */
const MAX_SCAN = 10_000;

type Op = RegisterLinOp;

const written = (op: Op) =>
  op.input.f === "write" ? op.input.value : op.input.f === "cas" ? op.input.to : undefined;

/** One register's candidate order, or the reason there is none (then the search decides). */
export function zxidOrder(ops: readonly Op[]): { order: Op[] } | { reason: string } {
  // Unknown writes take the zxid at which some read saw their (unique) value; or, when only a
  // cas that succeeded from it tells it happened, a place just before that cas (zxids are
  // whole numbers: half a step earlier sorts between it and the write before).
  const seenAt = new Map<unknown, number>();
  for (const op of ops) {
    if (op.zxid === undefined || op.output === UNKNOWN) continue;
    if (op.input.f === "read") seenAt.set(op.output, op.zxid);
    else if (op.input.f === "cas" && op.output === true && !seenAt.has(op.input.from))
      seenAt.set(op.input.from, op.zxid - 0.5);
  }
  const placed: Op[] = [];
  const zxids: number[] = [];
  const failedCas: Op[] = [];
  const unseen: Op[] = [];
  for (const op of ops) {
    const zxid = op.zxid ?? (op.output === UNKNOWN ? seenAt.get(written(op) ?? null) : undefined);
    if (zxid !== undefined) {
      zxids.push(zxid);
      placed.push(op);
    } else if (op.input.f === "cas" && op.output === false) {
      failedCas.push(op);
    } else if (op.output !== UNKNOWN) {
      return { reason: `operation ${op.id} completed without a zxid` };
    } else if (op.input.f === "write") {
      // An unknown write nobody saw may never have happened: it stays out,
      // unless a failed cas needs it (it changed the version, and was overwritten unseen).
      unseen.push(op);
    }
  }
  // Writes in zxid order, each followed by the reads that saw it, those by call time. The sort
  // compares columns, not the ops' fields (a hundred thousand ops a register).
  const zxid = Float64Array.from(zxids);
  const read = new Uint8Array(placed.length);
  const call = new Float64Array(placed.length);
  const rank: number[] = [];
  for (const [index, op] of placed.entries()) {
    read[index] = op.input.f === "read" ? 1 : 0;
    call[index] = op.call;
    rank.push(index);
  }
  rank.sort(
    (a, b) =>
      (zxid[a] as number) - (zxid[b] as number) ||
      (read[a] as number) - (read[b] as number) ||
      (call[a] as number) - (call[b] as number),
  );
  const order = rank.map((index) => placed[index] as Op);
  if (failedCas.length === 0) return { order };
  return insertFailedCas(order, failedCas, unseen);
}

/**
 * Puts each failed cas where real time allows it and the register did not
 * hold its `from`; where it held `from` all along, an unknown write nobody
 * saw may have changed it just before (and been overwritten by the next write).
 */
function insertFailedCas(
  order: Op[],
  failedCas: readonly Op[],
  unseen: readonly Op[],
): { order: Op[] } | { reason: string } {
  // The register's value before each position of the order.
  const before: unknown[] = [];
  let state: unknown = casRegisterModel.init();
  for (const op of order) {
    before.push(state);
    const next = casRegisterModel.step(
      state as number | null,
      op.input as CasInput,
      op.output as CasOutput | typeof UNKNOWN,
    );
    if (next === undefined) return { reason: `the zxid order breaks at operation ${op.id}` };
    state = next;
  }
  before.push(state);
  // Latest position that must precede a call at t: the last op that returned before t.
  const returns = new Float64Array(order.length);
  const byReturn: number[] = [];
  for (const [index, op] of order.entries()) {
    returns[index] = op.ret;
    byReturn.push(index);
  }
  byReturn.sort((a, b) => (returns[a] as number) - (returns[b] as number));
  const latestBefore: number[] = [];
  for (const [rank, index] of byReturn.entries())
    latestBefore[rank] = Math.max(index, rank > 0 ? (latestBefore[rank - 1] as number) : -1);
  const mustFollow = (call: number) => {
    let low = 0;
    let high = byReturn.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((returns[byReturn[middle] as number] as number) < call) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? -1 : (latestBefore[low - 1] as number);
  };
  // Unseen unknown writes by call time, each usable once.
  const spare = [...unseen].sort((a, b) => a.call - b.call);
  const used = new Set<Op>();
  const spareFor = (position: number, by: number): Op | undefined => {
    for (let index = spare.length - 1; index >= 0; index--) {
      const write = spare[index] as Op;
      if (write.call > by || used.has(write)) continue;
      if (mustFollow(write.call) < position) return write;
      // Earlier-called writes must follow even less: keep looking.
    }
    return undefined;
  };
  // Before position p: failed cas that fit there, then an unseen write put there, then the cas after it.
  const slots = new Map<number, { before: Op[]; write?: Op; after: Op[] }>();
  const slot = (position: number) => {
    let entry = slots.get(position);
    if (entry === undefined) {
      entry = { before: [], after: [] };
      slots.set(position, entry);
    }
    return entry;
  };
  // In call order; a failed cas that returned before another was called stays before it.
  const byCall = [...failedCas].sort((a, b) => a.call - b.call);
  const byRet = [...failedCas].sort((a, b) => a.ret - b.ret);
  const positionOf = new Map<Op, number>();
  let floor = 0;
  let returned = 0;
  for (const cas of byCall) {
    while (returned < byRet.length && (byRet[returned] as Op).ret < cas.call) {
      floor = Math.max(floor, positionOf.get(byRet[returned] as Op) ?? 0);
      returned++;
    }
    const from = (cas.input as { from: unknown }).from;
    const first = Math.max(mustFollow(cas.call) + 1, floor);
    // Real time: no op placed at or after the position may have been called after this cas returned.
    const allowed = (position: number) =>
      position === order.length || (order[position] as Op).call <= cas.ret;
    // After an unseen write placed there, if that write was called before this cas returned.
    const afterWrite = (position: number) => {
      const write = slots.get(position)?.write;
      return write !== undefined && write.call <= cas.ret;
    };
    let chosen: { position: number; after: boolean } | undefined;
    for (
      let position = first, scanned = 0;
      position <= order.length && scanned < MAX_SCAN;
      position++, scanned++
    ) {
      if (afterWrite(position)) {
        chosen = { position, after: true };
        break;
      }
      if (before[position] !== from) {
        chosen = { position, after: false };
        break;
      }
      if (!allowed(position)) break;
    }
    if (chosen === undefined) {
      // The register held `from` all along: an unseen write before the next plain write explains the failure.
      for (
        let position = first, scanned = 0;
        position <= order.length && scanned < MAX_SCAN;
        position++, scanned++
      ) {
        const plainWrite = position === order.length || (order[position] as Op).input.f === "write";
        if (plainWrite && slots.get(position)?.write === undefined) {
          const write = spareFor(position, cas.ret);
          if (write !== undefined) {
            used.add(write);
            slot(position).write = write;
            chosen = { position, after: true };
            break;
          }
        }
        if (!allowed(position)) break;
      }
    }
    if (chosen === undefined) return { reason: `no place for the failed cas ${cas.id}` };
    positionOf.set(cas, chosen.position);
    const entry = slot(chosen.position);
    (chosen.after ? entry.after : entry.before).push(cas);
  }
  const merged: Op[] = [];
  for (let position = 0; position <= order.length; position++) {
    const entry = slots.get(position);
    for (const cas of entry?.before ?? []) merged.push(cas);
    if (entry?.write !== undefined) merged.push(entry.write);
    for (const cas of entry?.after ?? []) merged.push(cas);
    if (position < order.length) merged.push(order[position] as Op);
  }
  return { order: merged };
}

/** Settles one register's operations by their zxid witness, if it holds for the model. */
export function witnessRegister(
  ops: readonly Op[],
  model: Model<RegisterValue, CasInput & { key: number }, CasOutput> = casRegisterModel as Model<
    RegisterValue,
    CasInput & { key: number },
    CasOutput
  >,
): WitnessResult {
  const candidate = zxidOrder(ops);
  if ("reason" in candidate) return { valid: false, at: -1, reason: candidate.reason };
  return verifyWitness(model, candidate.order);
}
