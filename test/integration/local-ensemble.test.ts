import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalEnsemble, startLocalEnsemble } from "../../src/ensemble/local/local-ensemble.js";
import type { ServerStatus } from "../../src/zookeeper/srvr.js";
import {
  expectNothingLeft,
  leakedPortLocks,
  makeRuntimeRoot,
  removeRuntimeRoot,
} from "../helpers/runtime.js";
import { eventually, readEventually, sessionTo } from "../helpers/zk.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

function leadersOf(statuses: ReadonlyMap<number, ServerStatus>): number[] {
  return [...statuses]
    .filter(([, status]) => status.state === "serving" && status.mode === "leader")
    .map(([id]) => id);
}

function epochOf(status: ServerStatus | undefined): number {
  if (status?.state !== "serving") throw new Error(`not serving: ${JSON.stringify(status)}`);
  return status.epoch;
}

async function start(nodes: number): Promise<LocalEnsemble> {
  return startLocalEnsemble({ nodes, runtimeRoot: root });
}

describe("local ensemble", () => {
  it.each([1, 3, 5, 7])(
    "a %i-node ensemble elects one leader; a write through each server is read on every other",
    async (nodes) => {
      const ensemble = await start(nodes);
      try {
        const statuses = await ensemble.statuses();
        expect(leadersOf(statuses)).toHaveLength(1);
        for (const [, status] of statuses) {
          expect(status.state).toBe("serving");
          if (status.state === "serving") expect(["leader", "follower"]).toContain(status.mode);
        }
        const sessions = await Promise.all(
          ensemble.servers.map((server) => sessionTo(ensemble, server.id)),
        );
        try {
          for (const [index, session] of sessions.entries()) {
            await session.create(`/written-via-${index + 1}`, `value-${index + 1}`);
          }
          for (const session of sessions) {
            for (let writer = 1; writer <= nodes; writer++) {
              expect(
                await readEventually(session, `/written-via-${writer}`, `value-${writer}`),
              ).toBe(`value-${writer}`);
            }
          }
        } finally {
          for (const session of sessions) session.close();
        }
      } finally {
        await ensemble.dispose();
      }
      await expectNothingLeft(ensemble, root);
    },
  );

  it.each([3, 5])(
    "killing the leader of %i elects a new one with a higher epoch; the old one rejoins and catches up",
    async (nodes) => {
      await using ensemble = await start(nodes);
      const before = await ensemble.waitForQuorum();
      const oldLeader = before.leader;
      const oldEpoch = epochOf(before.statuses.get(oldLeader));
      await ensemble.server(oldLeader).kill();
      expect(ensemble.server(oldLeader).processState).toBe("stopped");
      const survivors = ensemble.servers
        .map((server) => server.id)
        .filter((id) => id !== oldLeader);
      const after = await ensemble.waitForQuorum({ servers: survivors });
      expect(after.leader).not.toBe(oldLeader);
      expect(epochOf(after.statuses.get(after.leader))).toBeGreaterThan(oldEpoch);

      const writer = await sessionTo(ensemble, after.leader);
      await writer.create("/while-down", "written while the old leader was dead");
      writer.close();
      await ensemble.server(oldLeader).restart();
      await ensemble.waitForQuorum();
      const rejoined = await sessionTo(ensemble, oldLeader);
      expect(
        await readEventually(rejoined, "/while-down", "written while the old leader was dead"),
      ).toBe("written while the old leader was dead");
      rejoined.close();
      const status = await ensemble.server(oldLeader).status();
      expect(status.state === "serving" && status.mode).toBe("follower");
    },
  );

  it("killing a majority stops the survivors serving; restarting restores service with no acknowledged write lost", async () => {
    await using ensemble = await start(3);
    const { leader } = await ensemble.waitForQuorum();
    const session = await sessionTo(ensemble, leader);
    const acknowledged: string[] = [];
    for (let i = 0; i < 20; i++) {
      await session.create(`/ack-${i}`, `v${i}`);
      acknowledged.push(`/ack-${i}`);
    }
    session.close();
    const survivor = leader;
    const victims = ensemble.servers.map((server) => server.id).filter((id) => id !== survivor);
    await Promise.all(victims.map((id) => ensemble.server(id).kill()));
    expect(
      await eventually(
        async () => (await ensemble.server(survivor).status()).state === "not-serving",
      ),
    ).toBe(true);

    await Promise.all(victims.map((id) => ensemble.server(id).restart()));
    await ensemble.waitForQuorum();
    for (const server of ensemble.servers) {
      const reader = await sessionTo(ensemble, server.id);
      for (const [i, path] of acknowledged.entries()) {
        expect(await readEventually(reader, path, `v${i}`)).toBe(`v${i}`);
      }
      reader.close();
    }
  });

  it("a paused follower stops answering and catches up once resumed", async () => {
    await using ensemble = await start(3);
    const { leader } = await ensemble.waitForQuorum();
    const follower = ensemble.servers.find((server) => server.id !== leader);
    if (follower === undefined) throw new Error("no follower");
    await follower.pause();
    expect(follower.processState).toBe("paused");
    expect((await follower.status()).state).toBe("unreachable");
    const writer = await sessionTo(ensemble, leader);
    for (let i = 0; i < 10; i++) await writer.create(`/during-pause-${i}`, `p${i}`);
    writer.close();
    await follower.resume();
    expect(follower.processState).toBe("running");
    await ensemble.waitForQuorum();
    const reader = await sessionTo(ensemble, follower.id);
    for (let i = 0; i < 10; i++)
      expect(await readEventually(reader, `/during-pause-${i}`, `p${i}`)).toBe(`p${i}`);
    reader.close();
  });

  it("two ensembles run side by side without sharing a port", async () => {
    const [first, second] = await Promise.all([start(3), start(3)]);
    try {
      const ports = (ensemble: LocalEnsemble) =>
        ensemble.ports.flatMap((server) => [server.client, server.quorum, server.election]);
      const overlap = ports(first).filter((port) => ports(second).includes(port));
      expect(overlap).toEqual([]);
      expect(await first.leader()).toBeDefined();
      expect(await second.leader()).toBeDefined();
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
    await expectNothingLeft(first, root);
    await expectNothingLeft(second, root);
  });

  it("a start that fails halfway releases what it made and says which server failed", async () => {
    const attempt = startLocalEnsemble({
      nodes: 3,
      runtimeRoot: root,
      settings: { jvmFlags: ["-XX:+ThisFlagDoesNotExist"] },
    });
    await expect(attempt).rejects.toThrow(
      /ZooKeeper server \d exited \(exit code 1\) before serving; log: .*\n(.|\n)*ThisFlagDoesNotExist/,
    );
    // Nothing of it may remain: no registry entry, no port lock, no folder.
    const { readdirSync } = await import("node:fs");
    for (const dir of ["runs", "registry"]) {
      expect(readdirSync(`${root}/${dir}`)).toEqual([]);
    }
    expect(leakedPortLocks()).toEqual([]);
  });

  it("dispose is safe to call twice, and stop/restart keep the data", async () => {
    const ensemble = await start(1);
    const session = await sessionTo(ensemble, 1);
    await session.create("/kept", "across restart");
    session.close();
    await ensemble.server(1).stop();
    expect((await ensemble.server(1).status()).state).toBe("unreachable");
    await ensemble.server(1).restart();
    await ensemble.waitForQuorum();
    const again = await sessionTo(ensemble, 1);
    expect((await again.getData("/kept")).data.toString()).toBe("across restart");
    again.close();
    await Promise.all([ensemble.dispose(), ensemble.dispose()]);
    await ensemble.dispose();
    await expectNothingLeft(ensemble, root);
  });
});
