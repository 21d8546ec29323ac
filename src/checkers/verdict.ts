/** Verdicts: what a checker concludes about a history, with evidence. */

/** true: the guarantee held; false: it was broken; "unknown": the checker could not tell. */
export type Validity = true | false | "unknown";

/** What an anomaly follows from, when the servers' own logs prove the cause. */
export interface AnomalyCause {
  readonly message: string;
  /** History events that prove the cause. */
  readonly events: readonly number[];
  /** Documented ZooKeeper bugs of the version under test that produce exactly this, e.g. ZOOKEEPER-4643. */
  readonly knownBugs?: readonly string[];
  /**
   * The nemesis destroyed server data that explains it (a wipe, a corruption):
   * ZooKeeper trusts its disks, so the fault made it, not a ZooKeeper defect.
   */
  readonly dataDestroyed?: true;
}

/** One broken guarantee, naming the history events that prove it. */
export interface Anomaly {
  readonly kind: string;
  readonly message: string;
  /** Indexes of the history events (or operation ids for imported histories) that prove it. */
  readonly events: readonly number[];
  /** Its cause, where the servers' logs prove one. */
  readonly cause?: AnomalyCause;
}

/** A checker's conclusion. */
export interface Verdict {
  readonly checker: string;
  /** The guarantee it checks, in words. */
  readonly guarantee: string;
  readonly valid: Validity;
  readonly anomalies: readonly Anomaly[];
  /** Counts and measurements worth reporting. */
  readonly stats?: Readonly<Record<string, unknown>>;
  readonly elapsedMs: number;
}

/** A validity as people read it: valid, INVALID, unknown. */
export function validityWord(valid: unknown): "valid" | "INVALID" | "unknown" {
  return valid === true ? "valid" : valid === false ? "INVALID" : "unknown";
}

/** Combines validities: false ranks above unknown, unknown above true. */
export function combineValidity(values: Iterable<Validity>): Validity {
  let result: Validity = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === "unknown") result = "unknown";
  }
  return result;
}

/** Runs a checker so that a crash becomes `unknown`, never `true`. */
export function checkSafely(
  checker: string,
  guarantee: string,
  run: () => Omit<Verdict, "checker" | "guarantee" | "elapsedMs">,
): Verdict {
  const started = performance.now();
  try {
    return { checker, guarantee, ...run(), elapsedMs: performance.now() - started };
  } catch (error) {
    return {
      checker,
      guarantee,
      valid: "unknown",
      anomalies: [
        {
          kind: "checker-crashed",
          message: `the checker failed: ${(error as Error).message}`,
          events: [],
        },
      ],
      elapsedMs: performance.now() - started,
    };
  }
}
