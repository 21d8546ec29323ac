import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { getContainerRuntimeClient } from "testcontainers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { labelledResources, OWNER_LABEL } from "../../../src/docker/docker-engine.js";
import { routeOffMachine } from "../../../src/docker/run-network.js";
import type { DockerServer } from "../../../src/ensemble/docker/docker-server.js";
import type { LocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import {
  type ProviderChoice,
  startProviderEnsemble,
  startProviderNetwork,
} from "../../../src/providers/registry.js";
import { processStartTime } from "../../../src/util/process-identity.js";
import { spawnCli } from "../../helpers/cli.js";
import { expectHealedInSync, expectWritable } from "../../helpers/faulty-ensemble.js";
import { describeOnProvider, expectNoDockerLeft } from "../../helpers/provider.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

const BRIDGE: ProviderChoice = { provider: "docker", dockerNetwork: "bridge" };
/** Addresses off this machine, for route lookups only (nothing is sent): TEST-NET-1 and the host's own gateway. */
const OFF_MACHINE = [
  "192.0.2.1",
  ...(
    JSON.parse(
      execFileSync("ip", ["-j", "-4", "route", "show", "default"], { encoding: "utf8" }),
    ) as {
      gateway?: string;
    }[]
  ).flatMap((route) => (route.gateway ? [route.gateway] : [])),
];

/** The routes a container's namespace has (seen from the host: the images carry no ip tool). */
function containerRoutes(pid: number): { dst: string; dev?: string; gateway?: string }[] {
  return JSON.parse(
    execFileSync("nsenter", ["-t", String(pid), "-n", "ip", "-j", "-4", "route", "show"], {
      encoding: "utf8",
    }),
  );
}

/** The error code of a TCP connect (undefined when it connects). */
function connectError(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 10_000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve("timeout");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

const networkExists = async (name: string) =>
  (await (await getContainerRuntimeClient()).container.dockerode.listNetworks()).some(
    (network) => network.Name === name,
  );

describeOnProvider("the docker provider on a bridge network of the run's own", () => {
  it("servers are zk1..zk3 and Toxiproxy is `toxiproxy` on a private /24, on the standard ports; a partition heals; nothing is routed off the machine; nothing is left", async () => {
    const network = await startProviderNetwork(BRIDGE, { seed: 41 });
    const runNetwork = network.runNetwork;
    if (runNetwork === undefined) throw new Error("bridge mode made no run network");
    let ensemble: LocalEnsemble | undefined;
    try {
      expect(network.builtIn).toBe(false);
      expect(runNetwork.subnet).toMatch(/^10\.232\.\d+\.0\/24$/);
      ensemble = (await startProviderEnsemble(
        BRIDGE,
        { nodes: 3, runtimeRoot: root, peerLayout: network.peerLayout() },
        network,
      )) as LocalEnsemble;
      const client = await getContainerRuntimeClient();
      for (const id of [1, 2, 3]) {
        const server = ensemble.server(id) as DockerServer;
        expect(server.clientAddress).toEqual({ host: runNetwork.serverAddress(id), port: 2181 });
        // The address is held by a container of its own, which the server's container shares.
        const [holder] = await client.container.dockerode.listContainers({
          filters: {
            label: [
              `zk-chaos.run=${ensemble.runId}`,
              "zk-chaos.role=address-holder",
              `zk-chaos.server=${id}`,
            ],
          },
        });
        const endpoint = holder?.NetworkSettings.Networks[runNetwork.name];
        expect(endpoint?.IPAddress).toBe(runNetwork.serverAddress(id));
        const info = await client.container.inspect(
          client.container.getById(server.containerId as string),
        );
        expect(info.HostConfig.NetworkMode).toBe(`container:${holder?.Id}`);
        const aliases = await client.container.inspect(
          client.container.getById(holder?.Id as string),
        );
        expect(aliases.NetworkSettings.Networks[runNetwork.name]?.Aliases).toContain(`zk${id}`);
      }
      // Each server names its peers through Toxiproxy by DNS name, and binds everywhere in its own namespace.
      const zooCfg = readFileSync(join(ensemble.dir, "server-1", "conf", "zoo.cfg"), "utf8");
      expect(zooCfg).toMatch(/^clientPort=2181$/m);
      expect(zooCfg).toMatch(/^server\.1=0\.0\.0\.0:2888:3888$/m);
      expect(zooCfg).toMatch(/^server\.2=toxiproxy:\d+:\d+$/m);
      const proxies = (await (await fetch(`${network.url}/proxies`)).json()) as Record<
        string,
        { upstream: string }
      >;
      const upstreams = new Set(Object.values(proxies).map((proxy) => proxy.upstream));
      expect([...upstreams].sort()).toEqual(
        ["2181", "2888", "3888"].flatMap((port) => [1, 2, 3].map((id) => `zk${id}:${port}`)).sort(),
      );
      expect(network.clientConnectString()).toMatch(
        new RegExp(`^(${runNetwork.toxiproxyAddress.replace(/\./g, "\\.")}:\\d+,?){3}$`),
      );

      // Nothing the containers send is routed off the machine: the host forwards nothing from the
      // bridge, and every route a container has ends on the bridge.
      expect(
        readFileSync(`/proc/sys/net/ipv4/conf/${runNetwork.name}/forwarding`, "utf8").trim(),
      ).toBe("0");
      for (const id of [1, 2, 3]) {
        const pid = (ensemble.server(id) as DockerServer).pid as number;
        for (const route of containerRoutes(pid)) {
          expect(route.dev).toBe("eth0");
          if (route.gateway !== undefined) expect(route.gateway).toBe(runNetwork.gateway);
        }
        for (const address of OFF_MACHINE) {
          const lookup = routeOffMachine(runNetwork, runNetwork.serverAddress(id), address);
          expect(lookup, `zk${id} -> ${address}`).toEqual({
            routed: false,
            answer: expect.stringMatching(/No route to host|unreachable/i),
          });
        }
      }
      const hostRoute = spawnSync("ip", ["-j", "route", "show", runNetwork.subnet], {
        encoding: "utf8",
      });
      expect((JSON.parse(hostRoute.stdout) as { dev: string }[]).map((route) => route.dev)).toEqual(
        [runNetwork.name],
      );

      // A killed server is a dead process on a live host: its address refuses at once.
      const nemesis = new Nemesis({ ensemble, network, seed: 41 });
      const kill = await nemesis.start({ kind: "kill", target: "leader" });
      const killed = (kill.detail.servers as number[])[0] as number;
      expect(await connectError(runNetwork.serverAddress(killed), 2181)).toBe("ECONNREFUSED");
      const alive = [1, 2, 3].filter((id) => id !== killed);
      expect(alive).toContain((await ensemble.waitForQuorum({ servers: alive })).leader);
      await expectWritable(ensemble, alive);
      await nemesis.heal(kill.id);
      await expectHealedInSync(ensemble);

      // A partition through the proxies by name, and its heal.
      const cut = await nemesis.start({ kind: "isolate", target: "leader" });
      const old = (cut.detail.servers as number[])[0] as number;
      const rest = [1, 2, 3].filter((id) => id !== old);
      expect(rest).toContain((await ensemble.waitForQuorum({ servers: rest })).leader);
      await nemesis.heal(cut.id);
      await expectHealedInSync(ensemble);
    } finally {
      await ensemble?.dispose();
      await network.dispose();
    }
    expect(await networkExists(runNetwork.name)).toBe(false);
    expect(spawnSync("ip", ["link", "show", runNetwork.name]).status).not.toBe(0);
    await expectNoDockerLeft();
  });

  it("SIGTERM to `ensemble up` removes the network with the containers", async () => {
    const cli = spawnCli(
      ["ensemble", "up", "--provider", "docker", "--docker-network", "bridge", "--nodes", "3"],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    await cli.waitFor(/running until Ctrl-C/, 60_000);
    const token = `${cli.child.pid}:${processStartTime(cli.child.pid as number)}`;
    const held = await labelledResources({ [OWNER_LABEL]: token });
    // 3 servers, their 3 address holders and Toxiproxy, on one network.
    expect([held.containers.length, held.networks.length]).toEqual([7, 1]);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    expect(await labelledResources({ [OWNER_LABEL]: token })).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    });
    expect(spawnSync("ip", ["link", "show", held.networks[0] as string]).status).not.toBe(0);
  });

  it("a CLI killed with SIGKILL leaves its network, and `ensemble reap` removes it", async () => {
    const cli = spawnCli(
      ["ensemble", "up", "--provider", "docker", "--docker-network", "bridge", "--nodes", "1"],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    await cli.waitFor(/running until Ctrl-C/, 60_000);
    const name = /docker network (zkc-[0-9a-f]+)/.exec(cli.output())?.[1] as string;
    expect(name).toBeDefined();
    const token = `${cli.child.pid}:${processStartTime(cli.child.pid as number)}`;
    cli.child.kill("SIGKILL");
    expect(await cli.exited).toBe("SIGKILL");
    expect((await labelledResources({ [OWNER_LABEL]: token })).networks).toEqual([name]);
    const reap = spawnCli(["ensemble", "reap"], { ZK_CHAOS_RUNTIME_DIR: root });
    expect(await reap.exited).toBe(0);
    expect(await labelledResources({ [OWNER_LABEL]: token })).toEqual({
      containers: [],
      volumes: [],
      networks: [],
    });
    expect(spawnSync("ip", ["link", "show", name]).status).not.toBe(0);
  });

  it("bridge without --provider docker is a clear input error (exit 2)", async () => {
    const cli = spawnCli(
      [
        "run",
        "scenarios/baseline.yaml",
        "--provider",
        "local",
        "--docker-network",
        "bridge",
        "--out",
        root,
      ],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(
      /--docker-network bridge belongs to the docker provider.*ask for --provider docker/,
    );
  });
});
