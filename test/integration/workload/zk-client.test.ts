import zookeeper from "node-zookeeper-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LocalEnsemble,
  startLocalEnsemble,
} from "../../../src/ensemble/local/local-ensemble.js";
import { ZK_ERRORS, ZkSession } from "../../../src/workload/zk-session.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
let ensemble: LocalEnsemble;
beforeAll(async () => {
  root = makeRuntimeRoot();
  ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root });
});
afterAll(async () => {
  await ensemble.dispose();
  removeRuntimeRoot(root);
});

describe("the ZooKeeper client adapter", () => {
  it("honours an expected version of 0 inside a multi (the library alone does not)", async () => {
    await using session = await ZkSession.open(ensemble.connectString());
    await session.create("/v0", "a");
    await session.setData("/v0", "b"); // now at version 1: a check of version 0 is stale
    await expect(
      session.multi([
        { op: "check", path: "/v0", version: 0 },
        { op: "set", path: "/v0", data: "stale write" },
      ]),
    ).rejects.toMatchObject({ code: ZK_ERRORS.BAD_VERSION });
    expect((await session.getData("/v0")).data.toString()).toBe("b");
    // The same multi through the bare library commits the stale write: the bug we work around.
    const raw = zookeeper.createClient(ensemble.connectString(), { retries: 0 });
    await new Promise<void>((resolve) => {
      raw.once("connected", () => resolve());
      raw.connect();
    });
    const error = await new Promise<unknown>((resolve) =>
      raw
        .transaction()
        .check("/v0", 0)
        .setData("/v0", Buffer.from("stale write"), 1)
        .commit((err) => resolve(err)),
    );
    raw.close();
    expect(error).toBeNull();
    // The raw client may have written through another server: sync before reading it back.
    await session.sync("/v0");
    expect((await session.getData("/v0")).data.toString()).toBe("stale write");
  });

  it("creates ephemeral and sequential znodes, deletes with versions, lists children, reports stats as bigint", async () => {
    await using session = await ZkSession.open(ensemble.connectString());
    await session.create("/kinds", "");
    const first = await session.create("/kinds/seq-", "1", "persistent-sequential");
    const second = await session.create("/kinds/seq-", "2", "persistent-sequential");
    expect(first < second).toBe(true);
    expect(first).toMatch(/^\/kinds\/seq-\d{10}$/);
    await session.create("/kinds/eph", "e", "ephemeral");
    const stat = await session.exists("/kinds/eph");
    expect(stat?.ephemeralOwner.toString(16).padStart(16, "0")).toBe(session.sessionId);
    expect(typeof stat?.mzxid).toBe("bigint");
    expect((await session.getChildren("/kinds")).children.sort()).toEqual(
      ["eph", first.slice(7), second.slice(7)].sort(),
    );
    await expect(session.delete("/kinds/eph", 5)).rejects.toMatchObject({
      code: ZK_ERRORS.BAD_VERSION,
      definite: true,
    });
    await session.delete("/kinds/eph", 0);
    expect(await session.exists("/kinds/eph")).toBeNull();
    await expect(session.getData("/nope")).rejects.toMatchObject({ code: ZK_ERRORS.NO_NODE });
  });

  it("multiRead reads several znodes from one state, absent ones as NoNode, and multi still reads its own results", async () => {
    await using session = await ZkSession.open(ensemble.connectString());
    await session.create("/mr", "");
    await session.multi([
      { op: "create", path: "/mr/a", data: "1" },
      { op: "create", path: "/mr/b", data: "2" },
    ]);
    const [a, missing, b] = await session.multiRead(["/mr/a", "/mr/none", "/mr/b"]);
    expect(a && "data" in a ? a.data.toString() : a).toBe("1");
    expect(missing).toEqual({ error: ZK_ERRORS.NO_NODE });
    expect(b && "stat" in b ? [b.data.toString(), b.stat.version] : b).toEqual(["2", 0]);
    // One commit wrote both: both reads name its zxid.
    expect(a && "stat" in a && b && "stat" in b && a.stat.mzxid === b.stat.mzxid).toBe(true);
    // The reply reader the library uses for multi still reads write results.
    const [set] = await session.multi([{ op: "set", path: "/mr/a", data: "3", version: 0 }]);
    expect(set).toMatchObject({ op: "set", stat: { version: 1 } });
  });

  it("sync makes a follower read what the leader acknowledged", async () => {
    const leader = (await ensemble.leader()) as number;
    const follower = ensemble.servers.find((server) => server.id !== leader)?.id as number;
    await using writer = await ZkSession.open(ensemble.connectString([leader]));
    await using reader = await ZkSession.open(ensemble.connectString([follower]));
    for (let i = 0; i < 20; i++) {
      await writer.create(`/synced-${i}`, String(i));
      await reader.sync(`/synced-${i}`);
      expect((await reader.getData(`/synced-${i}`)).data.toString()).toBe(String(i));
    }
    expect(reader.remote).toBe(ensemble.connectString([follower]));
  });

  it("times out an operation queued while disconnected instead of hanging", async () => {
    await using isolated = await startLocalEnsemble({ nodes: 1, runtimeRoot: root });
    let disconnected: () => void = () => {};
    const noticed = new Promise<void>((resolve) => {
      disconnected = resolve;
    });
    const session = await ZkSession.open(isolated.connectString(), {
      operationTimeoutMs: 500,
      onEvent: (event) => {
        if (event === "disconnected") disconnected();
      },
    });
    await isolated.server(1).kill();
    // Queued while disconnected: an operation sent before the client noticed fails with CONNECTION_LOSS instead.
    await noticed;
    const started = performance.now();
    await expect(session.create("/never", "x")).rejects.toMatchObject({
      code: "TIMEOUT",
      definite: false,
    });
    expect(performance.now() - started).toBeLessThan(5000);
    session.close();
  });
});

