import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomSchedule } from "../../../src/faults/schedule.js";
import { processArgs } from "../../../src/util/process-identity.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import {
  expectFaultyNothingLeft,
  expectHealedInSync,
  expectWritable,
  startFaultyEnsemble,
  waitServing,
} from "../../helpers/faulty-ensemble.js";
import { describeOnProvider, observedPaused } from "../../helpers/provider.js";
import { jvmPidsOfRun, makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

/** Median ms of a few writes through one session. */
async function writeLatency(connectString: string, label: string): Promise<number> {
  const session = await ZkSession.open(connectString, { operationTimeoutMs: 10_000 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await session.create(`/latency-${label}-${i}`, "x");
      samples.push(performance.now() - started);
    }
  } finally {
    session.close();
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

function processState(pid: number | undefined): string {
  if (pid === undefined) return "gone";
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] ?? "?";
  } catch {
    return "gone";
  }
}

describeOnProvider("process faults through the nemesis (3 nodes)", () => {
  it("kill, pause (a GC pause of the leader), stop and restart, each healed and in sync", async () => {
    const faulty = await startFaultyEnsemble(3, root, 11);
    try {
      const { ensemble, nemesis } = faulty;
      const all = ensemble.servers.map((server) => server.id);

      // Assert on the server the nemesis reports it hit: leadership may move between a look and the fault.
      const kill = await nemesis.start({ kind: "kill", target: "leader" });
      const oldLeader = (kill.detail.servers as number[])[0] as number;
      expect(ensemble.server(oldLeader).processState).toBe("stopped");
      const rest = all.filter((id) => id !== oldLeader);
      const after = await ensemble.waitForQuorum({ servers: rest });
      expect(after.leader).not.toBe(oldLeader);
      await nemesis.heal(kill.id);
      await expectHealedInSync(ensemble);

      const pause = await nemesis.start({ kind: "pause", target: "leader" });
      const pausedLeader = (pause.detail.servers as number[])[0] as number;
      expect(await observedPaused(ensemble.server(pausedLeader))).toBe(true);
      const others = all.filter((id) => id !== pausedLeader);
      await ensemble.waitForQuorum({ servers: others, timeoutMs: 30_000 });
      await expectWritable(ensemble, others);
      await nemesis.heal(pause.id);
      expect(await observedPaused(ensemble.server(pausedLeader))).toBe(false);
      await expectHealedInSync(ensemble);

      const stop = await nemesis.start({ kind: "stop", target: "follower", count: 1 });
      const stopped = (stop.detail.servers as number[])[0] as number;
      expect(ensemble.server(stopped).processState).toBe("stopped");
      await nemesis.heal(stop.id);
      await expectHealedInSync(ensemble);

      const restart = await nemesis.start({ kind: "restart", target: 1 });
      expect(restart.detail.servers).toEqual([1]);
      await nemesis.heal(restart.id);
      await expectHealedInSync(ensemble);

      // kill f+1: no quorum; heal brings it back with nothing lost.
      await expectWritable(ensemble, all);
      const many = await nemesis.start({ kind: "kill", count: 2 });
      const survivor = all.find((id) => !(many.detail.servers as number[]).includes(id)) as number;
      expect(await waitServing(ensemble, [])).toEqual([]);
      expect(ensemble.server(survivor).processState).toBe("running");
      await nemesis.heal(many.id);
      await expectHealedInSync(ensemble);
    } finally {
      await faulty[Symbol.asyncDispose]();
    }
    await expectFaultyNothingLeft(faulty, root);
    // No paused process is left behind.
    for (const pid of jvmPidsOfRun()) {
      if ((processArgs(pid) ?? []).some((arg) => arg.includes(root)))
        expect(processState(pid)).not.toBe("T");
    }
  });
});

describeOnProvider("degradations and client faults (3 nodes)", () => {
  it("latency slows writes, black-hole stops the quorum, one-way and client cuts act, all heal", async () => {
    const faulty = await startFaultyEnsemble(3, root, 12);
    try {
      const { ensemble, network, nemesis } = faulty;
      const all = ensemble.servers.map((server) => server.id);
      const leader = (await ensemble.leader()) as number;
      const follower = all.find((id) => id !== leader) as number;

      const before = await writeLatency(ensemble.connectString([follower]), "before");
      const latency = await nemesis.start({ kind: "latency", latency: 150, jitter: 0 });
      // A write through a follower crosses follower->leader and back: at least one delayed hop each way.
      const slowed = await writeLatency(ensemble.connectString([follower]), "during");
      expect(slowed).toBeGreaterThanOrEqual(before + 140);
      await nemesis.heal(latency.id);
      expect(await writeLatency(ensemble.connectString([follower]), "after")).toBeLessThan(slowed);
      await expectHealedInSync(ensemble);

      const hole = await nemesis.start({ kind: "blackhole", links: "all" });
      expect(await waitServing(ensemble, [])).toEqual([]);
      await nemesis.heal(hole.id);
      await expectHealedInSync(ensemble);

      const flaky = await nemesis.start({ kind: "flaky", style: "slicer" });
      await expectWritable(ensemble, all);
      await nemesis.heal(flaky.id);
      await expectHealedInSync(ensemble);

      // Clients of one server cut off: its client proxy refuses, direct access and the others still work.
      const clientCut = await nemesis.start({ kind: "client-isolate", target: follower });
      await expect(
        ZkSession.open(network.clientConnectString([follower]), { connectTimeoutMs: 1500 }).then(
          (s) => s.close(),
        ),
      ).rejects.toThrow();
      const through = await ZkSession.open(network.clientConnectString([leader]));
      await through.create("/through-client-proxy", "ok");
      through.close();
      expect(nemesis.view().clientsBlocked).toEqual([follower]);
      await nemesis.heal(clientCut.id);
      const back = await ZkSession.open(network.clientConnectString([follower]));
      expect((await back.getData("/through-client-proxy")).data.toString()).toBe("ok");
      back.close();

      // One-way: the leader's data stops reaching one follower; that follower loses the leader.
      // Leadership may have moved during the faults above: aim at the leader of now.
      const current = (await ensemble.waitForQuorum()).leader;
      const cutOff = all.find((id) => id !== current) as number;
      const oneWay = await nemesis.start({ kind: "one-way", from: current, to: cutOff });
      expect(nemesis.view().blocked).toEqual([[current, cutOff]]);
      expect(
        await waitServing(
          ensemble,
          all.filter((id) => id !== cutOff),
        ),
      ).toEqual(all.filter((id) => id !== cutOff));
      await nemesis.heal(oneWay.id);
      await expectHealedInSync(ensemble);
      expect(nemesis.view().blocked).toEqual([]);
    } finally {
      await faulty[Symbol.asyncDispose]();
    }
    await expectFaultyNothingLeft(faulty, root);
  });
});

describeOnProvider("a seeded random schedule", () => {
  it("runs in time order, records every action, and heals at the end", async () => {
    await using faulty = await startFaultyEnsemble(3, root, 13);
    const schedule = randomSchedule(13, {
      kinds: ["kill", "isolate", "pause", "partition", "latency"],
      totalMs: 9000,
      minGapMs: 500,
      maxGapMs: 1000,
      minFaultMs: 1000,
      maxFaultMs: 2000,
    });
    expect(schedule.length).toBeGreaterThanOrEqual(3);
    await faulty.nemesis.run(schedule);
    const actions = faulty.history.events.filter(
      (e) => e.process === "nemesis" && e.type === "info" && e.f !== "connectivity",
    );
    for (const item of schedule) {
      expect(
        actions.some((e) => e.f === item.spec.kind && (e.value as { id: string }).id === item.id),
      ).toBe(true);
      expect(
        actions.some((e) => e.f === "heal" && (e.value as { id: string }).id === item.id),
      ).toBe(true);
    }
    const times = faulty.history.events.map((event) => event.time);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(faulty.nemesis.activeFaults()).toEqual([]);
    expect(faulty.nemesis.view().blocked).toEqual([]);
    await expectHealedInSync(faulty.ensemble);
  });
});
