import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticHistory } from "../../../src/checkers/synthetic-history.js";
import { htmlReport } from "../../../src/report/html.js";
import { resultsFile } from "../../../src/report/results.js";
import { checkPlanHistory } from "../../../src/runner/run-plan.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

const run = promisify(execFile);
const CHROMIUM = "/usr/bin/chromium";
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-html-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(!existsSync(CHROMIUM))(
  "the HTML report in headless Chromium (Debian's chromium)",
  () => {
    it("renders its charts with no console errors; the key elements are there; system data is escaped", async () => {
      const { events } = syntheticHistory(
        { seed: 3, operations: 600, processes: 5, registers: 2 },
        "lost-write",
      );
      // Data from the system under test may hold markup: it must be shown, not run.
      events.push({
        index: events.length,
        time: (events.at(-1)?.time ?? 0) + 1,
        process: "nemesis",
        type: "info",
        f: "kill",
        value: { id: "<script>alert(1)</script>" },
      });
      const scenario = parseScenario(
        'name: html\ndescription: "<img src=x onerror=alert(2)> report"\n',
        "html.yaml",
      );
      const plan = planRun(scenario, 3, 3);
      const verdicts = checkPlanHistory(plan, events, 50);
      const results = resultsFile(
        {
          plan,
          dir,
          valid: false,
          verdicts,
          operations: 600,
          events: events.length,
          timings: { startMs: 1, runMs: 2, recoveryMs: 3, totalMs: 4 },
          zooKeeperVersion: "3.8.0",
        },
        "html.yaml",
      );
      const file = join(dir, "report.html");
      const html = htmlReport(results, events);
      writeFileSync(file, html);
      expect(html).not.toContain("<script>");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");

      const profile = mkdtempSync(join(dir, "profile-"));
      const common = [
        ...FLAGS,
        `--user-data-dir=${profile}`,
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1100,1600",
      ];
      const screenshot = process.env.ZK_CHAOS_KEEP_SCREENSHOT ?? join(dir, "report.png");
      const shot = await run(
        CHROMIUM,
        [...common, `--screenshot=${screenshot}`, `file://${file}`],
        { timeout: 60_000 },
      );
      expect(statSync(screenshot).size).toBeGreaterThan(20_000);
      const console = `${shot.stdout}\n${shot.stderr}`
        .split("\n")
        .filter((line) => /CONSOLE|Uncaught|SyntaxError/.test(line));
      expect(console).toEqual([]);
      const dom = (
        await run(CHROMIUM, [...common, "--dump-dom", `file://${file}`], {
          timeout: 60_000,
          maxBuffer: 64 * 1024 * 1024,
        })
      ).stdout;
      expect(dom).toMatch(/<span id="verdict" class="invalid">INVALID<\/span>/);
      expect(dom).toMatch(/<table id="verdicts">/);
      expect(dom).toMatch(/<div id="timeline"><svg class="chart"[^>]*>.*<rect/s);
      expect(dom).toMatch(/<div id="throughput"><svg class="chart".*<polyline/s);
      expect(dom).toMatch(/<table id="availability">/);
      expect(dom).toMatch(
        /<div id="anomalies"><section class="cause"><h3>\d+ anomal(y|ies) with no cause proven from the servers' logs<\/h3><div class="anomaly"><h4>/,
      );
      expect(dom).toMatch(/<h4>lost-write <small>zookeeper-registers<\/small><\/h4>/);
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
    });
  },
);
