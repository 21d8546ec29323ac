import { describe, expect, it } from "vitest";
import type { ResultsFile } from "../../../src/report/results.js";
import { flakyScenarios, groupedFindings } from "../../../src/store/flakes.js";
import { causeKey, type RunRecord, runFigures, runRecord } from "../../../src/store/run-record.js";
import { filterRuns } from "../../../src/store/store-pages.js";
import { storeSegments } from "../../../src/store/store-server.js";
import { regressions, trendSeries } from "../../../src/store/trend.js";

const window = (
  startMs: number,
  expectedAvailable: boolean,
  operations: number,
  succeeded: number,
  firstSuccessMs?: number,
) => ({
  startMs,
  endMs: startMs + 1000,
  blocked: 0,
  down: [],
  expectedAvailable,
  mustServe: [],
  mayServe: [],
  operations,
  succeeded,
  ...(firstSuccessMs === undefined ? {} : { firstSuccessMs }),
  longestGapMs: 0,
});

const results: ResultsFile = {
  schemaVersion: 1,
  scenario: "kill-leader",
  description: "",
  nodes: 3,
  seed: 7,
  zooKeeperVersion: "3.8.0",
  valid: false,
  operations: 100,
  events: 200,
  timings: { startMs: 1, runMs: 2, recoveryMs: 640, totalMs: 3 },
  latency: { okOperations: 90, p50Ms: 4, p95Ms: 20, p99Ms: 35 },
  replay: "zk-chaos run kill-leader.yaml",
  startedAt: "2026-11-02T23:30:00.000+02:00",
  commit: "abc1234",
  verdicts: [
    {
      checker: "availability",
      guarantee: "",
      valid: true,
      anomalies: [],
      stats: {
        windows: [
          window(0, true, 10, 10, 5),
          window(1000, true, 0, 0),
          window(2000, true, 40, 30, 812),
          window(3000, false, 20, 0),
          window(4000, true, 30, 0),
          window(5000, true, 30, 30, 95),
        ],
      },
      elapsedMs: 1,
    },
    {
      checker: "zookeeper-registers",
      guarantee: "",
      valid: false,
      anomalies: [
        {
          kind: "lost-write",
          message: "",
          events: [1],
          cause: { message: "server 2 truncated to 0x1:0x93 at 17", events: [] },
        },
        {
          kind: "lost-write",
          message: "",
          events: [2],
          cause: { message: "server 3 truncated to 0x2:0x10 at 4", events: [] },
        },
        {
          kind: "stale-read",
          message: "",
          events: [3],
          cause: { message: "x", events: [], knownBugs: ["ZOOKEEPER-4643", "ZOOKEEPER-3911"] },
        },
      ],
      elapsedMs: 1,
    },
  ],
};

describe("a run as the store keeps it", () => {
  it("reads the figures: election is the slowest first success after a change; windows without operations do not count", () => {
    expect(runFigures(results)).toEqual({
      electionMs: 812,
      recoveryMs: 640,
      windowsKept: 3 / 4,
      p50Ms: 4,
      p99Ms: 35,
      anomalies: 3,
    });
  });

  it("groups anomalies by checker, kind and cause, blanking numbers and ids; a documented bug names itself", () => {
    expect(causeKey(undefined)).toBe("no cause named");
    const record = runRecord(results, "n1/run", { size: 1, mtimeMs: 0 });
    expect(record.anomalies).toEqual([
      {
        checker: "zookeeper-registers",
        kind: "lost-write",
        cause: "server # truncated to # at #",
        count: 2,
      },
      {
        checker: "zookeeper-registers",
        kind: "stale-read",
        cause: "ZOOKEEPER-3911 + ZOOKEEPER-4643",
        count: 1,
      },
    ]);
    // The night is the UTC date of the start, wherever the run was made.
    expect(record.startedAt).toBe("2026-11-02T21:30:00.000Z");
    expect(record.night).toBe("2026-11-02");
    expect(record.commit).toBe("abc1234");
    const undated = runRecord({ ...results, startedAt: "yesterday" }, "r", {
      size: 1,
      mtimeMs: Date.UTC(2026, 0, 5),
    });
    expect(undated.night).toBe("2026-01-05");
  });
});

/** A stored run with only what the analyses read. */
function run(
  night: string,
  figures: Partial<RunRecord["figures"]>,
  extra: Partial<RunRecord> = {},
): RunRecord {
  return {
    path: `${night}/${extra.seed ?? 1}-${Math.random()}`,
    scenario: "kill-leader",
    nodes: 3,
    seed: 1,
    zooKeeperVersion: "3.9.5",
    valid: true,
    startedAt: `${night}T01:00:00.000Z`,
    night,
    commit: "c1",
    figures: { anomalies: 0, ...figures },
    anomalies: [],
    source: { size: 1, mtimeMs: 1 },
    ...extra,
  };
}

