import { describe, expect, it } from "vitest";
import { junitReport } from "../../../src/report/junit.js";
import { markdownReport } from "../../../src/report/markdown.js";
import type { ResultsFile } from "../../../src/report/results.js";
import { matrixEntries } from "../../../src/runner/run-matrix.js";
import { loadScenario, parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

const UPGRADES = new URL("../../../scenarios/upgrades/", import.meta.url).pathname;

describe("versions in scenarios and plans", () => {
  it("a rolling upgrade is one upgrade per server, by id, spread over the entry's span", () => {
    const scenario = loadScenario(`${UPGRADES}rolling-upgrade.yaml`);
    const plan = planRun(scenario, 3, 7);
    expect(plan.zookeeperVersion).toBe("3.8.6");
    expect(plan.schedule.map((item) => [item.id, item.at, item.spec])).toEqual([
      ["f1.1", 3000, { kind: "upgrade", target: 1, version: "3.9.5" }],
      ["f1.2", 8000, { kind: "upgrade", target: 2, version: "3.9.5" }],
      ["f1.3", 13000, { kind: "upgrade", target: 3, version: "3.9.5" }],
    ]);
    expect(planRun(scenario, 5, 7).schedule).toHaveLength(5);
  });

  it("a version given for the run replaces the scenario's, per-server ones included", () => {
    const scenario = parseScenario(
      "name: mixed\nnodes: [3]\nzookeeper: { version: 3.8.6, versions: { 2: 3.9.5 } }\n",
      "mixed.yaml",
    );
    expect(planRun(scenario, 3, 1).serverVersions).toEqual({ 2: "3.9.5" });
    const forced = planRun(scenario, 3, 1, undefined, "3.4.5");
    expect(forced.zookeeperVersion).toBe("3.4.5");
    expect(forced.serverVersions).toBeUndefined();
  });

  it("rejects unknown keys for the version, unknown lines, absent servers and upgrades off local, at their line", () => {
    expect(() =>
      parseScenario(
        "name: x\nnodes: [3]\nzookeeper:\n  version: 3.4.5\n  config: { 4lw.commands.whitelist: '*' }\n",
        "k.yaml",
      ),
    ).toThrow(
      "k.yaml:4: zookeeper.config key '4lw.commands.whitelist' is not known to ZooKeeper 3.4.5",
    );
    expect(() =>
      parseScenario("name: x\nnodes: [3]\nzookeeper: { version: 3.10.0 }\n", "l.yaml"),
    ).toThrow(/l\.yaml:3: .*outside the release lines/);
    expect(() =>
      parseScenario("name: x\nnodes: [3, 5]\nzookeeper: { versions: { 5: 3.9.5 } }\n", "s.yaml"),
    ).toThrow(/s\.yaml:3: zookeeper\.versions\.5: server 5 does not exist in a 3-node ensemble/);
    expect(() =>
      parseScenario(
        "name: x\nprovider: docker\nfaults:\n  - at: 1s\n    fault: { kind: upgrade, version: 3.9.5 }\n",
        "d.yaml",
      ),
    ).toThrow(/d\.yaml:5: faults\.0\.fault: upgrade .* needs provider: local/);
    expect(() => parseScenario("name: x\nzookeeper: { version: '3.9' }\n", "v.yaml")).toThrow(
      /v\.yaml:2: zookeeper\.version: a ZooKeeper version is written x\.y\.z/,
    );
    expect(() => parseScenario("name: x\nrandom: { kinds: [upgrade] }\n", "r.yaml")).toThrow(
      /not a fault kind a random schedule can draw/,
    );
  });

  it("the matrix runs every scenario on every version, and shards the product", () => {
    const scenario = parseScenario("name: a\nnodes: [1, 3]\n", "a.yaml");
    const entries = matrixEntries([{ file: "a.yaml", scenario }], undefined, undefined, [
      "3.4.5",
      "3.9.5",
    ]);
    expect(entries.map((e) => `${e.version}/${e.nodes}`)).toEqual([
      "3.4.5/1",
      "3.4.5/3",
      "3.9.5/1",
      "3.9.5/3",
    ]);
    const shards = [1, 2].map((i) =>
      matrixEntries([{ file: "a.yaml", scenario }], undefined, [i, 2], ["3.4.5", "3.9.5"]),
    );
    expect(shards.flat()).toHaveLength(4);
  });
});

describe("reports name the version", () => {
  const run = (scenario: string, version: string, valid: boolean): ResultsFile => ({
    schemaVersion: 1,
    scenario,
    description: "",
    nodes: 3,
    seed: 1,
    zooKeeperVersion: version,
    valid,
    operations: 10,
    events: 20,
    timings: { startMs: 1, runMs: 1, recoveryMs: 1, totalMs: 1 },
    replay: `zk-chaos run ${scenario}.yaml --zookeeper-version ${version}`,
    verdicts: [
      {
        checker: "zookeeper",
        guarantee: "g",
        valid,
        anomalies: valid ? [] : [{ kind: "lost-write", message: "lost", events: [1] }],
        elapsedMs: 1,
      },
    ],
  });

  it("a scenario x version table in the summary, the version in every row and JUnit name", () => {
    const runs = [run("kill-leader", "3.4.5", true), run("kill-leader", "3.9.5", false)];
    const markdown = markdownReport(runs);
    expect(markdown).toContain("| scenario | 3.4.5 | 3.9.5 |");
    expect(markdown).toContain("| kill-leader | ✅ valid | ❌ INVALID |");
    expect(markdown).toContain("| kill-leader | 3.9.5 | 3 | 1 | ❌ INVALID |");
    const junit = junitReport(runs);
    expect(junit).toContain('classname="zk-chaos.kill-leader.zk3_4_5.n3"');
    expect(junit).toContain('classname="zk-chaos.kill-leader.zk3_9_5.n3"');
    expect(markdownReport([runs[0] as ResultsFile])).not.toContain("Scenario x ZooKeeper version");
  });

  it("headline numbers per version and size, and a link to each run's HTML report", () => {
    const runs = [
      run("kill-leader", "3.4.5", true),
      run("partition", "3.4.5", false),
      run("kill-leader", "3.9.5", true),
    ];
    const markdown = markdownReport(runs, ["../a b/report.html", undefined, "../c/report.html"]);
    expect(markdown).toContain(
      "| ZooKeeper | nodes | runs | valid | not valid | anomalies | operations/s | worst recovery |",
    );
    expect(markdown).toContain("| 3.4.5 | 3 | 2 | 1 | 1 | 1 | 10000 | 1 ms |");
    expect(markdown).toContain("| 3.9.5 | 3 | 1 | 1 | 0 | 0 | 10000 | 1 ms |");
    expect(markdown).toContain("| ✅ valid | 10 | 1 ms | [report.html](../a%20b/report.html) |");
    expect(markdown).toContain("| ❌ INVALID | 10 | 1 ms | - |");
    expect(markdownReport([runs[0] as ResultsFile])).not.toContain("Headline");
  });
});

describe("JUnit for CI", () => {
  const base: ResultsFile = {
    schemaVersion: 1,
    scenario: "kill-leader",
    description: "",
    nodes: 3,
    seed: 42,
    zooKeeperVersion: "3.8.0",
    valid: "unknown",
    operations: 10,
    events: 20,
    timings: { startMs: 1, runMs: 1, recoveryMs: 1, totalMs: 2500 },
    replay: "zk-chaos run kill-leader.yaml --seed 42",
    startedAt: "2026-11-29T17:00:00.000Z",
    verdicts: [
      { checker: "zookeeper", guarantee: "g", valid: true, anomalies: [], elapsedMs: 1 },
      { checker: "availability", guarantee: "a", valid: "unknown", anomalies: [], elapsedMs: 1 },
    ],
  };

  it("a suite per run with its seed, version and replay as properties and its start as the timestamp", () => {
    const junit = junitReport([base]);
    expect(junit).toContain('<property name="seed" value="42"/>');
    expect(junit).toContain('<property name="zookeeper-version" value="3.8.0"/>');
    expect(junit).toContain(
      '<property name="replay" value="zk-chaos run kill-leader.yaml --seed 42"/>',
    );
    expect(junit).toMatch(
      /<testsuite name="kill-leader n=3 zk=3\.8\.0 seed=42" [^>]*timestamp="2026-11-29T17:00:00\.000"/,
    );
  });

  it("an unknown verdict is an error, never a skip: CI must not look green while the command exits 3", () => {
    const junit = junitReport([base]);
    expect(junit).not.toContain("<skipped");
    expect(junit).toContain('<error message="verdict unknown"');
    expect(junit).toMatch(/<testsuites name="zk-chaos" tests="2" failures="0" errors="1">/);
  });
});
