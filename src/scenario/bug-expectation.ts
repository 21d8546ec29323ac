/**
 * Known-bug scenarios: a scenario that documents one of ZooKeeper's bugs says
 * per version range whether the bug must show (reproduced) or not (absent).
 * A run's verdict becomes an outcome, compared with that expectation. The
 * harness knows no bug: only the scenario does.
 */
import { compareVersions, parseVersion } from "../ensemble/zookeeper-versions.js";
import { BadInputError } from "../errors.js";

/** What a known-bug run showed. */
export type BugOutcome = "reproduced" | "absent" | "unknown";

/** A version range: "*", ">=3.9.4", "<3.9.3", "<=3.8.6", "3.5.0-3.9.2" or one version. */
export type VersionRange = string;

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
}

const RANGE = /^(\*|(>=|<=|>|<)?(\d+\.\d+\.\d+)|(\d+\.\d+\.\d+)-(\d+\.\d+\.\d+))$/;

/** Checks a range's syntax; the message names the forms allowed. */
export function validateRange(range: string): string {
  if (!RANGE.test(range.replace(/\s+/g, ""))) {
    throw new BadInputError(
      `'${range}' is not a version range: write *, >=3.9.4, <3.9.3, <=3.8.6, 3.5.0-3.9.2 or one version`,
    );
  }
  return range;
}

/** True when the version lies in the range. */
export function inRange(version: string, range: VersionRange): boolean {
  if (parseVersion(version) === undefined) return false;
  const text = range.replace(/\s+/g, "");
  const match = RANGE.exec(text);
  if (!match) return false;
  if (match[1] === "*") return true;
  if (match[4] !== undefined && match[5] !== undefined)
    return compareVersions(version, match[4]) >= 0 && compareVersions(version, match[5]) <= 0;
  const order = compareVersions(version, match[3] as string);
  switch (match[2]) {
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    default:
      return order === 0;
  }
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
  };
}
