/** Times of sequential operations per process for synthetic histories: each invoked after the last completed. */
import { type Random, randomInt } from "../util/seeded-random.js";

/** Gaps (inclusive ranges) before the invocation, until the operation takes effect, and until it completes. */
export interface OperationGaps {
  readonly idle: readonly [number, number];
  readonly effect: readonly [number, number];
  readonly complete: readonly [number, number];
}

/** A process's next operation times: invoke, the instant it takes effect, complete. */
export function processClock(
  random: Random,
  processes: number,
  gaps: OperationGaps,
): (process: number) => { invoke: number; at: number; complete: number } {
  const clock = new Array<number>(processes).fill(0);
  return (process) => {
    const invoke = (clock[process] as number) + randomInt(random, ...gaps.idle);
    const at = invoke + randomInt(random, ...gaps.effect);
    const complete = at + randomInt(random, ...gaps.complete);
    clock[process] = complete;
    return { invoke, at, complete };
  };
}
