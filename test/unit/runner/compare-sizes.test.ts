import { describe, expect, it } from "vitest";
import { parseNodeList } from "../../../src/cli/parse-options.js";
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
): Validation {
  return {
    nodes,
    agents: 6,
    valid,
    matrix: {
      nodes,
      cells: [],
      measuredTolerance: tolerance,
      promisedTolerance: Math.floor((nodes - 1) / 2),
      verdicts: [],
    },
    runs: operations.map((count, index) => ({
      scenario: ["kill-leader", "minority-partition"][index] ?? `s${index}`,
      valid,
      operations: count,
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
      "the smallest size that held everything and tolerates a failure: 3 servers (1 failure(s))",
      "5 servers tolerate 2 failure(s) and got -21% operations through vs 3 under the same load",
      "7 servers tolerate 3 failure(s) and got -42% operations through vs 3 under the same load",
      "7 servers: INVALID; see its folder before choosing it",
    ]);
    const text = comparisonMarkdown(comparison);
    expect(text).toContain("| failures tolerated (measured / promised) | 1 / 1 | 2 / 2 | 3 / 3 |");
    expect(text).toContain("| kill-leader | valid, 1000 ops | valid, 800 ops | INVALID, 600 ops |");
    expect(comparisonHtml(comparison)).toContain(
      '<table id="sizes"><tr><th></th><th>3 servers</th>',
    );
  });

  it("takes 3,5,7 on the command line, and refuses a size given twice", () => {
    expect(parseNodeList("3,5,7")).toEqual([3, 5, 7]);
    expect(parseNodeList("5")).toEqual([5]);
    expect(() => parseNodeList("3,3")).toThrow(/names a size twice/);
    expect(() => parseNodeList("3,12")).toThrow(/from 1 to/);
  });
});
