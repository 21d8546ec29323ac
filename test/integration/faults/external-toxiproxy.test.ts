import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { listenersBeyondLoopback } from "../../../src/network/bypass-check.js";
import { FaultNetwork } from "../../../src/network/fault-network.js";
import { spawnCli } from "../../helpers/cli.js";
import {
  bypasses,
  expectHealedInSync,
  startFaultyEnsemble,
} from "../../helpers/faulty-ensemble.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

describe("the fault network's listeners", () => {
  it("with the built-in server, nothing of ours listens beyond loopback", async () => {
    await using faulty = await startFaultyEnsemble(3, root, 21);
    const pids = faulty.ensemble.servers.map((server) => server.pid as number);
    expect(listenersBeyondLoopback([...pids, process.pid])).toEqual([]);
  });
});

describe("the bypass check", () => {
  it("catches ZooKeeper's election dial-back when the handshake is not rewritten", async () => {
    await using network = await FaultNetwork.start({ electionRewrite: false });
    await using ensemble = await startLocalEnsemble({
      nodes: 3,
      runtimeRoot: root,
      peerLayout: network.peerLayout(),
    });
    // Server 1 restarting dials the higher ids first, who then drop it and dial back.
    await ensemble.server(1).restart();
    await ensemble.waitForQuorum();
    let found = bypasses(ensemble);
    for (let i = 0; i < 50 && found.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = bypasses(ensemble);
    }
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((bypass) => bypass.reason).join("; ")).toMatch(
      /dialled server port \d+ directly/,
    );
  });
});

describe("--toxiproxy-url: an external Toxiproxy (the standalone `zk-chaos toxiproxy` plays it here)", () => {
  it("drives the mesh through a separate Toxiproxy process, with no bypass", async () => {
    const server = spawnCli(["toxiproxy", "--port", "0", "--seed", "5"]);
    try {
      await server.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output())?.[1] as string;
      await using network = await FaultNetwork.start({ toxiproxyUrl: url });
      expect(network.builtIn).toBe(false);
      await using ensemble = await startLocalEnsemble({
        nodes: 3,
        runtimeRoot: root,
        peerLayout: network.peerLayout(),
      });
      const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, unknown>;
      expect(Object.keys(proxies).filter((name) => name.startsWith(network.prefix))).toHaveLength(
        15,
      );
      // A real Toxiproxy cannot rewrite the handshake: own peer ports bind the wildcard instead.
      const wide = listenersBeyondLoopback(ensemble.servers.map((s) => s.pid as number));
      const peerPorts = new Set(ensemble.ports.flatMap((p) => [p.quorum, p.election]));
      for (const { socket } of wide) expect(peerPorts.has(socket.localPort)).toBe(true);
      const nemesis = new Nemesis({ ensemble, network, seed: 5 });
      const fault = await nemesis.start({ kind: "isolate", target: "leader" });
      const oldLeader = (fault.detail.servers as number[])[0] as number;
      const rest = ensemble.servers.map((s) => s.id).filter((id) => id !== oldLeader);
      expect(rest).toContain(
        (await ensemble.waitForQuorum({ servers: rest, timeoutMs: 30_000 })).leader,
      );
      expect(bypasses(ensemble)).toEqual([]);
      await nemesis.heal(fault.id);
      await expectHealedInSync(ensemble);
      expect(bypasses(ensemble)).toEqual([]);
      await network.dispose();
      const left = (await (await fetch(`${url}/proxies`)).json()) as Record<string, unknown>;
      expect(Object.keys(left)).toEqual([]);
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    }
  });

  it("says clearly when no Toxiproxy answers", async () => {
    await expect(FaultNetwork.start({ toxiproxyUrl: "http://127.0.0.1:1" })).rejects.toThrow(
      /no Toxiproxy answers at http:\/\/127\.0\.0\.1:1 .*drop --toxiproxy-url/,
    );
    const cli = spawnCli(
      ["ensemble", "up", "--nodes", "1", "--toxiproxy-url", "http://127.0.0.1:1"],
      {
        ZK_CHAOS_RUNTIME_DIR: root,
      },
    );
    expect(await cli.exited).toBe(2);
  });
});

describe("zk-chaos ensemble up --network", () => {
  it("prints the Toxiproxy URL and the connect string through the client proxies", async () => {
    const cli = spawnCli(["ensemble", "up", "--nodes", "3", "--network", "--for", "1s"], {
      ZK_CHAOS_RUNTIME_DIR: root,
    });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(
      /connect string through the client proxies: (127\.0\.0\.1:\d+,?){3}/,
    );
    expect(cli.output()).toMatch(/Toxiproxy API: http:\/\/127\.0\.0\.1:\d+/);
  });
});
