import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkAvailability } from "../../../src/checkers/availability.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import {
  type ConnectivityView,
  possibleLeaders,
  quorumPossible,
  servingSetFor,
  voters,
} from "../../../src/quorum/connectivity.js";
import { matrixEntries } from "../../../src/runner/run-matrix.js";
import { runPlan } from "../../../src/runner/run-plan.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

/** Five servers, 4 and 5 observers; `down` not running, `blocked` links cut both ways. */
function view(down: number[] = [], blocked: [number, number][] = []): ConnectivityView {
  const servers = [1, 2, 3, 4, 5];
  return {
    servers,
    conditions: Object.fromEntries(
      servers.map((id) => [id, down.includes(id) ? "down" : "up"]),
    ) as ConnectivityView["conditions"],
    blocked,
    clientsBlocked: [],
    observers: [4, 5],
  };
}

describe("observers in the quorum oracle", () => {
  it("never vote: the quorum is a majority of the 3 voters", () => {
    expect(voters(view())).toEqual([1, 2, 3]);
    expect(possibleLeaders(view())).toEqual([1, 2, 3]);
    // Both observers down: the voters still form a quorum.
    expect(quorumPossible(view([4, 5]))).toBe(true);
    // Two voters down: three servers run, but one voter is no quorum.
    expect(quorumPossible(view([2, 3]))).toBe(false);
  });

  it("serve when connected to the leader, and only then", () => {
    expect(servingSetFor(view(), 1)).toEqual([1, 2, 3, 4, 5]);
    // Observer 5 cut from leader 1: it cannot serve under that leader.
    expect(servingSetFor(view([], [[1, 5]]), 1)).toEqual([1, 2, 3, 4]);
    // An observer never leads, however connected.
    expect(servingSetFor(view([1, 2]), 4)).toEqual([]);
  });

  it("the availability checker: a write acknowledged by an observer with no voter quorum is split brain", () => {
    const connectivity = (time: number, value: ConnectivityView): HistoryEvent => ({
      index: 0,
      time,
      process: "nemesis",
      type: "info",
      f: "connectivity",
      value,
    });
    const events: HistoryEvent[] = (
      [
        connectivity(0, view()),
        connectivity(1e9, view([2, 3])),
        { index: 0, time: 2e9, process: 1, type: "invoke", f: "write", value: 1 },
        { index: 0, time: 2.1e9, process: 1, type: "ok", f: "write", value: 1, server: 4 },
      ] satisfies HistoryEvent[]
    ).map((event, index) => ({ ...event, index }));
    const verdict = checkAvailability(events, {
      tickTime: 200,
      initLimit: 10,
      syncLimit: 5,
      sessionTimeoutMs: 4000,
    });
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalies[0]?.kind).toBe("write-outside-quorum");
    expect(verdict.anomalies[0]?.message).toContain("no quorum could form");
  });

  it("scenarios: f counts the voters, and observers must leave a voter", () => {
    const scenario = parseScenario(
      "name: obs\nnodes: [5]\nobservers: 2\nfaults:\n  - { at: 1s, for: 2s, fault: { kind: kill, target: follower, count: f+1 } }\n",
      "obs.yaml",
    );
    const plan = planRun(scenario, 5, 1);
    expect(plan.observers).toBe(2);
    // 3 voters tolerate 1: f+1 is 2, not the 3 of five voters.
    expect(plan.schedule[0]?.spec).toMatchObject({ kind: "kill", count: 2 });
    expect(() => parseScenario("name: obs\nnodes: [3, 5]\nobservers: 3\n", "obs.yaml")).toThrow(
      /obs\.yaml:3: observers: 3 observer\(s\) leave no voter in a 3-node ensemble/,
    );
    // --nodes on the command line is checked the same way, before anything starts.
    expect(() => matrixEntries([{ file: "obs.yaml", scenario }], [3])).not.toThrow();
    expect(() => matrixEntries([{ file: "obs.yaml", scenario }], [1])).toThrow(
      "obs.yaml: observers: 2 observer(s) leave no voter in a 1-node ensemble: run it with more nodes",
    );
    expect(() =>
      parseScenario(
        "name: obs\nfaults:\n  - { at: 1s, for: 2s, fault: { kind: kill, target: observer } }\n",
        "obs.yaml",
      ),
    ).not.toThrow();
  });
});

describe("membership changes in scenarios", () => {
  it("need members:, at most the smallest size, and no fault on the servers' links", async () => {
    expect(() =>
      parseScenario(
        "name: m\nnodes: [5]\nfaults:\n  - { at: 1s, fault: { kind: join, target: 4 } }\n",
        "m.yaml",
      ),
    ).toThrow(
      /m\.yaml:4: faults\.0\.fault\.kind: join changes the membership: give the scenario members: N/,
    );
    expect(() => parseScenario("name: m\nnodes: [3, 5]\nmembers: 4\n", "m.yaml")).toThrow(
      /m\.yaml:3: members: 4 members, but the 3-node ensemble has 3 servers/,
    );
    const scenario = parseScenario(
      "name: m\nnodes: [5]\nmembers: 3\nduration: 5s\nfaults:\n  - { at: 1s, fault: { kind: join, target: 4 } }\n  - { at: 2s, for: 1s, fault: { kind: isolate, target: leader } }\n",
      "m.yaml",
    );
    const plan = planRun(scenario, 5, 1);
    expect(plan.members).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), "zk-chaos-members-"));
    try {
      await expect(runPlan(plan, { dir })).rejects.toThrow(
        /fault 'isolate' \(f2\) acts on the servers' links, which a scenario with members: cannot proxy/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