describe("trends and regressions", () => {
  it("a night's value is the median of its runs; nights in order", () => {
    const series = trendSeries([
      run("2026-11-02", { p99Ms: 30 }),
      run("2026-11-01", { p99Ms: 10 }),
      run("2026-11-01", { p99Ms: 20 }),
      run("2026-11-01", { p99Ms: 90 }, { zooKeeperVersion: "3.8.0" }),
      run("2026-11-01", { p99Ms: 40 }, { nodes: 5 }),
    ]);
    expect(series.map((s) => [s.scenario, s.nodes])).toEqual([
      ["kill-leader", 3],
      ["kill-leader", 5],
    ]);
    expect(series[0]?.points.map((p) => [p.night, p.runs, p.values.p99Ms, p.versions])).toEqual([
      ["2026-11-01", 3, 20, ["3.8.0", "3.9.5"]],
      ["2026-11-02", 1, 30, ["3.9.5"]],
    ]);
  });

  it("regresses past the worst night plus the spread, not inside it; needs two baseline nights; lower-is-worse turns around", () => {
    const nights = [
      run("2026-11-01", { p99Ms: 40, windowsKept: 1 }),
      run("2026-11-02", { p99Ms: 60, windowsKept: 0.9 }),
    ];
    // Limit 60 + (60 - 40) = 80.
    expect(regressions([...nights, run("2026-11-03", { p99Ms: 79, windowsKept: 0.85 })])).toEqual(
      [],
    );
    const found = regressions([...nights, run("2026-11-03", { p99Ms: 81, windowsKept: 0.7 })]);
    expect(found.map((r) => [r.figure, r.value, r.limit, r.baselineNights])).toEqual([
      ["windowsKept", 0.7, 0.8, 2],
      ["p99Ms", 81, 80, 2],
    ]);
    // A figure that never moved still needs its floor (10 ms for p99).
    const flat = [run("2026-11-01", { p99Ms: 40 }), run("2026-11-02", { p99Ms: 40 })];
    expect(regressions([...flat, run("2026-11-03", { p99Ms: 49 })])).toEqual([]);
    expect(regressions([...flat, run("2026-11-03", { p99Ms: 51 })])).toHaveLength(1);
    // One baseline night judges nothing.
    expect(
      regressions([run("2026-11-01", { p99Ms: 1 }), run("2026-11-02", { p99Ms: 500 })]),
    ).toEqual([]);
    // Another store as the baseline: the current store's own earlier nights are then not the baseline.
    expect(regressions([run("2026-11-09", { p99Ms: 81 })], nights)).toHaveLength(1);
  });
});

describe("flakes and findings", () => {
  const lost = {
    checker: "zookeeper-registers",
    kind: "lost-write",
    cause: "server # truncated",
    count: 1,
  };
  it("a verdict that differs on the same commit, seed, size and version is flaky; another commit or seed is not", () => {
    const flaky = flakyScenarios([
      run("2026-11-01", {}, { valid: true }),
      run("2026-11-02", {}, { valid: false }),
      run("2026-11-02", {}, { valid: false, commit: "c2" }),
      run("2026-11-02", {}, { valid: true, commit: "c2", seed: 2 }),
      run("2026-11-03", {}, { valid: "unknown" }),
    ]);
    expect(flaky.map((f) => [f.commit, f.seed, f.valid, f.invalid])).toEqual([["c1", 1, 1, 1]]);
  });

  it("one anomaly on several nights is one finding with its first and last night; new only when the latest night is its first", () => {
    const runs = [
      run("2026-11-01", {}, { anomalies: [lost] }),
      run("2026-11-03", {}, { anomalies: [{ ...lost, count: 2 }] }),
      run(
        "2026-11-04",
        {},
        { anomalies: [{ ...lost, kind: "stale-read" }], scenario: "rolling-restart" },
      ),
    ];
    const findings = groupedFindings(runs);
    expect(
      findings.map((f) => [f.kind, f.firstSeen, f.lastSeen, f.nights, f.occurrences, f.isNew]),
    ).toEqual([
      ["stale-read", "2026-11-04", "2026-11-04", 1, 1, true],
      ["lost-write", "2026-11-01", "2026-11-03", 2, 3, false],
    ]);
    // Against a baseline that saw the lost write only.
    expect(groupedFindings(runs, [runs[0] as RunRecord]).map((f) => f.isNew)).toEqual([
      true,
      false,
    ]);
  });

  it("filters the list by every field the form offers", () => {
    const runs = [
      run("2026-11-01", {}),
      run("2026-11-02", {}, { nodes: 5, valid: false, zooKeeperVersion: "3.8.0" }),
    ];
    expect(
      filterRuns(runs, { nodes: "5", verdict: "invalid", version: "3.8.0", night: "2026-11-02" }),
    ).toHaveLength(1);
    expect(filterRuns(runs, { commit: "c1", scenario: "kill-leader" })).toHaveLength(2);
    expect(filterRuns(runs, { verdict: "valid", nodes: "5" })).toHaveLength(0);
  });
});

describe("paths the server accepts", () => {
  it("decodes each segment and refuses any that could leave the store", () => {
    expect(storeSegments("/night-1/run%20a/report.html")).toEqual([
      "night-1",
      "run a",
      "report.html",
    ]);
    expect(storeSegments("/")).toEqual([]);
    for (const path of [
      "/../x",
      "/a/%2e%2e/b",
      "/a/..%2fb",
      "/a%5cb",
      "/a%00",
      "/%E0%A4%A",
      "/./a",
    ])
      expect(storeSegments(path), path).toBeUndefined();
  });
});
