import { describe, expect, it } from "vitest";
import { parseNodeList } from "../../../src/cli/parse-options.js";
import { quantile } from "../../../src/report/strip-chart.js";
import {
  compareSizes,
  comparisonHtml,
  comparisonMarkdown,
} from "../../../src/runner/compare-sizes.js";
import type { Validation } from "../../../src/runner/validate.js";

/** A validation as validateCluster returns it, with only what the comparison reads. */
function validation(
  nodes: number,
  valid: boolean,
  operations: number[],
  tolerance: number,
  agents = 6,
): Validation {
  return {
    nodes,
    agents,
    valid,
    matrix: {
      nodes,
      cells: [
        { variant: "kill", failed: 1, electMs: 300 + nodes * 10 },
        { variant: "kill", failed: 2, electMs: undefined },
        { variant: "pause", failed: 1, electMs: 200 + nodes * 10 },
      ],
      measuredTolerance: tolerance,
      promisedTolerance: Math.floor((nodes - 1) / 2),
      verdicts: [],
    },
    runs: operations.map((count, index) => ({
      scenario: ["kill-leader", "minority-partition"][index] ?? `s${index}`,
      valid,
      operations: count,
      timings: { recoveryMs: 100 * (index + 1) + nodes },
      latency: { okOperations: count, p50Ms: 2 + index + nodes / 10, p95Ms: 9, p99Ms: 20 + nodes },
    })),
    worstRecoveryMs: 900 + nodes,
    advice: [],
    dir: `/tmp/n${nodes}`,
  } as unknown as Validation;
}

describe("cluster sizes side by side", () => {
  it("compares tolerance, recovery, verdicts and throughput, and names the smallest sound size", () => {
    const comparison = compareSizes([
      validation(3, true, [1000, 900], 1),
      validation(5, true, [800, 700], 2),
      validation(7, false, [600, 500], 3),
    ]);
    expect(comparison.valid).toBe(false);
    expect(comparison.scenarios).toEqual(["kill-leader", "minority-partition"]);
    expect(comparison.advice).toEqual([
      "recommendation: 3 servers for 6 agent(s): the seed guide asks for at least 3 (production), and 3 tolerated 1 failure(s) as measured, elected a leader in at most 330 ms, p99 latency 23.0 ms",
      "the smallest size that held everything and tolerates a failure: 3 servers (1 failure(s))",
      "5 servers tolerate 2 failure(s) and got 21% fewer operations through than 3 under the same load",
      "7 servers tolerate 3 failure(s) and got 42% fewer operations through than 3 under the same load",
      "7 servers: INVALID; see its folder before choosing it",
    ]);
    const text = comparisonMarkdown(comparison);
    expect(text).toContain("| failures tolerated (measured / promised) | 1 / 1 | 2 / 2 | 3 / 3 |");
    expect(text).toContain("| kill-leader | valid, 1000 ops | valid, 800 ops | INVALID, 600 ops |");
    expect(text).toContain(
      "| time to elect, tolerance matrix (min / median / max) | 230 / 330 / 330 ms | 250 / 350 / 350 ms | 270 / 370 / 370 ms |",
    );
    expect(text).toContain(
      "| recovery after the last heal (min / median / max) | 103 / 203 / 203 ms | 105 / 205 / 205 ms | 107 / 207 / 207 ms |",
    );
    expect(text).toContain(
      "| latency of successes, p50 / worst p99 | 3.3 / 23.0 ms | 3.5 / 25.0 ms |",
    );
    expect(text).toContain(
      "| the seed guide says | 3 servers tolerate 1 failure: the usual production size |",
    );
    expect(text).toContain(
      "| report | [index.html](../n3/index.html) | [index.html](../n5/index.html) | [index.html](../n7/index.html) |",
    );
    expect(comparisonHtml(comparison)).toContain(
      '<td><a href="../n5/index.html">index.html</a></td>',
    );
    expect(comparisonHtml(comparison)).toContain(
      '<table id="sizes"><tr><th></th><th>3 servers</th>',
    );
    // The distributions are drawn too: every election, recovery and run's latency, size by size.
    const html = comparisonHtml(comparison);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain("<title>5 servers: 350 ms</title>");
    expect(html).toContain("<title>7 servers: 207 ms</title>");
    expect(html).toContain("<title>3 servers: median 280 ms</title>");
    expect(html).toContain("3 servers (2)</text>");
  });

  it("finds quantiles as the box of a distribution chart draws them", () => {
    expect(quantile([], 0.5)).toBeUndefined();
    expect(quantile([7], 0.25)).toBe(7);
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([10, 20, 30, 40], 0.75)).toBe(32.5);
  });

  it("recommends what the seed guide asks for the agents, backed by a sound size, or says none was", () => {
    const many = compareSizes([
      validation(3, true, [1000], 1, 40),
      validation(5, true, [900], 2, 40),
    ]);
    expect(many.advice[0]).toMatch(
      /^recommendation: 5 servers for 40 agent\(s\): the seed guide asks for at least 5 \(beyond a few dozen agents\), and 5 tolerated 2 failure\(s\) as measured/,
    );
    const none = compareSizes([
      validation(3, true, [1000], 1, 40),
      validation(5, false, [900], 2, 40),
    ]);
    expect(none.advice[0]).toBe(
      "recommendation: none of these sizes held everything for 40 agent(s) as the seed guide asks (at least 5 servers); see each size's folder",
    );
  });

  it("takes 3,5,7 on the command line, and refuses a size given twice", () => {
    expect(parseNodeList("3,5,7")).toEqual([3, 5, 7]);
    expect(parseNodeList("5")).toEqual([5]);
    expect(() => parseNodeList("3,3")).toThrow(/names a size twice/);
    expect(() => parseNodeList("3,12")).toThrow(/from 1 to/);
  });
});
