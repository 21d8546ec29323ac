import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlReport } from "../../../src/report/html.js";
import { resultsFile } from "../../../src/report/results.js";
import { checkPlanHistory } from "../../../src/runner/run-plan.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";
import { syntheticHistory, withRecovery } from "../../../src/testing/synthetic-history.js";
import { hasChromium, withWatchedPage } from "../../helpers/browser.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-html-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the page's window offers, for code evaluated in the browser (no DOM types here). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { display: string };
}

describe.skipIf(!hasChromium)("the HTML report in headless Chromium (Debian's chromium)", () => {
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
    // The servers' own log lines, as a run records them: they draw the lanes.
    const last = events.at(-1)?.time ?? 0;
    for (const [server, kind, line, at] of [
      ["server-1", "looking", "QuorumPeer - LOOKING", 0],
      ["server-1", "leading", "QuorumPeer - LEADING", 0.1],
      ["server-2", "following", "QuorumPeer - FOLLOWING", 0.1],
      [
        "server-2",
        "truncating-log",
        "Truncating log to get in sync with the leader 0x100000004",
        0.5,
      ],
    ] as const)
      events.push({
        index: events.length,
        time: last * at + 2,
        process: server,
        type: "info",
        f: "log",
        value: { kind, line },
      });
    const scenario = parseScenario(
      'name: html\ndescription: "<img src=x onerror=alert(2)> report"\n',
      "html.yaml",
    );
    const plan = planRun(scenario, 3, 3);
    const verdicts = checkPlanHistory(plan, withRecovery(events, 50));
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
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");

    const screenshot = process.env.ZK_CHAOS_KEEP_SCREENSHOT ?? join(dir, "report.png");
    await withWatchedPage(
      async ({ page, problems }) => {
        await page.goto(`file://${file}`);
        await expect.poll(() => page.locator("#verdict").textContent()).toBe("INVALID");
        for (const chart of ["#server-lanes", "#timeline", "#throughput", "#latency"])
          expect(await page.locator(`${chart} svg`).count(), chart).toBeGreaterThan(0);
        expect(await page.locator("#verdicts tr").count()).toBeGreaterThan(1);
        expect(await page.locator("#availability").count()).toBe(1);
        expect(await page.locator("#anomalies h4").first().textContent()).toMatch(
          /zookeeper-registers|register-linearizability/,
        );
        await expect.poll(() => page.locator("#anomalies").textContent()).toMatch(/lost-write/);

        // Hover an operation: the panel shows its events as text.
        const detail = page.locator("#event-detail");
        expect(await detail.isHidden()).toBe(true);
        const point = page.locator("#latency circle[data-ev]:not(.proof)").nth(100);
        await point.hover({ force: true });
        const shown = JSON.parse(`[${(await detail.textContent())?.replace(/\}\s*\{/g, "},{")}]`);
        expect(shown).toHaveLength(2);
        expect(shown[0]).toMatchObject({ type: "invoke" });
        expect(shown[1].type).toMatch(/^(ok|fail|info)$/);
        expect(shown[1].process).toBe(shown[0].process);
        // A click pins it; hovering elsewhere no longer changes it.
        await point.click({ force: true });
        const pinned = await detail.textContent();
        expect(await detail.getAttribute("class")).toContain("pinned");
        await page.locator("#latency circle[data-ev]:not(.proof)").nth(300).hover({ force: true });
        expect(await detail.textContent()).toBe(pinned);

        // One operation type at a time: its points alone, and its own quantile lines.
        const visible = (selector: string) =>
          page
            .locator(selector)
            .evaluateAll(
              (elements) =>
                elements.filter(
                  (element) =>
                    (globalThis as unknown as BrowserWindow).getComputedStyle(element).display !==
                    "none",
                ).length,
            );
        const all = await visible("#latency circle.op");
        const types = (await page.locator("#latency svg").getAttribute("data-types"))?.split(",");
        const read = types?.indexOf("read") ?? -1;
        expect(read).toBeGreaterThanOrEqual(0);
        await page.locator("#latency-types button", { hasText: /^read$/ }).click();
        const reads = await visible("#latency circle.op");
        expect(reads).toBeGreaterThan(0);
        expect(reads).toBeLessThan(all);
        expect(reads).toBe(await page.locator(`#latency circle.op.t${read}`).count());
        expect(await visible("#latency polyline.qall")).toBe(0);
        expect(await visible(`#latency polyline.qt${read}`)).toBeGreaterThan(0);
        await page.locator("#latency-types button", { hasText: /^all$/ }).click();
        expect(await visible("#latency circle.op")).toBe(all);

        // Hovering an anomaly lights up the operations that prove it.
        expect(await page.locator("circle.proof.lit").count()).toBe(0);
        await page.locator(".anomaly[data-proof]").first().hover();
        expect(await page.locator("circle.proof.lit").count()).toBeGreaterThan(0);

        // The markup in system data is text on the page, never run.
        expect(await page.locator("body").textContent()).toContain(
          "<img src=x onerror=alert(2)> report",
        );
        await page.screenshot({ path: screenshot, fullPage: true });
        expect(problems).toEqual([]);
      },
      { width: 1100, height: 1600 },
    );
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe("PNG");
  });
});
