import { describe, expect, it } from "vitest";
import {
  compareRuns,
  runComparisonHtml,
  runComparisonMarkdown,
} from "../../../src/report/compare-runs.js";
import { resultsFile } from "../../../src/report/results.js";
import { checkPlanHistory } from "../../../src/runner/run-plan.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";
import { syntheticHistory, withRecovery } from "../../../src/testing/synthetic-history.js";

/** A run of a synthetic history, checked as a run would be. */
function run(label: string, fault?: "lost-write", slow = 1) {
  const { events: raw } = syntheticHistory(
    { seed: 4, operations: 400, processes: 4, registers: 2 },
    fault,
  );
  // Stretch every operation's time: B's latencies become `slow` times A's.
  const events = raw.map((event) => ({ ...event, time: event.time * 1e6 * slow }));
  const scenario = parseScenario('name: cmp\ndescription: "<b>x</b>"\n', "cmp.yaml");
  const plan = planRun(scenario, 3, 4);
  const verdicts = checkPlanHistory(plan, withRecovery(events, 100));
  const results = resultsFile(
    {
      plan,
      dir: label,
      valid: verdicts.every((verdict) => verdict.valid === true),
      verdicts,
      operations: 400,
      events: events.length,
      timings: { startMs: 1, runMs: 2, recoveryMs: 400 * slow, totalMs: 4 },
      zooKeeperVersion: fault ? "3.8.0" : "3.9.5",
    },
    "cmp.yaml",
  );
  return { label, results, events };
}

describe("two runs compared", () => {
  it("names the verdicts and latencies that differ, and nothing when the runs agree", () => {
    const same = compareRuns(run("a"), run("b"));
    expect(same.findings).toEqual([
      "no difference worth noting: same verdicts, throughput and latency within 10% / 1.5x",
    ]);
    const differing = compareRuns(run("before"), run("after", "lost-write", 3));
    expect(differing.findings[0]).toBe("verdict: valid in A, INVALID in B");
    expect(differing.findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^zookeeper-registers: valid with 0 anomalies in A, INVALID with \d+ in B$/,
        ),
        expect.stringMatching(/^write p50: [\d.]+ ms in A, [\d.]+ ms in B \(3\.00x\)$/),
        "recovery after the last heal: 400 ms in A, 1200 ms in B",
      ]),
    );
    const markdown = runComparisonMarkdown(differing);
    expect(markdown).toContain("- **A** before: cmp, ZooKeeper 3.9.5, 3 node(s), seed 4: ✅ valid");
    expect(markdown).toMatch(/\| zookeeper-registers \| ✅ valid \| 0 \| ❌ INVALID \| \d+ \|/);
    const page = runComparisonHtml(differing);
    expect(page).toContain("<li>verdict: valid in A, INVALID in B</li>");
    expect(page.match(/<polyline /g)).toHaveLength(2);
  });
});
