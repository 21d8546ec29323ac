import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FailureVariant, runToleranceMatrix } from "../../../src/runner/tolerance-matrix.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-matrix-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Reduced: short probes; both variants where they differ most, kill only for the largest.
// Not 7: the same formula as 5, and the costliest (39 s); the partition tests run 7 servers
// through quorum splits, and `validate --nodes 7` runs this matrix at 7.
const CASES: [number, number, FailureVariant[]][] = [
  [1, 0, ["kill", "partition"]],
  [3, 1, ["kill", "partition"]],
  [4, 1, ["kill", "partition"]],
  [5, 2, ["kill"]],
];

describe("the tolerance matrix matches quorum math", () => {
  it.each(CASES)("%i servers tolerate %i failures", async (nodes, tolerance, variants) => {
    const result = await runToleranceMatrix({
      nodes,
      variants,
      probeMs: 2000,
      dir: join(dir, `n${nodes}`),
    });
    expect(result.promisedTolerance).toBe(tolerance);
    expect(result.measuredTolerance).toBe(tolerance);
    for (const cell of result.cells) {
      expect(cell.observedAvailable, `${nodes} servers, ${cell.failed} ${cell.variant}`).toBe(
        cell.expectedAvailable,
      );
      expect(cell.recoverMs, `recovered after ${cell.failed} ${cell.variant}`).toBeDefined();
    }
    expect(result.cells).toHaveLength((nodes + 1) * variants.length);
    for (const verdict of result.verdicts)
      expect(verdict.valid, `${verdict.checker}: ${JSON.stringify(verdict.anomalies[0])}`).toBe(
        true,
      );
  });
});

describe("the tolerance matrix under a supervisor", () => {
  it("f+1 killed: unavailable by quorum math, then serving again with no heal once the supervisor restarts them", async () => {
    const result = await runToleranceMatrix({
      nodes: 3,
      variants: ["kill+supervisor"],
      superviseMs: 2000,
      probeMs: 1500,
      dir: join(dir, "n3-supervised"),
    });
    expect(result.cells.map((cell) => [cell.failed, cell.observedAvailable])).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [3, false],
    ]);
    for (const cell of result.cells.slice(2)) {
      // Down for at least the supervisor's delay, back with no operator.
      expect(cell.selfHealMs, `${cell.failed} killed`).toBeGreaterThan(2000);
    }
    for (const verdict of result.verdicts)
      expect(verdict.valid, `${verdict.checker}: ${JSON.stringify(verdict.anomalies[0])}`).toBe(
        true,
      );
  });

  it("refuses supervised rows without a restart delay", async () => {
    await expect(
      runToleranceMatrix({ nodes: 1, variants: ["kill+supervisor"], dir: join(dir, "bad") }),
    ).rejects.toThrow(/kill\+supervisor rows need a supervisor's restart delay/);
  });
});
