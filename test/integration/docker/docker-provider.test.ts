import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { labelledResources, RUN_LABEL } from "../../../src/docker/docker-engine.js";
import { startDockerEnsemble } from "../../../src/ensemble/docker/docker-ensemble.js";
import type { DockerServer } from "../../../src/ensemble/docker/docker-server.js";
import { mountsUnder } from "../../../src/ensemble/local/log-disk.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { processArgs } from "../../../src/util/process-identity.js";
import { expectHealedInSync, expectWritable } from "../../helpers/faulty-ensemble.js";
import {
  describeOnProvider,
  expectNoDockerLeft,
  startTestNetwork,
} from "../../helpers/provider.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

describeOnProvider(
  "the docker provider (containers, Toxiproxy in a container, host networking)",
  () => {
    it("runs servers the official image's way behind a containerised Toxiproxy; kill, pause, isolate heal; nothing left", async () => {
      await using network = await startTestNetwork(71);
      const ensemble = await startDockerEnsemble({
        nodes: 3,
        runtimeRoot: root,
        peerLayout: network.peerLayout(),
      });
      try {
        expect(ensemble.provider).toBe("docker");
        // The version comes from the servers, not from the host.
        expect(ensemble.zooKeeperVersion).toMatch(/^3\.\d+\.\d+/);
        expect((await labelledResources({ [RUN_LABEL]: ensemble.runId })).containers).toHaveLength(
          3,
        );
        // The JVM is the container's main process, started by zkServer.sh start-foreground with our flags.
        const server = ensemble.server(1) as DockerServer;
        const args = processArgs(server.pid as number) ?? [];
        expect(args).toContain("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        expect(args.some((arg) => arg.startsWith("-Dzkchaos.run="))).toBe(true);

        const nemesis = new Nemesis({ ensemble, network, seed: 71 });
        const kill = await nemesis.start({ kind: "kill", target: "leader" });
        const oldLeader = (kill.detail.servers as number[])[0] as number;
        const rest = [1, 2, 3].filter((id) => id !== oldLeader);
        expect(rest).toContain((await ensemble.waitForQuorum({ servers: rest })).leader);
        await nemesis.heal(kill.id);
        await expectHealedInSync(ensemble);
        const pause = await nemesis.start({ kind: "pause", target: "follower" });
        const paused = (pause.detail.servers as number[])[0] as number;
        expect((await ensemble.server(paused).status()).state).toBe("unreachable");
        await nemesis.heal(pause.id);
        const isolate = await nemesis.start({ kind: "isolate", target: "leader" });
        await nemesis.heal(isolate.id);
        await expectHealedInSync(ensemble);
      } finally {
        await ensemble.dispose();
        await network.dispose();
      }
      await expectNoDockerLeft();
    });

    it("data and CPU faults on containers: bit rot and a wipe act on the bind-mounted data folder, a starved JVM gets its share and goes back to its container's group", async () => {
      await using network = await startTestNetwork(72);
      const ensemble = await startDockerEnsemble({
        nodes: 3,
        runtimeRoot: root,
        peerLayout: network.peerLayout(),
      });
      try {
        for (let i = 0; i < 20; i++) await expectWritable(ensemble, [1]);
        const history = new MemorySink();
        const nemesis = new Nemesis({
          ensemble,
          network,
          seed: 72,
          recorder: new HistoryRecorder([history]),
        });
        const rot = await nemesis.start({ kind: "corrupt", target: 2, damage: "flip-log" }, "rot");
        expect(rot.detail).toMatchObject({ servers: [2], damage: "flip-log", bytes: 8 });
        expect(String(rot.detail.outcome)).toMatch(/^(loaded|refused \(exit code \d+\))$/);
        await nemesis.heal("rot");
        await expectHealedInSync(ensemble);
        const wipe = await nemesis.start({ kind: "wipe", target: 3 }, "wipe");
        expect(wipe.detail).toMatchObject({ servers: [3], damage: "wipe" });
        await expectHealedInSync(ensemble);
        expect(readFileSync((ensemble.server(3) as DockerServer).logFile, "utf8")).toMatch(
          /Getting a snapshot from leader/,
        );

        const starve = await nemesis.start({ kind: "starve", target: "leader", cpu: 0.05 }, "cpu");
        const [starved] = starve.detail.servers as [number];
        const pid = (ensemble.server(starved) as DockerServer).pid as number;
        expect(readFileSync(`/proc/${pid}/cgroup`, "utf8")).toContain("zkchaos-");
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await nemesis.heal("cpu");
        const share = (
          history.events.find((event) => event.f === "fed")?.value as { share?: number } | undefined
        )?.share;
        expect(share).toBeLessThan(0.08);
        // Back in the container's own group, as docker made it.
        expect(readFileSync(`/proc/${pid}/cgroup`, "utf8")).not.toContain("zkchaos-");
        await expectHealedInSync(ensemble);
      } finally {
        await ensemble.dispose();
        await network.dispose();
      }
      await expectNoDockerLeft();
    });

    it("disk faults on containers: a full log disk, a slow fsync and a read-only data folder reach the server inside; each heals, no mount is left", async () => {
      const ensemble = await startDockerEnsemble({
        nodes: 3,
        runtimeRoot: root,
        logDiskMb: 16,
        slowFsync: true,
      });
      try {
        const history = new MemorySink();
        const nemesis = new Nemesis({
          ensemble,
          seed: 73,
          recorder: new HistoryRecorder([history]),
        });
        // The log goes through the pass-through mounted before the container started.
        await nemesis.start({ kind: "slow-fsync", target: 1, delay: 20 }, "fsync");
        for (let i = 0; i < 10; i++) await expectWritable(ensemble, [1]);
        await nemesis.heal("fsync");
        const restored = history.events.find((event) => event.f === "fsync-restored")?.value as
          | { slowedFsyncs?: number }
          | undefined;
        expect(restored?.slowedFsyncs).toBeGreaterThan(0);

        const full = await nemesis.start({ kind: "disk-full", target: 2 }, "full");
        expect(full.detail.filledBytes).toBeGreaterThan(15_000_000);
        // Writes go on until the server must grow its log on the full disk.
        await expect
          .poll(
            async () => {
              await expectWritable(ensemble, [1]).catch(() => undefined);
              return readFileSync((ensemble.server(2) as DockerServer).logFile, "utf8");
            },
            { timeout: 20_000, interval: 100 },
          )
          .toMatch(/No space left on device/);
        await nemesis.heal("full");

        await nemesis.start({ kind: "read-only", target: 3 }, "ro");
        await expect
          .poll(() => ensemble.server(3).processState, { timeout: 15_000, interval: 200 })
          .toBe("stopped");
        expect(readFileSync((ensemble.server(3) as DockerServer).logFile, "utf8")).toMatch(
          /Unable to access datadir/,
        );
        await nemesis.heal("ro");
        await expectHealedInSync(ensemble);
      } finally {
        await ensemble.dispose();
      }
      expect(mountsUnder(root)).toEqual([]);
      await expectNoDockerLeft();
    });

    it("a start that fails halfway (a JVM that cannot start) leaves no container, running or exited", async () => {
      await expect(
        startDockerEnsemble({
          nodes: 3,
          runtimeRoot: root,
          settings: { jvmFlags: ["-XX:+NoSuchFlag"] },
        }),
      ).rejects.toThrow(/could not start ZooKeeper server \d from image/);
      await expectNoDockerLeft();
    });

    it("names the image and the build script when the image is missing and unpullable", async () => {
      await expect(
        startDockerEnsemble({ nodes: 1, runtimeRoot: root, image: "zk-chaos/no-such-image:0" }),
      ).rejects.toThrow(
        /image zk-chaos\/no-such-image:0 is not on the engine and not pullable .*docker\/build-zookeeper-image\.sh zk-chaos\/no-such-image:0/,
      );
      await expectNoDockerLeft();
    });
  },
);