describe("watches across a reconnect", () => {
  it("a one-time watch fires once after its leader dies and the session moves (the library re-sent SetWatches per connect attempt)", async () => {
    const runtime = makeRuntimeRoot();
    const own = await startLocalEnsemble({ nodes: 3, runtimeRoot: runtime });
    try {
      const events: string[] = [];
      // The watcher on the leader: its death sends the client to servers still electing, which hang up.
      const leader = own.server((await own.waitForQuorum()).leader);
      const leaderAddress = `${leader.clientAddress.host}:${leader.clientAddress.port}`;
      let watcher: ZkSession | undefined;
      for (let attempt = 0; attempt < 30 && watcher === undefined; attempt++) {
        const session = await ZkSession.open(own.connectString(), {
          sessionTimeoutMs: 10_000,
          onNotification: (notification) =>
            events.push(`${notification.type} ${notification.path}`),
        });
        if (session.remote === leaderAddress) watcher = session;
        else session.close();
      }
      if (watcher === undefined) throw new Error("no session landed on the leader in 30 tries");
      await using writer = await ZkSession.open(own.connectString());
      await writer.create("/w1", "a");
      await writer.create("/w2", "a");
      await watcher.watchData("/w1");
      await watcher.watchData("/w2");
      // Kill the watcher's server: it reconnects elsewhere, through attempts at servers still electing.
      await leader.kill();
      const others = own.servers.filter((each) => each !== leader).map((each) => each.id);
      await own.waitForQuorum({ servers: others });
      await writer.setData("/w1", "b").catch(() => writer.setData("/w1", "b"));
      await writer.setData("/w2", "b");
      // Bounded wait for the events to arrive after the reconnect.
      for (let waited = 0; waited < 100 && events.length < 2; waited++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(events.sort()).toEqual(["NodeDataChanged /w1", "NodeDataChanged /w2"]);
      watcher.close();
    } finally {
      await own.dispose();
      removeRuntimeRoot(runtime);
    }
  });
});
