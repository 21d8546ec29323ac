import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type ConnectivityView,
  majority,
  possibleLeaders,
  servingSetFor,
} from "../../../src/quorum/connectivity.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import {
  bypasses,
  expectFaultyNothingLeft,
  expectHealedInSync,
  expectWritable,
  type FaultyEnsemble,
  servingIds,
  startFaultyEnsemble,
  waitServing,
} from "../../helpers/faulty-ensemble.js";
import { describeOnProvider, TEST_PROVIDER } from "../../helpers/provider.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

const others = (all: readonly number[], except: readonly number[]) =>
  all.filter((id) => !except.includes(id));

async function expectUnwritable(faulty: FaultyEnsemble, id: number): Promise<void> {
  // A server without a quorum refuses new sessions; the connect must fail.
  await expect(
    ZkSession.open(faulty.ensemble.connectString([id]), { connectTimeoutMs: 1500 }).then(
      (session) => session.close(),
    ),
  ).rejects.toThrow();
}

/** Checks a partition against quorum math: one leader among those that can lead, serving exactly its side. */
async function expectQuorumMath(faulty: FaultyEnsemble, view: ConnectivityView): Promise<void> {
  const candidates = possibleLeaders(view);
  expect(candidates.length, "quorum math says some server can lead").toBeGreaterThan(0);
  let current = -1;
  // Wait for a leader that quorum math allows, and for its side (only) to serve.
  const settled = await (async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      current = (await faulty.ensemble.leader()) ?? -1;
      if (candidates.includes(current)) {
        const expected = servingSetFor(view, current);
        const serving = await servingIds(faulty.ensemble);
        if (serving.join(",") === expected.join(",")) return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  })();
  expect(settled, `leader ${current} in ${candidates} serving exactly its connected majority`).toBe(
    true,
  );
  expect(servingSetFor(view, current).length).toBeGreaterThanOrEqual(majority(view.servers.length));
  await expectWritable(faulty.ensemble, [current]);
}

const step = (label: string) => {
  if (process.env.ZK_CHAOS_TEST_TIMING) console.log(`${new Date().toISOString()} ${label}`);
};

// Quorum math per size is the proxy mesh's, the same on every provider: containers add their
// own wiring, which three proves (and the docker standard suite runs partitions at five).
describeOnProvider.each(TEST_PROVIDER === "docker" ? [3] : [3, 5, 7])(
  "partitions of a %i-node ensemble through the proxy mesh",
  (nodes) => {
    it("follows quorum math for isolate-follower, isolate-leader, majority/minority, bridge and ring; every heal restores sync", async () => {
      const faulty = await startFaultyEnsemble(nodes, root, nodes);
      try {
        const { ensemble, nemesis } = faulty;
        const all = ensemble.servers.map((server) => server.id);
        expect(bypasses(ensemble), "no bypass before faults").toEqual([]);

        step("Isolate a follower");
        // Isolate a follower: it stops serving, the majority keeps serving writes.
        const follower = await nemesis.start({ kind: "isolate", target: "follower" });
        const isolated = (follower.detail.groups as number[][])[0]?.[0] as number;
        expect(await waitServing(ensemble, others(all, [isolated]))).toEqual(
          others(all, [isolated]),
        );
        await expectWritable(ensemble, others(all, [isolated]));
        await expectUnwritable(faulty, isolated);
        expect(bypasses(ensemble), "no bypass while partitioned").toEqual([]);
        await nemesis.heal(follower.id);
        await expectHealedInSync(ensemble);

        step("Isolate the leader");
        // Isolate the leader: a new leader is elected in the majority.
        const isolate = await nemesis.start({ kind: "isolate", target: "leader" });
        const oldLeader = (isolate.detail.servers as number[])[0] as number;
        const majoritySide = others(all, [oldLeader]);
        const after = await ensemble.waitForQuorum({ servers: majoritySide, timeoutMs: 30_000 });
        expect(majoritySide).toContain(after.leader);
        expect(await waitServing(ensemble, majoritySide)).toEqual(majoritySide);
        await expectWritable(ensemble, majoritySide);
        expect(bypasses(ensemble), "no bypass while the leader is isolated").toEqual([]);
        await nemesis.heal(isolate.id);
        await expectHealedInSync(ensemble);

        step("Majority/minority");
        // Majority/minority: the majority serves, the minority does not.
        const split = await nemesis.start({ kind: "partition", groups: "majority-minority" });
        const [big, small] = split.detail.groups as [number[], number[]];
        expect(await waitServing(ensemble, big)).toEqual(big);
        await expectWritable(ensemble, big);
        for (const id of small) await expectUnwritable(faulty, id);
        await nemesis.heal(split.id);
        await expectHealedInSync(ensemble);

        step("Bridge and ring");
        // Bridge and ring: as quorum math predicts for the drawn topology.
        for (const kind of ["bridge", "ring"] as const) {
          step(kind);
          const fault = await nemesis.start({ kind });
          await expectQuorumMath(faulty, nemesis.view());
          expect(bypasses(ensemble), `no bypass during ${kind}`).toEqual([]);
          step(`${kind} heal`);
          await nemesis.heal(fault.id);
          await expectHealedInSync(ensemble);
        }
        step("done");
        expect(bypasses(ensemble), "no bypass after heal").toEqual([]);

        const nemesisEvents = faulty.history.events.filter((event) => event.process === "nemesis");
        expect(
          nemesisEvents.filter((event) => event.f === "connectivity").length,
        ).toBeGreaterThanOrEqual(10);
        expect(nemesisEvents.some((event) => event.f === "isolate" && event.type === "info")).toBe(
          true,
        );
      } finally {
        await faulty[Symbol.asyncDispose]();
      }
      await expectFaultyNothingLeft(faulty, root);
    });
  },
);

describeOnProvider("random halves of a 4-node ensemble", () => {
  it("leaves no side available, and heals", async () => {
    await using faulty = await startFaultyEnsemble(4, root, 4);
    const fault = await faulty.nemesis.start({ kind: "partition", groups: "random-halves" });
    expect((fault.detail.groups as number[][]).map((group) => group.length)).toEqual([2, 2]);
    expect(await waitServing(faulty.ensemble, [])).toEqual([]);
    for (const server of faulty.ensemble.servers) await expectUnwritable(faulty, server.id);
    await faulty.nemesis.heal(fault.id);
    await expectHealedInSync(faulty.ensemble);
  });
});
