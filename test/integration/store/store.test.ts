import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunRecord } from "../../../src/store/run-record.js";
import { STORE_INDEX_FILE, type StoreIndex } from "../../../src/store/store-index.js";
import { type RunningStoreServer, serveStore } from "../../../src/store/store-server.js";
import { TREND_FIGURES } from "../../../src/store/trend-figures.js";
import { hasChromium, withWatchedPage } from "../../helpers/browser.js";
import { spawnCli } from "../../helpers/cli.js";
import {
  HOSTILE,
  makeNightStore,
  makeRealRuns,
  type NightStore,
  STORE_VERSIONS,
} from "../../helpers/run-store.js";
import { describeWithVersions } from "../../helpers/versions.js";

const SCENARIO = join(import.meta.dirname, "../../../scenarios/baseline.yaml");
const work = mkdtempSync(join(tmpdir(), "zk-chaos-store-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI to its end; returns its exit code and output. */
async function cli(args: string[]): Promise<{ code: number | string; output: string }> {
  const process = spawnCli(args);
  const code = await process.exited;
  return { code, output: process.output() };
}

/** A GET (or another method) exactly as written, no URL normalisation; the status and body. */
function raw(
  port: number,
  path: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: { host: options.host ?? `127.0.0.1:${port}` },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          body += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** Each night's median of a figure over a series' runs, computed here from the index alone. */
function expectedFigures(runs: readonly RunRecord[]): Map<string, number> {
  const groups = new Map<string, number[]>();
  for (const run of runs)
    for (const figure of TREND_FIGURES) {
      const value = run.figures[figure.key];
      if (value === undefined) continue;
      const key = JSON.stringify([run.scenario, run.nodes, run.night, figure.key]);
      groups.set(key, [...(groups.get(key) ?? []), value]);
    }
  return new Map(
    [...groups].map(([key, values]) => {
      const sorted = values.sort((a, b) => a - b);
      const middle = (sorted.length - 1) / 2;
      return [
        key,
        ((sorted[Math.floor(middle)] as number) + (sorted[Math.ceil(middle)] as number)) / 2,
      ];
    }),
  );
}

const describeStore = await describeWithVersions([...STORE_VERSIONS]);

describeStore("a store of nights made from real runs: index, serve, trend", () => {
  let store: NightStore;
  let index: StoreIndex;
  let server: RunningStoreServer;
  let port: number;
  beforeAll(async () => {
    const real = await makeRealRuns(join(work, "real"), SCENARIO);
    store = makeNightStore(join(work, "store"), real);
    const indexed = await cli(["store", store.dir]);
    expect(indexed.code, indexed.output).toBe(0);
    index = JSON.parse(readFileSync(join(store.dir, STORE_INDEX_FILE), "utf8")) as StoreIndex;
    server = await serveStore(store.dir, { port: 0 });
    port = Number(new URL(server.url).port);
  }, 180_000);
  afterAll(async () => server?.close());

  it("indexes every run, names and skips the folders that are not runs, reads nothing through a link", async () => {
    expect(store.realRuns).toBe(4);
    expect(index.runs).toHaveLength(store.runs);
    expect(index.runs.length).toBeGreaterThanOrEqual(24);
    expect(index.skipped.map((skipped) => skipped.path).sort()).toEqual([...store.corrupt].sort());
    expect(index.skipped.find((s) => s.path.endsWith("other-shape"))?.reason).toMatch(/nodes/);
    expect(index.runs.some((run) => run.path.startsWith("outside"))).toBe(false);
    expect(new Set(index.runs.map((run) => run.zooKeeperVersion))).toEqual(
      new Set([...STORE_VERSIONS, HOSTILE.version]),
    );
    expect(
      index.runs.every((run) => run.commit === "c0ffee1" || run.commit === HOSTILE.commit),
    ).toBe(true);
    // A second pass reads only what changed: nothing.
    const again = await cli(["store", store.dir]);
    expect(again.output).toMatch(/\(0 read, \d+ unchanged/);
  });

  it("the trend names the slow night, the flaky scenario and the finding seen on two nights", async () => {
    const out = join(work, "trend.html");
    const trend = await cli(["trend", store.dir, "--out", out, "--fail-on-regression"]);
    expect(trend.code, trend.output).toBe(1);
    expect(trend.output).toMatch(/regression: baseline n=1 p99 latency .* on 2026-11-06/);
    expect(trend.output).toMatch(
      new RegExp(
        `flaky: ${store.flaky.scenario} n=1 seed=${store.flaky.seed} ZooKeeper ${store.flaky.version}: 6 valid, 1 invalid`,
      ),
    );
    // Every finding was seen before the last night: none is new, and the page groups the lost write's two nights.
    expect(trend.output).toMatch(/0 new finding/);
    const page = readFileSync(out, "utf8");
    expect(page).toMatch(
      /lost-write<\/td><td>server # truncated its log to #<\/td><td>2026-11-02<\/td><td>2026-11-05<\/td><td>2<\/td>/,
    );
    // Against a baseline of the first night alone, every finding is new.
    const fresh = await cli([
      "trend",
      store.dir,
      "--out",
      join(work, "against-first.html"),
      "--baseline",
      join(store.dir, "night-2026-11-01"),
      "--fail-on-new-anomaly",
    ]);
    expect(fresh.code, fresh.output).toBe(1);
    expect(fresh.output).toMatch(/3 new finding/);
    expect((await cli(["trend", join(work, "nowhere")])).code).toBe(2);
  });

  it("refuses paths out of the store, methods that write, other hosts and huge URLs", async () => {
    for (const path of [
      "/store/../../../../etc/passwd",
      "/store/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/store/..%2f..%2f..%2fetc%2fpasswd",
      "/store/outside/passwd",
      "/store/night-2026-11-01/%00",
      "/store/%E0%A4%A",
      "/../etc/passwd",
    ]) {
      const response = await raw(port, path);
      expect([400, 404], path).toContain(response.status);
      expect(response.body).not.toMatch(/root:/);
    }
    expect((await raw(port, `/store/${"a/".repeat(3000)}`)).status).toBe(414);
    expect((await raw(port, "/", { method: "POST" })).status).toBe(405);
    expect((await raw(port, "/", { method: "DELETE" })).status).toBe(405);
    expect((await raw(port, "/", { host: "attacker.example:80" })).status).toBe(421);
    const served = await raw(
      port,
      `/store/night-2026-11-03/${encodeURIComponent(HOSTILE.folder)}/results.json`,
    );
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body).scenario).toBe(HOSTILE.scenario);
    expect((await raw(port, "/store/night-2026-11-01")).status).toBe(301);
  });

  it("holds at most its bound of connections and serves again once they go", async () => {
    const sockets: Socket[] = [];
    let closedByServer = 0;
    await Promise.all(
      Array.from(
        { length: 150 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, "127.0.0.1", () => resolve());
            socket.on("close", () => closedByServer++);
            socket.on("error", () => resolve());
            sockets.push(socket);
          }),
      ),
    );
    await expect.poll(() => closedByServer, { timeout: 5000 }).toBeGreaterThanOrEqual(150 - 64);
    for (const socket of sockets) socket.destroy();
    expect((await raw(port, "/")).status).toBe(200);
  });

  it.skipIf(!hasChromium)(
    "in Chromium: the list filters, the charts render, no console errors, no markup from results.json runs, and the index, the server and the trend file agree",
    async () => {
      const expected = expectedFigures(index.runs);
      await withWatchedPage(async ({ page, problems }) => {
        const injected = () =>
          page.evaluate(
            () =>
              (
                globalThis as unknown as {
                  document: { querySelectorAll(s: string): { length: number } };
                }
              ).document.querySelectorAll("script, img, #injected, svg[onload]").length,
          );

        await page.goto(server.url);
        expect(await page.locator("#runs tr[data-path]").count()).toBe(store.runs);
        expect(await injected()).toBe(0);
        await page.selectOption('select[name="version"]', "3.9.5");
        await page.selectOption('select[name="verdict"]', "valid");
        await Promise.all([page.waitForURL(/version=3\.9\.5/), page.click("form.filters button")]);
        const rows = index.runs.filter(
          (run) => run.zooKeeperVersion === "3.9.5" && run.valid === true,
        );
        expect(rows.length).toBeGreaterThan(0);
        expect(await page.locator("#runs tr[data-path]").count()).toBe(rows.length);
        expect(await page.locator("#shown").textContent()).toContain(
          `${rows.length} of ${store.runs}`,
        );

        // A run's own report opens from the list, with its charts.
        await page.locator("#runs a", { hasText: "report" }).first().click();
        await expect.poll(() => page.locator("#verdict").textContent()).toMatch(/^valid$/i);

        const readFigures = () =>
          page.locator("section.series table.nights tr").evaluateAll((rows) =>
            rows.flatMap((row) => {
              const section = row.closest("section") as unknown as {
                dataset: Record<string, string>;
              };
              const night = row.querySelector("td")?.textContent ?? "";
              return [...row.querySelectorAll("td[data-value]")].map(
                (cell) =>
                  [
                    JSON.stringify([
                      section.dataset.scenario,
                      Number(section.dataset.nodes),
                      night,
                      (cell as unknown as { dataset: Record<string, string> }).dataset.figure,
                    ]),
                    Number((cell as unknown as { dataset: Record<string, string> }).dataset.value),
                  ] as [string, number],
              );
            }),
          );
        for (const source of [`${server.url}trend`, `file://${join(work, "trend.html")}`]) {
          await page.goto(source);
          expect(await page.locator("svg.trend").count(), source).toBeGreaterThan(6);
          expect(await page.locator("svg.trend circle").count(), source).toBeGreaterThan(12);
          expect(await page.locator("#regressions tr.regressed").count(), source).toBeGreaterThan(
            0,
          );
          expect(await injected(), source).toBe(0);
          const shown = new Map(await readFigures());
          expect(shown.size, source).toBe(expected.size);
          for (const [key, value] of expected)
            expect(shown.get(key), `${source} ${key}`).toBeCloseTo(value, 6);
        }
        expect(await page.locator("#findings").textContent()).toContain(HOSTILE.kind);
        expect(problems).toEqual([]);
      });
    },
    60_000,
  );

  it("serve from the CLI answers, and SIGTERM stops it", async () => {
    const process = spawnCli(["serve", store.dir, "--port", "0"]);
    await process.waitFor(/serving .* at http:\/\/127\.0\.0\.1:\d+\//, 30_000);
    const url = /at (http:\/\/\S+)/.exec(process.output())?.[1] as string;
    expect((await raw(Number(new URL(url).port), "/trend")).status).toBe(200);
    process.child.kill("SIGTERM");
    expect(await process.exited).toBe(143);
  });
});
