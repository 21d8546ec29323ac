/**
 * Benchmark: wall time of the standard suite at sizes 1/3/5/7, fast profile.
 *   node dist/bench/matrix.js [duration=scenario's own, e.g. 10s]
 * Runs every scenario at each of its sizes among 1, 3, 5, 7; prints the wall
 * time, the runs, and any that were not valid. Target: under 10 minutes.
 * Also what checking cost each run: target under 10% of the run's wall time.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { runMatrix } from "../src/runner/run-matrix.js";
import { loadScenario } from "../src/scenario/load-scenario.js";
import { parseDuration } from "../src/util/duration.js";
import { table } from "./stats.js";

const duration = process.argv[2] ? parseDuration(process.argv[2]) : undefined;
const dir = "scenarios";
const started = performance.now();
const rows: string[][] = [];
let invalid = 0;
let worstCheckShare = 0;
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith(".yaml"))
  .sort()) {
  const path = join(dir, file);
  const sizes = loadScenario(path).nodes.filter((n) => [1, 3, 5, 7].includes(n));
  if (sizes.length === 0) continue;
  const { runs } = await runMatrix({
    scenarioFiles: [path],
    nodes: sizes,
    seed: 2026,
    out: join("reports", "bench-matrix"),
    ...(duration ? { durationMs: duration } : {}),
  });
  for (const run of runs) {
    if (run.valid !== true) invalid++;
    const checkShare = (run.timings.checkMs ?? 0) / run.timings.totalMs;
    worstCheckShare = Math.max(worstCheckShare, checkShare);
    rows.push([
      run.scenario,
      String(run.nodes),
      String(run.valid),
      String(run.operations),
      `${(run.timings.totalMs / 1000).toFixed(1)} s`,
      `${((run.timings.checkMs ?? 0) / 1000).toFixed(2)} s (${(checkShare * 100).toFixed(1)}%)`,
    ]);
    process.stderr.write(`${run.scenario} n=${run.nodes}: ${run.valid}\n`);
  }
}
const wall = (performance.now() - started) / 1000;
console.log(table(["scenario", "nodes", "valid", "operations", "wall", "checking"], rows));
console.log(
  `\nstandard suite at 1/3/5/7: ${rows.length} runs in ${(wall / 60).toFixed(1)} min (target < 10 min); ${invalid} not valid`,
);
console.log(
  `checking took at most ${(worstCheckShare * 100).toFixed(1)}% of a run's wall time (target < 10%)`,
);
