import { describe, expect, it } from "vitest";
import { checkRecovery } from "../../../src/checkers/zookeeper/cluster-checks.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { classifyServerLogLine, ServerLogThrottle } from "../../../src/history/server-log.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";

const LOAD_FAILED =
  "2026-11-29 16:35:45,083 [myid:2] ERROR [main:QuorumPeer] - Unable to load database on disk";

const failureLine: HistoryEvent = {
  index: 7,
  time: 5e9,
  process: "server-2",
  type: "info",
  f: "log",
  value: { kind: "load-failed", line: LOAD_FAILED },
};

describe("servers-recover: every server comes back once every fault is healed", () => {
  it("a server whose process ended by itself after the heal is an anomaly, proven by its failure line", () => {
    const events: HistoryEvent[] = [
      failureLine,
      {
        index: 9,
        time: 6e9,
        process: "observer",
        type: "fail",
        f: "recovered",
        value: { error: "ZooKeeper server 2 exited", down: [2], exits: { 2: "exit code 1" } },
      },
    ];
    const found = checkRecovery(events);
    expect(found.valid).toBe(false);
    expect(found.anomalies).toHaveLength(1);
    expect(found.anomalies[0]).toMatchObject({ kind: "server-did-not-recover", events: [7, 9] });
    expect(found.anomalies[0]?.message).toContain("(exit code 1)");
    expect(found.anomalies[0]?.message).toContain("Unable to load database on disk");
  });

  it("a quorum that came back is valid, with its time", () => {
    const found = checkRecovery([
      {
        index: 1,
        time: 1,
        process: "observer",
        type: "ok",
        f: "recovered",
        value: { afterMs: 42 },
      },
    ]);
    expect(found).toEqual({ anomalies: [], valid: true, afterMs: 42 });
  });

  it("a quorum that did not form while every process ran is not called an anomaly: unknown", () => {
    const found = checkRecovery([
      {
        index: 1,
        time: 1,
        process: "observer",
        type: "fail",
        f: "recovered",
        value: { error: "no quorum", down: [] },
      },
    ]);
    expect(found.valid).toBe("unknown");
    expect(found.anomalies).toEqual([]);
  });
});

describe("failure lines of a server", () => {
  it("are classified", () => {
    expect(classifyServerLogLine(LOAD_FAILED)).toBe("load-failed");
    expect(classifyServerLogLine("java.io.IOException: No space left on device")).toBe("disk-full");
    expect(
      classifyServerLogLine(
        "2026-11-29 16:30:10,221 [myid:2] ERROR [SyncThread:2:ZooKeeperCriticalThread@49] - Severe unrecoverable error, from thread : SyncThread:2",
      ),
    ).toBe("unrecoverable-error");
  });

  it("a failure a server repeats every few ms is kept once a second per server; other kinds always pass", () => {
    const throttle = new ServerLogThrottle(1000);
    expect(throttle.admit(2, "load-failed", 0)).toBe(true);
    expect(throttle.admit(2, "load-failed", 5)).toBe(false);
    expect(throttle.admit(3, "load-failed", 5)).toBe(true);
    expect(throttle.admit(2, "load-failed", 1000)).toBe(true);
    expect(throttle.admit(2, "looking", 1)).toBe(true);
    expect(throttle.admit(2, "looking", 2)).toBe(true);
  });
});

describe("a disk-full fault in a scenario", () => {
  const text = (provider: string) =>
    [
      "name: full",
      `provider: ${provider}`,
      "nodes: [3]",
      "duration: 5s",
      "workload: { kind: registers, workers: 2 }",
      "faults:",
      "  - { at: 1s, for: 1s, fault: { kind: disk-full, target: follower } }",
      "",
    ].join("\n");

  it("is accepted on the local provider", () => {
    expect(parseScenario(text("local"), "full.yaml").faults[0]?.fault).toEqual({
      kind: "disk-full",
      target: "follower",
    });
  });

  it("is accepted on docker too: the log disk is mounted before the container starts, inside its bind mount", () => {
    expect(parseScenario(text("docker"), "full.yaml").faults[0]?.fault).toMatchObject({
      kind: "disk-full",
    });
  });
});

describe("a starve fault in a scenario", () => {
  const text = (provider: string, cpu: string) =>
    [
      "name: starved",
      `provider: ${provider}`,
      "nodes: [3]",
      "duration: 5s",
      "workload: { kind: registers, workers: 2 }",
      "faults:",
      `  - { at: 1s, for: 1s, fault: { kind: starve, target: leader, cpu: ${cpu} } }`,
      "",
    ].join("\n");

  it("is accepted on the local provider, with its share of a core", () => {
    expect(parseScenario(text("local", "0.05"), "s.yaml").faults[0]?.fault).toEqual({
      kind: "starve",
      target: "leader",
      cpu: 0.05,
    });
  });

  it("runs on docker too (a container's JVM is capped the same way); below 1% or above a core is refused, naming file, line and fix", () => {
    expect(parseScenario(text("docker", "0.05"), "s.yaml").faults[0]?.fault).toMatchObject({
      kind: "starve",
    });
    expect(() => parseScenario(text("local", "0.001"), "s.yaml")).toThrow(
      /s\.yaml:7.*cpu.*give at least 0\.01 of a core/,
    );
    expect(() => parseScenario(text("local", "2"), "s.yaml")).toThrow(/s\.yaml:7.*cpu/);
  });
});
