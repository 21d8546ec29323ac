/** Paired operations: what checkers search over, built from any history format. */

/** The output of an operation whose outcome is unknown (info). */
export const UNKNOWN = Symbol("unknown");

/** An operation of a history, as the checker sees it. */
export interface LinOp<I, O> {
  /** Stable id (for explanations): the history index of its invocation. */
  readonly id: number;
  readonly process: string | number;
  readonly call: number;
  /** Infinity when its outcome is unknown: it may take effect any time after its call, or never. */
  readonly ret: number;
  readonly input: I;
  readonly output: O | typeof UNKNOWN;
}
