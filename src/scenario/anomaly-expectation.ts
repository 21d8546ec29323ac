import type { Validity, Verdict } from "../checkers/verdict.js";

/** What a scenario that breaks things on purpose (an operator's mistake) must show. */
export interface AnomalyExpectation {
  /** Checkers (verdict names) that must each find an anomaly. */
  readonly checkers: readonly string[];
  /** Text every consistency anomaly's cause must contain: each is blamed on the mistake. */
  readonly cause: string;
}

/** How a run measured up to its expected anomalies. */
export interface ExpectedOutcome extends AnomalyExpectation {
  /** True when the named checkers found anomalies and every one is blamed on the cause. */
  readonly matched: Validity;
  /** Why, in one line. */
  readonly reason: string;
}

/** Availability and recovery judge time, not data: a mistake's proof is in the others. */
const TIMING_CHECKERS = new Set(["availability", "recovery"]);

/**
 * Judges a run against what its scenario expects to go wrong: each named
 * checker found something, and every anomaly of every consistency checker
 * carries the expected cause (one that does not is a finding of its own).
 */
export function judgeExpectedAnomalies(
  expectation: AnomalyExpectation,
  verdicts: readonly Verdict[],
): ExpectedOutcome {
  const judged = (matched: Validity, reason: string): ExpectedOutcome => ({
    ...expectation,
    matched,
    reason,
  });
  const undecided = verdicts.find((verdict) => verdict.valid === "unknown");
  if (undecided) return judged("unknown", `${undecided.checker} could not decide`);
  for (const checker of expectation.checkers) {
    const verdict = verdicts.find((each) => each.checker === checker);
    if (verdict === undefined) return judged(false, `${checker} did not run`);
    if (verdict.valid !== false) return judged(false, `${checker} found nothing`);
  }
  for (const verdict of verdicts) {
    if (TIMING_CHECKERS.has(verdict.checker)) continue;
    const other = verdict.anomalies.find(
      (anomaly) => !anomaly.cause?.message.includes(expectation.cause),
    );
    if (other)
      return judged(
        false,
        `${verdict.checker} found an anomaly not blamed on "${expectation.cause}": ${other.message}`,
      );
  }
  const count = verdicts
    .filter((verdict) => !TIMING_CHECKERS.has(verdict.checker))
    .reduce((sum, verdict) => sum + verdict.anomalies.length, 0);
  return judged(
    true,
    `${expectation.checkers.join(", ")} found it; all ${count} anomalies blamed on "${expectation.cause}"`,
  );
}
