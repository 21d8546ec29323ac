import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { RecordedSession } from "../../../src/workload/recorded-session.js";
import { serverResolver } from "../../../src/workload/run-workload.js";
import { TopologyAgent } from "../../../src/workload/topology-worker.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import { unpairedOperations } from "../../helpers/history.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";
import { eventually } from "../../helpers/zk.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

async function prepareRoot(connectString: string): Promise<void> {
  await using session = await ZkSession.open(connectString);
  await session.create("/zkchaos", "");
}

describe("a server some agents are connected to is killed", () => {
  it("operations end as info or fail (never hang), the session moves, and its registration survives", async () => {
    await using ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root });
    await prepareRoot(ensemble.connectString());
    const history = new MemorySink();
    const session = new RecordedSession({
      process: 0,
      connectString: ensemble.connectString(),
      recorder: new HistoryRecorder([history]),
      serverOf: serverResolver(ensemble),
      sessionTimeoutMs: 4000,
      operationTimeoutMs: 1000,
    });
    const agent = new TopologyAgent(0, "/zkchaos/a0", session);
    expect(await agent.setup()).toBe(true);
    const first = session.server as number;
    await ensemble.server(first).kill();
    let moved = false;
    for (let i = 0; i < 40 && !moved; i++) {
      const started = performance.now();
      await agent.run({ kind: "read-subtree", f: "read-subtree" });
      expect(performance.now() - started).toBeLessThan(10_000);
      moved = history.events.at(-1)?.type === "ok";
    }
    expect(moved).toBe(true);
    expect(session.server).not.toBe(first);
    const opened = history.events.filter(
      (e) => e.f === "session" && (e.value as { event: string }).event === "opened",
    );
    expect(opened).toHaveLength(1);
    const outcomes = new Set(
      history.events
        .filter((e) => e.f === "read-subtree" && e.type !== "invoke")
        .map((e) => e.type),
    );
    expect([...outcomes].every((type) => ["ok", "info", "fail"].includes(type))).toBe(true);
    await using observer = await ZkSession.open(
      ensemble.connectString(ensemble.servers.map((s) => s.id).filter((id) => id !== first)),
    );
    const alive = await observer.exists("/zkchaos/a0/hosts/h0/alive");
    expect(alive?.ephemeralOwner.toString(16).padStart(16, "0")).toBe(opened[0]?.session);
    expect(unpairedOperations(history.events)).toEqual([]);
    session.close();
  });

  it("a session pinned to the killed server expires: its registration vanishes, then comes back on a new session", async () => {
    await using ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root });
    await prepareRoot(ensemble.connectString());
    const leader = (await ensemble.leader()) as number;
    const pinned = ensemble.servers.find((s) => s.id !== leader)?.id as number;
    const others = ensemble.servers.map((s) => s.id).filter((id) => id !== pinned);
    const history = new MemorySink();
    let agent: TopologyAgent | undefined;
    const session = new RecordedSession({
      process: 0,
      connectString: ensemble.connectString([pinned]),
      recorder: new HistoryRecorder([history]),
      serverOf: serverResolver(ensemble),
      sessionTimeoutMs: 2000,
      operationTimeoutMs: 1000,
      onExpired: () => agent?.model.dropEphemerals(),
    });
    agent = new TopologyAgent(0, "/zkchaos/a0", session);
    expect(await agent.setup()).toBe(true);
    await using observer = await ZkSession.open(ensemble.connectString(others));
    expect(await observer.exists("/zkchaos/a0/hosts/h0/alive")).not.toBeNull();

    await ensemble.server(pinned).kill();
    const killedAt = performance.now();
    // While its only server is down, operations end (fail or info) within their deadline.
    const started = performance.now();
    await agent.run({ kind: "read-subtree", f: "read-subtree" });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(["info", "fail"]).toContain(history.events.at(-1)?.type);
    // The registration lives until the session expires, then vanishes.
    expect(
      await eventually(
        async () => (await observer.exists("/zkchaos/a0/hosts/h0/alive")) === null,
        15_000,
      ),
    ).toBe(true);
    expect(performance.now() - killedAt).toBeGreaterThanOrEqual(1500);

    await ensemble.server(pinned).restart();
    await ensemble.waitForQuorum();
    // The client learns of the expiry when it reconnects; the next operation opens a new session.
    expect(
      await eventually(
        async () =>
          history.events.some(
            (e) => e.f === "session" && (e.value as { event: string }).event === "expired",
          ),
        15_000,
      ),
    ).toBe(true);
    expect(agent.model.has("hosts/h0/alive")).toBe(false);
    await agent.run({
      kind: "change",
      f: "register-host",
      ops: [{ op: "create", path: "hosts/h0/alive", data: "{}", mode: "ephemeral" }],
    });
    expect(history.events.at(-1)).toMatchObject({ f: "register-host", type: "ok" });
    const opened = history.events.filter(
      (e) => e.f === "session" && (e.value as { event: string }).event === "opened",
    );
    expect(opened).toHaveLength(2);
    const alive = await observer.exists("/zkchaos/a0/hosts/h0/alive");
    expect(alive?.ephemeralOwner.toString(16).padStart(16, "0")).toBe(opened[1]?.session);
    expect(unpairedOperations(history.events)).toEqual([]);
    session.close();
  });
});
