/**
 * Known-bug scenarios: a scenario that documents one of ZooKeeper's bugs says
 * per version range whether the bug must show (reproduced) or not (absent).
 * A run's verdict becomes an outcome, compared with that expectation. The
 * scenario names the bug; the checkers name one only where the servers' own
 * log lines prove its signature (leader-completeness.ts).
 */
import { inRange, type VersionRange } from "../zookeeper/version-range.js";

/** What a known-bug run showed. */
export type BugOutcome = "reproduced" | "absent" | "unknown";

/** One expectation of a bug scenario. */
export interface BugExpectation {
  readonly versions: VersionRange;
  readonly outcome: "reproduced" | "absent";
}

/** The known bug a scenario documents. */
export interface KnownBug {
  /** JIRA keys, e.g. ZOOKEEPER-4643. */
  readonly jira: readonly string[];
  readonly title: string;
  /** The checkers whose anomalies show the bug (default: every consistency checker). */
  readonly signature?: readonly string[];
  /** A regular expression one of its anomalies' messages matches, where a checker shows several bugs. */
  readonly message?: string;
  readonly expect: readonly BugExpectation[];
}

/** The judgement of one known-bug run. */
export interface BugResult {
  readonly jira: readonly string[];
  readonly title: string;
  readonly version: string;
  readonly observed: BugOutcome;
  /** What the scenario expects on this version; undefined when no range covers it. */
  readonly expected: "reproduced" | "absent" | undefined;
  /** True when observed is what was expected (or nothing was expected and something was seen). */
  readonly matched: boolean | "unknown";
  /** Triggered faults that never fired (the bug's moment never came). */
  readonly unfiredTriggers?: readonly string[];
  /** The checkers the outcome was judged on, when the scenario names them. */
  readonly signature?: readonly string[];
}

/** A run's outcome from its consistency verdict: an anomaly reproduces the bug. */
export function outcomeOf(valid: boolean | "unknown"): BugOutcome {
  return valid === false ? "reproduced" : valid === true ? "absent" : "unknown";
}

/**
 * Judges one run of a known-bug scenario on a version. A run whose triggers
 * did not all fire did not exercise the bug: without an anomaly it is
 * unknown, not absent.
 */
export function judgeBug(
  bug: KnownBug,
  version: string,
  valid: boolean | "unknown",
  unfiredTriggers: readonly string[] = [],
): BugResult {
  const observed = unfiredTriggers.length > 0 && valid !== false ? "unknown" : outcomeOf(valid);
  // Several versions in one ensemble (an upgrade): the expectation must hold for each.
  const versions = version.split("+");
  const expectations = versions.map(
    (each) => bug.expect.find((expectation) => inRange(each, expectation.versions))?.outcome,
  );
  const expected = expectations.every((each) => each === expectations[0])
    ? expectations[0]
    : undefined;
  const matched =
    observed === "unknown" ? "unknown" : expected === undefined ? true : observed === expected;
  return {
    jira: bug.jira,
    title: bug.title,
    version,
    observed,
    expected,
    matched,
    ...(unfiredTriggers.length > 0 ? { unfiredTriggers } : {}),
    ...(bug.signature ? { signature: bug.signature } : {}),
  };
}
