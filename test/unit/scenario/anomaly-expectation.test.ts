import { describe, expect, it } from "vitest";
import type { Verdict } from "../../../src/checkers/verdict.js";
import { runPassed } from "../../../src/report/results.js";
import { judgeExpectedAnomalies } from "../../../src/scenario/anomaly-expectation.js";

const WIPE = "this is the wipe, not a ZooKeeper bug";
const expectation = { checkers: ["leader-completeness"], cause: WIPE };
const blamed = (message: string) => ({
  kind: "k",
  message,
  events: [1],
  cause: { message: `server 3 led without the writes: ${WIPE}`, events: [2] },
});
const verdict = (
  checker: string,
  anomalies: Verdict["anomalies"],
  valid?: Verdict["valid"],
): Verdict => ({
  checker,
  guarantee: "g",
  valid: valid ?? anomalies.length === 0,
  anomalies,
  elapsedMs: 1,
});

describe("a scenario that breaks things on purpose, judged against what it expects", () => {
  it("as expected: the named checker found it and every consistency anomaly is blamed on the cause (availability aside)", () => {
    const outcome = judgeExpectedAnomalies(expectation, [
      verdict("leader-completeness", [blamed("server 3 took over without 0x2:0xd0")]),
      verdict("zookeeper-registers", [blamed("write lost"), blamed("version given twice")]),
      verdict("availability", [{ kind: "k", message: "txn did not complete", events: [3] }]),
    ]);
    expect(outcome).toEqual({
      ...expectation,
      matched: true,
      reason: `leader-completeness found it; all 3 anomalies blamed on "${WIPE}"`,
    });
    expect(runPassed({ valid: false, expected: outcome })).toBe(true);
  });

  it("not as expected: the checker found nothing, or an anomaly has another cause (a finding of its own)", () => {
    expect(judgeExpectedAnomalies(expectation, [verdict("leader-completeness", [])])).toMatchObject(
      { matched: false, reason: "leader-completeness found nothing" },
    );
    expect(judgeExpectedAnomalies(expectation, [])).toMatchObject({
      matched: false,
      reason: "leader-completeness did not run",
    });
    const other = judgeExpectedAnomalies(expectation, [
      verdict("leader-completeness", [blamed("lost")]),
      verdict("convergence", [
        { kind: "divergent-final-state", message: "trees differ", events: [9] },
      ]),
    ]);
    expect(other).toMatchObject({
      matched: false,
      reason: `convergence found an anomaly not blamed on "${WIPE}": trees differ`,
    });
    expect(runPassed({ valid: false, expected: other })).toBe(false);
  });

  it("undecided when a checker could not decide", () => {
    expect(
      judgeExpectedAnomalies(expectation, [verdict("linearizability", [], "unknown")]).matched,
    ).toBe("unknown");
  });
});
