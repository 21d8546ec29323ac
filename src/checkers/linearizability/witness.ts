/**
 * Checking a candidate linearization instead of searching for one: if a
 * total order of the operations respects real time and the model accepts it
 * step by step, the history is linearizable, proven by that order. Linear in
 * the number of operations.
 */
import type { LinOp, Model } from "./model.js";

/** Why a candidate order is no linearization, at which position. */
export type WitnessResult =
  | { readonly valid: true }
  | { readonly valid: false; readonly at: number; readonly reason: string };

/**
 * Verifies that `order` is a linearization: every operation comes after each
 * one that returned before it was called, and the model accepts each in turn.
 * Operations left out of the order must be ones whose outcome is unknown (they
 * may never have happened); the caller guarantees that.
 */
export function verifyWitness<S, I, O>(
  model: Model<S, I, O>,
  order: readonly LinOp<I, O>[],
): WitnessResult {
  // Real time: no operation later in the order returned before an earlier one was called.
  let earliestLaterReturn = Number.POSITIVE_INFINITY;
  for (let index = order.length - 1; index >= 0; index--) {
    const op = order[index] as LinOp<I, O>;
    if (earliestLaterReturn < op.call)
      return {
        valid: false,
        at: index,
        reason: `operation ${op.id} is placed after one that returned before it was called`,
      };
    earliestLaterReturn = Math.min(earliestLaterReturn, op.ret);
  }
  let state = model.init();
  for (const [index, op] of order.entries()) {
    const next = model.step(state, op.input, op.output);
    if (next === undefined)
      return {
        valid: false,
        at: index,
        reason: `the model refuses ${model.describe(op.input, op.output)} (operation ${op.id}) there`,
      };
    state = next;
  }
  return { valid: true };
}
