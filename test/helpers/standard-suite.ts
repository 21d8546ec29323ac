import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { runMatrix } from "../../src/runner/run-matrix.js";
import { loadScenario } from "../../src/scenario/load-scenario.js";
import { expectNoDockerLeft } from "./provider.js";

/** Runs every standard scenario that lists this size, on docker, and expects each valid with zero anomalies and nothing left. */
export async function expectStandardSuiteValidOnDocker(nodes: number, seed: number): Promise<void> {
  const files = readdirSync("scenarios")
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => join("scenarios", name))
    .filter((file) => loadScenario(file).nodes.includes(nodes));
  const out = mkdtempSync(join(tmpdir(), `zk-chaos-suite-n${nodes}-`));
  try {
    const { runs } = await runMatrix({
      scenarioFiles: files,
      nodes: [nodes],
      seed,
      durationMs: 8000,
      out,
      provider: "docker",
    });
    expect(runs.map((run) => run.scenario).sort()).toEqual(
      files.map((file) => loadScenario(file).name).sort(),
    );
    const anomalies = runs.flatMap((run) =>
      run.verdicts.flatMap((verdict) =>
        verdict.anomalies.map(
          (anomaly) => `${run.scenario}: ${verdict.checker}: ${anomaly.message}`,
        ),
      ),
    );
    expect(anomalies).toEqual([]);
    expect(runs.filter((run) => run.valid !== true).map((run) => run.scenario)).toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  await expectNoDockerLeft();
}
