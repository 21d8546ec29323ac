import { casRegisterModel } from "../linearizability/model.js";
import { checkSafely, type Verdict } from "../verdict.js";
import type { PairedOp } from "./operations.js";
import { type RegisterLinOp, registerOperations } from "./register-history.js";
import {
  checkRegisterLinearizability,
  checkRegisterLists,
  type KeyedRegisterModel,
} from "./register-linearizability.js";
import { type RegisterOpColumns, registerOpColumns } from "./register-op-columns.js";

const CHECKER = "register-linearizability";
const GUARANTEE =
  "register operations are linearizable (each register's zxid order verified; a search where it does not settle one)";
const MODEL = casRegisterModel as KeyedRegisterModel;

/** The register operations of a history, as objects or as columns, each made when asked for. */
export interface RegisterOpSource {
  /** At least as many as the operations: what decides, without making them, that a history is small. */
  readonly bound: number;
  list(): RegisterLinOp[];
  /** Undefined when the columns cannot carry them (register-op-columns.ts). */
  columns(): RegisterOpColumns | undefined;
}

/**
 * The register operations of paired ops (pairOps of the history's workers);
 * `made` when a pass over them already wrote their columns.
 */
export const registerOpSource = (
  paired: readonly PairedOp[],
  made?: { columns?: RegisterOpColumns | undefined },
): RegisterOpSource => ({
  bound: paired.length,
  list: () => registerOperations([], false, paired),
  columns: () => (made !== undefined ? made.columns : registerOpColumns(paired)),
});

/** How the general search's verdict is had on a history's register operations: now, or from a worker thread later. */
export type GeneralVerdict = (
  source: RegisterOpSource,
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
 * zxid-based one), here and now; a history whose operations cannot be made
 * is a crashed checker, as a crash of the search is.
 */
export function generalVerdictNow(source: RegisterOpSource, timeoutMs: number): Verdict {
  return checkSafely(CHECKER, GUARANTEE, () =>
    fields(checkRegisterLinearizability(MODEL, source.list(), timeoutMs)),
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
