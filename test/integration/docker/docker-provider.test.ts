import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getContainerRuntimeClient } from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_ZOOKEEPER_IMAGE,
  dockerAvailable,
  imageAvailable,
  startDockerEnsemble,
} from "../../../src/ensemble/docker-ensemble.js";
import { OWNER_LABEL } from "../../../src/ensemble/docker-server.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { FaultNetwork } from "../../../src/network/fault-network.js";
import { runPlan } from "../../../src/runner/run-plan.js";
import { loadScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";
import { expectHealedInSync } from "../../helpers/faulty-ensemble.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

const engine = await dockerAvailable();
const ready = engine.available && (await imageAvailable(DEFAULT_ZOOKEEPER_IMAGE));
if (!ready) {
  console.log(
    `docker provider tests skipped: ${engine.available ? `no image ${DEFAULT_ZOOKEEPER_IMAGE} (docker/build-zookeeper-image.sh builds it)` : engine.reason}`,
  );
}

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

async function ourContainers(): Promise<number> {
  const client = await getContainerRuntimeClient();
  return (await client.container.list()).filter((info) => info.Labels?.[OWNER_LABEL] !== undefined)
    .length;
}

describe.skipIf(!ready)(
  "the docker provider (containers of the locally built image, host networking)",
  () => {
    it("runs an ensemble behind the fault network: kill, restart, pause, isolate, heal; leaves no container", async () => {
      await using network = await FaultNetwork.start({ seed: 71 });
      const ensemble = await startDockerEnsemble({
        nodes: 3,
        runtimeRoot: root,
        peerLayout: network.peerLayout(),
      });
      try {
        expect(ensemble.provider).toBe("docker");
        expect(await ourContainers()).toBe(3);
        const nemesis = new Nemesis({ ensemble, network, seed: 71 });
        const oldLeader = (await ensemble.leader()) as number;
        const kill = await nemesis.start({ kind: "kill", target: "leader" });
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
      }
      expect(await ourContainers()).toBe(0);
    });

    it("a start that fails halfway (a JVM that cannot start) leaves no container, running or exited", async () => {
      await expect(
        startDockerEnsemble({
          nodes: 3,
          runtimeRoot: root,
          settings: { jvmFlags: ["-XX:+NoSuchFlag"] },
        }),
      ).rejects.toThrow(/could not start ZooKeeper server \d from image/);
      expect(await ourContainers()).toBe(0);
    });

    it("runs a scenario on docker with zero anomalies", async () => {
      const out = mkdtempSync(join(tmpdir(), "zk-chaos-docker-run-"));
      try {
        const plan = {
          ...planRun(loadScenario("scenarios/kill-leader.yaml"), 3, 72, 10_000),
          provider: "docker" as const,
        };
        const result = await runPlan(plan, { dir: out });
        expect(result.verdicts.flatMap((verdict) => verdict.anomalies)).toEqual([]);
        expect(result.valid).toBe(true);
        expect(await ourContainers()).toBe(0);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  },
);
