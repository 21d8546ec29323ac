import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAvailability } from "../../../src/checkers/availability.js";
import { checkZooKeeper } from "../../../src/checkers/zookeeper/zookeeper-checker.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { finalReads, runWorkload } from "../../../src/workload/run-workload.js";
import { startFaultyEnsemble } from "../../helpers/faulty-ensemble.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the checkers on real runs", () => {
  it("the ZooKeeper checker and the general search agree on a register run with a leader kill", async () => {
    await using faulty = await startFaultyEnsemble(3, root, 31);
    const history = new MemorySink();
    const recorder = new HistoryRecorder([history]);
    const workload = runWorkload({
      ensemble: faulty.ensemble,
      recorder,
      seed: 31,
      kind: "registers",
      registers: 3,
      workers: 6,
      durationMs: 8000,
      operationTimeoutMs: 1000,
      root: "/registers",
    });
    await sleep(2000);
    const kill = await faulty.nemesis.start({ kind: "kill", target: "leader" });
    await sleep(2000);
    await faulty.nemesis.heal(kill.id);
    const result = await workload;
    await faulty.ensemble.waitForQuorum();
    await finalReads(faulty.ensemble, recorder, result.root);
    const verdicts = Object.fromEntries(
      checkZooKeeper(history.events).map((verdict) => [verdict.checker, verdict]),
    );
    expect(result.operations).toBeGreaterThan(500);
    expect(verdicts["zookeeper-registers"]?.anomalies).toEqual([]);
    expect(verdicts["zookeeper-registers"]?.valid).toBe(true);
    expect(verdicts["register-linearizability"]?.valid).toBe(
      verdicts["zookeeper-registers"]?.valid,
    );
    expect(verdicts.convergence?.valid).toBe(true);
    // The kill left operations whose outcome is unknown: the checkers had to handle them.
    expect(history.events.some((event) => event.type === "info" && event.f !== "session")).toBe(
      true,
    );
  });

  it("a minority partition of a real 3-node ensemble is judged as quorum math expects", async () => {
    await using faulty = await startFaultyEnsemble(3, root, 32);
    const history = new MemorySink();
    const recorder = new HistoryRecorder([history]);
    const settings = { tickTime: 200, initLimit: 10, syncLimit: 5, sessionTimeoutMs: 2000 };
    await faulty.nemesis.healAll();
    // Each worker is pinned to one server, so the minority's clients cannot escape.
    const workload = runWorkload({
      ensemble: faulty.ensemble,
      recorder,
      seed: 32,
      kind: "registers",
      registers: 2,
      workers: 6,
      connect: "one",
      durationMs: 16_000,
      ratePerWorker: 20,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      operationTimeoutMs: 1000,
      root: "/availability",
    });
    await sleep(2000);
    // Recorded through the nemesis so the connectivity view lands in the same history.
    const nemesis = new (
      faulty.nemesis.constructor as typeof import("../../../src/faults/nemesis.js").Nemesis
    )({
      ensemble: faulty.ensemble,
      network: faulty.network,
      recorder,
      seed: 32,
    });
    const fault = await nemesis.start({ kind: "isolate", target: "follower" });
    const isolated = (fault.detail.groups as number[][])[0]?.[0] as number;
    await sleep(11_000);
    await nemesis.heal(fault.id);
    await workload;
    const verdict = checkAvailability(history.events, settings);
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.valid).toBe(true);
    const windows = verdict.stats?.windows as {
      expectedAvailable: boolean;
      mustServe: number[];
      mayServe: number[];
      succeeded: number;
    }[];
    const partitioned = windows.find((window) => !window.mayServe.includes(isolated));
    expect(partitioned?.expectedAvailable).toBe(true);
    expect(partitioned?.mustServe).toEqual([1, 2, 3].filter((id) => id !== isolated));
    expect(partitioned?.succeeded).toBeGreaterThan(50);
    // The isolated server acknowledged no write while cut off (the checker would have said so),
    // and its clients did try: their operations failed or stayed unknown.
    const ops = history.events.filter(
      (event) =>
        event.server === isolated && event.type !== "invoke" && typeof event.process === "number",
    );
    expect(ops.length).toBeGreaterThan(0);
  });
});
