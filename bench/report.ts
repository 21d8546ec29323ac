/**
 * Benchmark: the HTML report of a 100k-operation run: its size, the time to
 * build it, and the time headless Chromium takes to load and lay it out
 * (--dump-dom, minus Chromium's own start-up measured on an empty page).
 *   node dist/bench/report.js [operations=100000]
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { htmlReport } from "../src/report/html.js";
import { resultsFile } from "../src/report/results.js";
import { checkPlanHistory } from "../src/runner/run-plan.js";
import { parseScenario } from "../src/scenario/load-scenario.js";
import { planRun } from "../src/scenario/plan.js";
import { syntheticHistory, withRecovery } from "../src/testing/synthetic-history.js";

const operations = Number(process.argv[2] ?? 100_000);
const CHROMIUM = "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "zk-chaos-report-bench-"));
try {
  const { events } = syntheticHistory(
    { seed: 1, operations, processes: 40, registers: 5, infoRate: 0.01 },
    "lost-write",
  );
  const plan = planRun(parseScenario("name: report-bench\n", "bench.yaml"), 3, 1);
  const verdicts = checkPlanHistory(plan, withRecovery(events, 60_000));
  const results = resultsFile(
    {
      plan,
      dir,
      valid: false,
      verdicts,
      operations,
      events: events.length,
      timings: { startMs: 1, runMs: 2, recoveryMs: 3, totalMs: 4 },
      zooKeeperVersion: "3.8.0",
    },
    "bench.yaml",
  );
  const started = performance.now();
  const html = htmlReport(results, events);
  const buildMs = performance.now() - started;
  const file = join(dir, "report.html");
  writeFileSync(file, html);
  console.log(`operations: ${operations}, events: ${events.length}`);
  console.log(
    `report.html: ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, built in ${buildMs.toFixed(0)} ms`,
  );
  if (existsSync(CHROMIUM)) {
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${join(dir, "profile")}`,
      "--dump-dom",
    ];
    const load = (url: string) => {
      const at = performance.now();
      execFileSync(CHROMIUM, [...flags, url], { stdio: "ignore", maxBuffer: 256 * 1024 * 1024 });
      return performance.now() - at;
    };
    writeFileSync(join(dir, "empty.html"), "<!doctype html><title>empty</title>");
    const empty = Math.min(
      load(`file://${join(dir, "empty.html")}`),
      load(`file://${join(dir, "empty.html")}`),
    );
    const page = Math.min(load(`file://${file}`), load(`file://${file}`));
    console.log(
      `headless Chromium: ${page.toFixed(0)} ms for the report, ${empty.toFixed(0)} ms for an empty page: about ${(page - empty).toFixed(0)} ms to load and lay out the report (best of 2)`,
    );
  } else
    console.log(
      "headless Chromium: not installed (apt-get install -y chromium), render time not measured",
    );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
