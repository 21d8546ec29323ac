import { readFileSync } from "node:fs";
import { getContainerRuntimeClient } from "testcontainers";
import { describe, expect } from "vitest";
import { imagePresent } from "../../src/docker/container-image.js";
import { dockerAvailable, labelledResources, OWNER_LABEL } from "../../src/docker/docker-engine.js";
import { zooKeeperImage } from "../../src/docker/zookeeper-image.js";
import type {
  LocalEnsemble,
  LocalEnsembleOptions,
} from "../../src/ensemble/local/local-ensemble.js";
import type { FaultNetwork } from "../../src/network/fault-network.js";
import { toxiproxyImage } from "../../src/network/toxiproxy-container.js";
import { startProviderEnsemble, startProviderNetwork } from "../../src/providers/registry.js";
import { selfToken } from "../../src/util/process-identity.js";

/**
 * Which provider the shared fault tests run on: the vitest project "docker"
 * sets ZK_CHAOS_TEST_PROVIDER=docker (containers, Toxiproxy in a container),
 * the default project runs local JVMs behind the built-in server.
 */
export const TEST_PROVIDER: "local" | "docker" =
  process.env.ZK_CHAOS_TEST_PROVIDER === "docker" ? "docker" : "local";

async function dockerReadiness(): Promise<{ ready: boolean; reason: string }> {
  const engine = await dockerAvailable();
  if (!engine.available) return { ready: false, reason: engine.reason };
  for (const [image, script] of [
    [zooKeeperImage(), "build-zookeeper-image.sh"],
    [toxiproxyImage(), "build-toxiproxy-image.sh"],
  ] as const) {
    if (!(await imagePresent(image)))
      return { ready: false, reason: `no image ${image} (docker/${script} ${image} builds it)` };
  }
  return { ready: true, reason: `${engine.reason}, ${zooKeeperImage()} and ${toxiproxyImage()}` };
}

/** Whether this project's provider can run here; docker needs an engine and both images. */
export const providerReadiness =
  TEST_PROVIDER === "docker" ? await dockerReadiness() : { ready: true, reason: "local JVMs" };
if (!providerReadiness.ready)
  console.log(`docker provider tests skipped: ${providerReadiness.reason}`);

/** describe, skipped (and said so once) when this project's provider cannot run here. */
export const describeOnProvider: ReturnType<typeof describe.skipIf> = describe.skipIf(
  !providerReadiness.ready,
);

const TEST_CHOICE = { provider: TEST_PROVIDER } as const;

/** Starts an ensemble on this project's provider. */
export async function startTestEnsemble(options: LocalEnsembleOptions): Promise<LocalEnsemble> {
  // Both providers build a LocalEnsemble (docker with its own launcher); tests look at pids and container ids.
  return (await startProviderEnsemble(TEST_CHOICE, options)) as LocalEnsemble;
}

/** Starts this project's fault network: the built-in server, or (docker) a Toxiproxy container, never a silent fallback. */
export async function startTestNetwork(seed: number): Promise<FaultNetwork> {
  const network = await startProviderNetwork(TEST_CHOICE, { seed });
  if (TEST_PROVIDER === "docker")
    expect(network.builtIn, "the docker project runs Toxiproxy in a container").toBe(false);
  return network;
}

/** Whether a server is frozen as the platform sees it: SIGSTOPped (local) or a paused container (docker). */
export async function observedPaused(server: {
  readonly pid: number | undefined;
  readonly containerId?: string;
}): Promise<boolean> {
  if (TEST_PROVIDER === "docker") {
    if (server.containerId === undefined) return false;
    const client = await getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(server.containerId));
    return info.State.Paused;
  }
  if (server.pid === undefined) return false;
  try {
    return readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]?.[0] === "T";
  } catch {
    return false;
  }
}

/** Names of volumes no container uses (images with VOLUME lines make anonymous ones, unlabelled). */
async function danglingVolumes(): Promise<string[]> {
  const docker = (await getContainerRuntimeClient()).container.dockerode;
  const { Volumes } = await docker.listVolumes({ filters: { dangling: ["true"] } });
  return (Volumes ?? []).map((volume) => volume.Name).sort();
}

const danglingBefore =
  TEST_PROVIDER === "docker" && providerReadiness.ready ? await danglingVolumes() : [];

/** Asserts the engine holds no container, volume or network of ours (docker only). */
export async function expectNoDockerLeft(): Promise<void> {
  if (TEST_PROVIDER !== "docker") return;
  expect(await labelledResources({ [OWNER_LABEL]: selfToken() })).toEqual({
    containers: [],
    volumes: [],
    networks: [],
  });
  const before = new Set(danglingBefore);
  expect(
    (await danglingVolumes()).filter((name) => !before.has(name)),
    "volumes left",
  ).toEqual([]);
}
