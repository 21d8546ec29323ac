import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bugValidity } from "../../../src/report/results.js";
import { judgeBug, type KnownBug } from "../../../src/scenario/bug-expectation.js";
import { loadScenario, parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";
import { pinnedServers, roleOf } from "../../../src/workload/run-workload.js";
import { inRange, validateRange } from "../../../src/zookeeper/version-range.js";

const KNOWN_BUGS = new URL("../../../scenarios/known-bugs/", import.meta.url).pathname;

describe("known-bug expectations", () => {
  it("reads version ranges", () => {
    expect(inRange("3.9.2", "<3.9.3")).toBe(true);
    expect(inRange("3.9.3", "<3.9.3")).toBe(false);
    expect(inRange("3.4.14", ">=3.4.6")).toBe(true);
    expect(inRange("3.4.5", "<=3.4.5")).toBe(true);
    expect(inRange("3.6.4", "3.5.0-3.9.2")).toBe(true);
    expect(inRange("3.9.5", "*")).toBe(true);
    expect(inRange("unknown", "*")).toBe(false);
    expect(() => validateRange("~3.9")).toThrow(/not a version range/);
  });

  it("judges a run: an anomaly reproduces the bug; the outcome is compared with the version's expectation", () => {
    const bug = {
      jira: ["ZOOKEEPER-4643"],
      title: "t",
      expect: [
        { versions: "<3.9.3", outcome: "reproduced" as const },
        { versions: ">=3.9.4", outcome: "absent" as const },
      ],
    };
    expect(judgeBug(bug, "3.8.0", false)).toMatchObject({
      observed: "reproduced",
      expected: "reproduced",
      matched: true,
    });
    expect(judgeBug(bug, "3.9.5", false)).toMatchObject({
      observed: "reproduced",
      expected: "absent",
      matched: false,
    });
    expect(judgeBug(bug, "3.9.5", true)).toMatchObject({ observed: "absent", matched: true });
    expect(judgeBug(bug, "3.9.3", true)).toMatchObject({ expected: undefined, matched: true });
    expect(judgeBug(bug, "3.8.0", "unknown")).toMatchObject({
      observed: "unknown",
      matched: "unknown",
    });
  });

  it("every known-bug scenario names its JIRA keys and expectations, and plans", () => {
    const files = readdirSync(KNOWN_BUGS).filter((file) => file.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const scenario = loadScenario(`${KNOWN_BUGS}${file}`);
      expect(scenario.bug?.jira.length).toBeGreaterThan(0);
      expect(planRun(scenario, scenario.nodes[0] as number, 1).bug).toEqual(scenario.bug);
    }
  });

  it("a triggered fault keeps its own times and ids; references are checked at their line", () => {
    const scenario = loadScenario(`${KNOWN_BUGS}newleader-txn-loss.yaml`);
    const plan = planRun(scenario, 3, 1, 12_000);
    const crash = plan.schedule.find((item) => item.id === "crash-in-sync");
    expect(crash).toMatchObject({
      after: "second",
      durationMs: 7000,
      when: { log: "Learner received NEWLEADER", server: 3, delayMs: 50 },
      spec: { kind: "kill", target: "logged" },
    });
    expect(plan.serverSettings?.[3]?.systemProperties?.["zookeeper.flushDelay"]).toBe("4000");
    expect(() =>
      parseScenario(
        "name: x\nfaults:\n  - { at: 1s, after: nope, fault: { kind: kill } }\n",
        "a.yaml",
      ),
    ).toThrow(/a\.yaml:3: faults\.0\.after: no fault 'nope' in this scenario/);
    expect(() =>
      parseScenario(
        "name: x\nfaults:\n  - { at: 1s, fault: { kind: kill, target: logged } }\n",
        "b.yaml",
      ),
    ).toThrow(
      /b\.yaml:3: .*'logged' is the server whose log line fired the fault: add a 'when' trigger/,
    );
    expect(() =>
      parseScenario(
        "name: x\nworkload: { workers: 2, roles: [{ workers: 3, pin: leader }] }\n",
        "c.yaml",
      ),
    ).toThrow(/c\.yaml:2: workload\.roles: the roles name 3 workers, but workload\.workers is 2/);
    expect(() =>
      parseScenario(
        "name: x\nfaults:\n  - { when: { log: '(' }, fault: { kind: kill } }\n",
        "d.yaml",
      ),
    ).toThrow(/d\.yaml:3: .*not a valid regular expression/);
  });
});

describe("worker roles", () => {
  it("roles cover the first workers in order", () => {
    const roles = [
      { workers: 2, pin: "leader" as const },
      { workers: 1, pin: 3 },
    ];
    expect([0, 1, 2, 3].map((index) => roleOf(roles, index)?.pin)).toEqual([
      "leader",
      "leader",
      3,
      undefined,
    ]);
  });

  it("pins resolve against the leader", () => {
    expect(pinnedServers("leader", [1, 2, 3], 2)).toEqual([2]);
    expect(pinnedServers("followers", [1, 2, 3], 2)).toEqual([1, 3]);
    expect(pinnedServers("minority", [1, 2, 3, 4, 5], 4)).toEqual([4, 1]);
    expect(pinnedServers("majority", [1, 2, 3, 4, 5], 4)).toEqual([2, 3, 5]);
    expect(pinnedServers(5, [1, 2, 3, 4, 5], 4)).toEqual([5]);
  });
});

describe("a bug scenario that was not exercised", () => {
  it("is unknown, not absent, when a trigger never fired; an anomaly still counts", () => {
    const bug = {
      jira: ["ZOOKEEPER-1"],
      title: "t",
      expect: [{ versions: "*", outcome: "absent" as const }],
    };
    expect(judgeBug(bug, "3.9.5", true, ["crash-in-sync"])).toMatchObject({
      observed: "unknown",
      matched: "unknown",
      unfiredTriggers: ["crash-in-sync"],
    });
    expect(judgeBug(bug, "3.9.5", false, ["crash-in-sync"]).observed).toBe("reproduced");
  });
});

describe("a bug's signature: the checkers whose anomalies show it", () => {
  const verdict = (checker: string, valid: boolean) => ({
    checker,
    guarantee: "g",
    valid,
    anomalies: [],
    elapsedMs: 1,
  });
  const verdicts = [
    verdict("zookeeper-registers", true),
    verdict("leader-completeness", true),
    verdict("servers-recover", false),
    verdict("availability", false),
  ];

  it("judges the bug on its signature only: another finding does not make it reproduced", () => {
    expect(bugValidity(verdicts, ["zookeeper-registers", "leader-completeness"])).toBe(true);
    expect(bugValidity(verdicts, ["servers-recover"])).toBe(false);
    expect(bugValidity(verdicts, ["convergence"])).toBe("unknown");
  });

  it("with a message pattern, only an anomaly in the bug's own words shows it (two NullPointerExceptions differ)", () => {
    const npe = (message: string) => [
      {
        checker: "internal-errors",
        guarantee: "g",
        valid: false,
        anomalies: [{ kind: "internal-error", message, events: [] }],
        elapsedMs: 1,
      },
    ];
    const pattern = '"pif" is null|before any UPTODATE';
    expect(
      bugValidity(
        npe('Cannot read field "hdr" because "pif" is null'),
        ["internal-errors"],
        pattern,
      ),
    ).toBe(false);
    expect(
      bugValidity(
        npe('Cannot invoke "java.net.Socket.isClosed()" because "this.learner.sock" is null'),
        ["internal-errors"],
        pattern,
      ),
    ).toBe(true);
  });

  it("without one, every consistency checker counts (availability and recovery do not)", () => {
    expect(bugValidity(verdicts, undefined)).toBe(false);
    expect(bugValidity([verdict("availability", false)], undefined)).toBe(true);
  });

  it("is a list of verdict names in the scenario, carried into the result", () => {
    const scenario = parseScenario(
      [
        "name: sig",
        "bug:",
        "  jira: [ZOOKEEPER-1]",
        "  title: t",
        "  signature: [zookeeper-registers]",
        "  expect: [{ versions: '*', outcome: reproduced }]",
        "",
      ].join("\n"),
      "sig.yaml",
    );
    const bug = scenario.bug as KnownBug;
    expect(judgeBug(bug, "3.8.0", false).signature).toEqual(["zookeeper-registers"]);
    expect(() =>
      parseScenario(
        "name: sig\nbug: { jira: [ZOOKEEPER-1], title: t, signature: [], expect: [{ versions: '*', outcome: reproduced }] }\n",
        "sig.yaml",
      ),
    ).toThrow(/sig\.yaml:2.*signature/);
  });
});
