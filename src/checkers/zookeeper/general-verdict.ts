import { casRegisterModel } from "../linearizability/model.js";
import { checkSafely, type Verdict } from "../verdict.js";
import type { RegisterLinOp } from "./register-history.js";
import {
  checkRegisterLinearizability,
  checkRegisterLists,
  type KeyedRegisterModel,
} from "./register-linearizability.js";

const CHECKER = "register-linearizability";
const GUARANTEE =
  "register operations are linearizable (each register's zxid order verified; a search where it does not settle one)";
const MODEL = casRegisterModel as KeyedRegisterModel;

/** How the general search's verdict is had on the operations `build` makes: now, or from a worker thread later. */
export type GeneralVerdict = (
  build: () => RegisterLinOp[],
  timeoutMs: number,
) => Verdict | Promise<Verdict>;

/** The search's result as a verdict's fields. */
const fields = ({ valid, anomalies, stats }: Verdict) => ({
  valid,
  anomalies,
  ...(stats ? { stats } : {}),
});

/**
 * The general search's verdict on the register workload (cross-checks the
 * zxid-based one), here and now; operations `build` cannot make are a
 * crashed checker, as a crash of the search is.
 */
export function generalVerdictNow(build: () => RegisterLinOp[], timeoutMs: number): Verdict {
  return checkSafely(CHECKER, GUARANTEE, () =>
    fields(checkRegisterLinearizability(MODEL, build(), timeoutMs)),
  );
}

/** The same verdict on the operations of each register, one list at a time (a worker thread's way). */
export function generalVerdictOfLists(
  registers: Iterable<readonly RegisterLinOp[]>,
  timeoutMs: number,
): Verdict {
  return checkSafely(CHECKER, GUARANTEE, () =>
    fields(checkRegisterLists(MODEL, registers, timeoutMs)),
  );
}
