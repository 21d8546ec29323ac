import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Verdict } from "../../../src/checkers/verdict.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { readHistoryFile } from "../../../src/history/reader.js";
import type { ResultsFile } from "../../../src/report/results.js";
import { runMatrix } from "../../../src/runner/run-matrix.js";
import { checkScenarioRun, freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();
const out = mkdtempSync(join(tmpdir(), "zk-chaos-watches-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const watches = (run: ResultsFile) =>
  run.verdicts.find((verdict) => verdict.checker === "watches") as Verdict;
const proof = (run: ResultsFile) =>
  JSON.stringify(run.verdicts.flatMap((verdict) => verdict.anomalies).slice(0, 3));

/**
 * The anomalies, and what the first one's session did up to its last event
 * (reads with their zxids, notifications, session changes, cache): a rare
 * failure in CI, whose run folder is gone, leaves what it needs to be judged.
 */
function proofWithHistory(run: ResultsFile, events: readonly HistoryEvent[]): string {
  const [first] = run.verdicts.flatMap((verdict) => verdict.anomalies);
  const session = first?.message.match(/session ([0-9a-f]+)/)?.[1];
  if (first === undefined || session === undefined) return proof(run);
  const last = Math.max(...first.events);
  const named = new Set(first.events);
  // The agent's reads are on its worker's process, its notifications and session changes on session-N.
  const agents = new Set(
    events
      .filter((event) => event.session === session && typeof event.process === "string")
      .flatMap((event) => [event.process, Number(String(event.process).slice(8))]),
  );
  const lines = events
    .filter((event) => event.index <= last + 5)
    .filter((event) => agents.has(event.process) || named.has(event.index))
    .slice(-200)
    .map((event) => JSON.stringify(event));
  return `${proof(run)}\nsession ${session} up to event ${last}:\n${lines.join("\n")}`;
}

/** The standard scenarios, shortened, with three watching agents: runs in the matrix's output folder. */
async function standardWithWatchers(files: string[], nodes: number): Promise<ResultsFile[]> {
  const previous = process.env.ZK_CHAOS_RUNTIME_DIR;
  process.env.ZK_CHAOS_RUNTIME_DIR = root();
  try {
    const { runs } = await runMatrix({
      scenarioFiles: files.map((file) => `scenarios/${file}.yaml`),
      nodes: [nodes],
      seed: 21,
      durationMs: 12_000,
      watch: { agents: 3, mode: "one-time", probe: 250 },
      out,
    });
    return runs;
  } finally {
    if (previous === undefined) delete process.env.ZK_CHAOS_RUNTIME_DIR;
    else process.env.ZK_CHAOS_RUNTIME_DIR = previous;
  }
}

describe("watching agents against real ZooKeeper", () => {
  // Three servers: the agents spread over every server either way, and a fourth and fifth
  // add nothing about watches (the 5-server run was 17 s of CI for the same point).
  it("standard scenarios with watching agents stay valid: leader kill and a partition at 3 nodes", async () => {
    const runs = await standardWithWatchers(["kill-leader", "minority-partition"], 3);
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.valid, `${run.scenario} n${run.nodes}: ${proof(run)}`).toBe(true);
      const stats = watches(run).stats as Record<string, number>;
      expect(watches(run).valid).toBe(true);
      expect(stats.notifications).toBeGreaterThan(20);
      expect(stats.notificationsWithKnownChange).toBeGreaterThan(0);
      expect(stats.agentsConverged).toBe(3);
    }
    // The report measures them: delay per fault window, staleness per agent.
    const folder = readdirSync(out).find((name) => name.includes("-kill-leader-n3-")) as string;
    const html = readFileSync(join(out, folder, "report.html"), "utf8");
    expect(html).toContain('<table id="watch-delays">');
    expect(
      html.match(/<table id="watch-staleness">[\s\S]*?<\/table>/)?.[0].match(/<tr>/g),
    ).toHaveLength(4);
  });

  it("watchers whose sessions expire get no event on them, load anew on new sessions and converge", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/watches/expiring-watchers.yaml",
      3,
      11,
      async (run, dir) => {
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        expect(run.valid, proofWithHistory(run, events)).toBe(true);
        const watchers = new Set(["session-4", "session-5"]);
        const expired = events.filter(
          (event) =>
            watchers.has(String(event.process)) &&
            (event.value as { event?: string }).event === "expired",
        );
        expect(expired.length).toBeGreaterThan(0);
        // Each expired watcher opened a new session and read the topology again with watches.
        for (const event of expired) {
          const agent = Number(String(event.process).slice(8));
          const reads = events.filter(
            (each: HistoryEvent) =>
              each.process === agent &&
              each.type === "ok" &&
              each.f === "watch-read" &&
              each.index > event.index,
          );
          expect(reads.length).toBeGreaterThan(5);
          expect(reads.every((read) => read.session !== event.session)).toBe(true);
        }
        expect((watches(run).stats as Record<string, number>).agentsConverged).toBe(2);
      },
    );
  });

  it("persistent recursive watches (addWatch) through a leader kill: valid, every change fired once", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/watches/persistent-watchers.yaml",
      3,
      5,
      async (run, dir) => {
        expect(run.valid, proof(run)).toBe(true);
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        expect(
          events.filter((event) => event.f === "add-watch" && event.type === "ok").length,
        ).toBeGreaterThanOrEqual(2);
        const stats = watches(run).stats as Record<string, number>;
        expect(stats.notificationsWithKnownChange).toBeGreaterThan(20);
      },
    );
  });

  it("a client that drops one notification is caught: the watch, the change and the end that prove it", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/watches/broken-client-drop.yaml",
      3,
      11,
      async (run, dir) => {
        expect(run.valid).toBe(false);
        const found = watches(run).anomalies;
        const missed = found.find((anomaly) => anomaly.kind === "missed-watch-event");
        expect(missed, proof(run)).toBeDefined();
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        const [set, change, end] = (missed?.events ?? []).map(
          (index) => events[index] as HistoryEvent,
        );
        expect(set?.f).toBe("watch-read");
        expect(
          typeof change?.process === "number" && change.type === "ok" && change.zxid,
        ).toBeTruthy();
        expect(end?.f).toBe("watch-end");
        expect(found.some((anomaly) => anomaly.kind === "stale-watch-cache")).toBe(true);
        // Nothing else is blamed: the servers were right.
        expect(
          run.verdicts
            .filter((verdict) => verdict.valid === false)
            .map((verdict) => verdict.checker),
        ).toEqual(["watches"]);
      },
    );
  });

  it("a client that delivers two notifications out of order is caught, naming both changes and both events", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/watches/broken-client-swap.yaml",
      3,
      11,
      async (run, dir) => {
        expect(run.valid).toBe(false);
        const swapped = watches(run).anomalies.find(
          (anomaly) => anomaly.kind === "watch-events-out-of-order",
        );
        expect(swapped, proof(run)).toBeDefined();
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        const [older, newer, deliveredFirst, deliveredSecond] = (swapped?.events ?? []).map(
          (index) => events[index] as HistoryEvent,
        );
        expect(BigInt(older?.zxid ?? "0")).toBeLessThan(BigInt(newer?.zxid ?? "0"));
        expect([deliveredFirst?.f, deliveredSecond?.f]).toEqual(["notify", "notify"]);
        expect(deliveredFirst?.index).toBeLessThan(deliveredSecond?.index as number);
      },
    );
  });
});
