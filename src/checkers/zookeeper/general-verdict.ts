import { casRegisterModel } from "../linearizability/model.js";
import { checkSafely, type Verdict } from "../verdict.js";
import type { RegisterLinOp } from "./register-history.js";
import {
  checkRegisterLinearizability,
  type KeyedRegisterModel,
} from "./register-linearizability.js";

const CHECKER = "register-linearizability";
const GUARANTEE =
  "register operations are linearizable (each register's zxid order verified; a search where it does not settle one)";

/** How the general search's verdict is had: now, or from a worker thread later. */
export type GeneralVerdict = (
  ops: readonly RegisterLinOp[],
  timeoutMs: number,
) => Verdict | Promise<Verdict>;

/**
 * The general verdict on the operations `build` makes, had as `run` has it;
 * a history `build` cannot read is a crashed checker, as in the search itself.
 */
export function startGeneralVerdict(
  build: () => RegisterLinOp[],
  run: GeneralVerdict,
  timeoutMs: number,
): Verdict | Promise<Verdict> {
  let ops: RegisterLinOp[];
  try {
    ops = build();
  } catch (error) {
    return checkSafely(CHECKER, GUARANTEE, () => {
      throw error;
    });
  }
  return run(ops, timeoutMs);
}

/** The general search's verdict on the register workload (cross-checks the zxid-based one). */
export function generalRegisterVerdict(ops: readonly RegisterLinOp[], timeoutMs: number): Verdict {
  return checkSafely(CHECKER, GUARANTEE, () => {
    const { valid, anomalies, stats } = checkRegisterLinearizability(
      casRegisterModel as KeyedRegisterModel,
      ops,
      timeoutMs,
    );
    return { valid, anomalies, ...(stats ? { stats } : {}) };
  });
}
