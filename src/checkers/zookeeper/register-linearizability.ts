/**
 * Linearizability of the register workload, deciding a million operations:
 * each register is settled by its zxid witness when that holds (linear time),
 * and only registers where it does not are searched (bounded by the budget).
 */
import { checkLinearizable } from "../linearizability/check-linearizable.js";
import {
  type CasInput,
  type CasOutput,
  type Model,
  partitionByKey,
  type RegisterValue,
} from "../linearizability/model.js";
import type { Verdict } from "../verdict.js";
import type { RegisterLinOp } from "./register-history.js";
import { witnessRegister } from "./zxid-witness.js";

/** A register model keyed by register for the search. */
export type KeyedRegisterModel = Model<RegisterValue, CasInput & { key: number }, CasOutput>;

/** Checks register operations: the zxid witness first, the search where it does not settle a register. */
export function checkRegisterLinearizability(
  model: KeyedRegisterModel,
  ops: readonly RegisterLinOp[],
  timeoutMs: number,
): Verdict {
  const byKey = new Map<number, RegisterLinOp[]>();
  for (const op of ops) {
    const list = byKey.get(op.input.key) ?? [];
    list.push(op);
    byKey.set(op.input.key, list);
  }
  return checkRegisterLists(model, byKey.values(), timeoutMs);
}

/**
 * The same check on the operations of each register, one list at a time:
 * a list the witness settles can be dropped before the next is made (a
 * worker thread makes each from columns only when it comes to it).
 */
export function checkRegisterLists(
  model: KeyedRegisterModel,
  registers: Iterable<readonly RegisterLinOp[]>,
  timeoutMs: number,
): Verdict {
  const started = performance.now();
  const searched: RegisterLinOp[] = [];
  let witnessed = 0;
  let count = 0;
  let operations = 0;
  for (const list of registers) {
    count++;
    operations += list.length;
    if (witnessRegister(list, model).valid) witnessed++;
    // One by one: a register's list can be longer than a call's arguments may be.
    else for (const op of list) searched.push(op);
  }
  const search = checkLinearizable({ ...model, partition: partitionByKey }, searched, {
    timeoutMs,
  });
  return {
    ...search,
    stats: {
      ...search.stats,
      operations,
      registers: count,
      witnessedRegisters: witnessed,
      searchedRegisters: count - witnessed,
      searchedOperations: searched.length,
    },
    elapsedMs: performance.now() - started,
  };
}
