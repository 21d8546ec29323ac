/**
 * Benchmark: indexing a store of 10,000 run folders (the issue's bound: under
 * 10 s), beside the floor of reading and parsing the same files with nothing
 * else done, then the re-index of an unchanged store and the trend page.
 *   node dist/bench/store.js [folders=10000] [a run folder to copy, default: one made from a synthetic history]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ResultsFile, resultsFile } from "../src/report/results.js";
import { checkPlanHistory } from "../src/runner/run-plan.js";
import { parseScenario } from "../src/scenario/load-scenario.js";
import { planRun } from "../src/scenario/plan.js";
import { writeStoreIndex } from "../src/store/store-index.js";
import { analyseTrend, trendPage } from "../src/store/store-pages.js";
import { syntheticHistory, withRecovery } from "../src/testing/synthetic-history.js";

const folders = Number(process.argv[2] ?? 10_000);
const template = process.argv[3];

/** A results.json of a run: the one given, or one checked from a synthetic 2,000-operation history. */
function templateResults(): ResultsFile {
  if (template)
    return JSON.parse(readFileSync(join(template, "results.json"), "utf8")) as ResultsFile;
  const { events } = syntheticHistory(
    { seed: 1, operations: 2000, processes: 6, registers: 3 },
    "lost-write",
  );
  const plan = planRun(parseScenario("name: store-bench\n", "bench.yaml"), 3, 1);
  return resultsFile(
    {
      plan,
      dir: "",
      valid: false,
      verdicts: checkPlanHistory(plan, withRecovery(events, 10_000)),
      operations: 2000,
      events: events.length,
      timings: { startMs: 1, runMs: 2, recoveryMs: 300, totalMs: 4 },
      zooKeeperVersion: "3.8.0",
      latency: { okOperations: 1900, p50Ms: 4, p95Ms: 20, p99Ms: 40 },
      startedAt: "2026-11-01T01:00:00.000Z",
    },
    "bench.yaml",
  );
}

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-store-bench-"));
try {
  const base = templateResults();
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < folders; i++) {
    const night = `2026-${String(1 + (Math.floor(i / 900) % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
    const folder = join(dir, `night-${night}`, `run-${i}`);
    mkdirSync(folder, { recursive: true });
    const text = `${JSON.stringify(
      {
        ...base,
        scenario: ["kill-leader", "baseline", "isolate-leader", "rolling-restart"][i % 4],
        nodes: [3, 5][i % 2],
        seed: i,
        zooKeeperVersion: ["3.8.0", "3.9.5"][i % 3 === 0 ? 0 : 1],
        startedAt: `${night}T01:${String(i % 60).padStart(2, "0")}:00.000Z`,
        latency: base.latency && {
          ...base.latency,
          p99Ms: base.latency.p99Ms * (1 + (i % 7) / 10),
        },
      },
      null,
      2,
    )}\n`;
    writeFileSync(join(folder, "results.json"), text);
    writeFileSync(join(folder, "report.md"), "# a run\n");
    files.push(join(folder, "results.json"));
    bytes += text.length;
  }
  console.log(
    `${folders} run folders, results.json ${(bytes / folders / 1024).toFixed(1)} KiB each (${(bytes / 1e6).toFixed(0)} MB)`,
  );

  let at = performance.now();
  let parsed = 0;
  for (let start = 0; start < files.length; start += 32)
    for (const text of await Promise.all(
      files.slice(start, start + 32).map((file) => readFile(file, "utf8")),
    ))
      parsed += (JSON.parse(text) as ResultsFile).verdicts.length > 0 ? 1 : 0;
  const floorMs = performance.now() - at;

  at = performance.now();
  const cold = await writeStoreIndex(dir);
  const coldMs = performance.now() - at;
  at = performance.now();
  const warm = await writeStoreIndex(dir);
  const warmMs = performance.now() - at;
  at = performance.now();
  const page = trendPage(analyseTrend(warm.index.runs));
  const trendMs = performance.now() - at;

  console.log(
    `anchor: read + JSON.parse of every results.json (${parsed} files): ${(floorMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `zk-chaos store, first index: ${(coldMs / 1000).toFixed(2)} s (${(coldMs / floorMs).toFixed(2)}x the anchor; bound 10 s), ${cold.index.runs.length} runs, ${cold.index.skipped.length} skipped`,
  );
  console.log(
    `zk-chaos store, unchanged store: ${(warmMs / 1000).toFixed(2)} s (${(warmMs / floorMs).toFixed(2)}x the anchor), ${warm.reused} reused`,
  );
  console.log(
    `trend page of ${warm.index.runs.length} runs: ${(trendMs / 1000).toFixed(2)} s, ${(page.length / 1e6).toFixed(2)} MB; index file ${(readFileSync(cold.file).length / 1e6).toFixed(1)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
