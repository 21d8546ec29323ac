import { getContainerRuntimeClient, ImageName } from "testcontainers";
import { ZkChaosError } from "../errors.js";
import { isTokenAlive } from "../util/process-identity.js";
import {
  configureTestcontainers,
  DockerServer,
  OWNER_LABEL,
  removeContainers,
} from "./docker-server.js";
import {
  type LocalEnsemble,
  type LocalEnsembleOptions,
  startLocalEnsemble,
} from "./local-ensemble.js";

/** The image the docker provider runs unless told otherwise (built by docker/build-zookeeper-image.sh). */
export const DEFAULT_ZOOKEEPER_IMAGE = "zk-chaos/zookeeper:local";

/** Options of the docker provider. */
export interface DockerEnsembleOptions
  extends Omit<LocalEnsembleOptions, "launcher" | "provider" | "classDataSharing"> {
  /** The ZooKeeper image (default zk-chaos/zookeeper:local). */
  readonly image?: string;
}

/** Whether a Docker engine answers, with the reason when not. */
export async function dockerAvailable(): Promise<{ available: boolean; reason: string }> {
  configureTestcontainers();
  try {
    const client = await getContainerRuntimeClient();
    return {
      available: true,
      reason: `engine ${client.info.containerRuntime.serverVersion} at ${client.info.containerRuntime.host}`,
    };
  } catch (error) {
    return { available: false, reason: (error as Error).message.split("\n")[0] ?? "no engine" };
  }
}

/** Whether the engine has the image (no registry is consulted). */
export async function imageAvailable(image: string): Promise<boolean> {
  configureTestcontainers();
  try {
    const client = await getContainerRuntimeClient();
    return await client.image.exists(ImageName.fromString(image));
  } catch {
    return false;
  }
}

/** Removes containers (running or exited) whose harness died: their owner label names a dead process. */
export function reapOrphanContainers(): Promise<string[]> {
  return removeContainers({ [OWNER_LABEL]: "" }, (labels) =>
    isTokenAlive(labels[OWNER_LABEL] ?? ""),
  );
}

/**
 * Starts an ensemble whose servers are containers of a ZooKeeper image, with
 * the same interface, fault network and guarantees as the local provider.
 */
export async function startDockerEnsemble(options: DockerEnsembleOptions): Promise<LocalEnsemble> {
  const engine = await dockerAvailable();
  if (!engine.available) {
    throw new ZkChaosError(
      "BAD_INPUT",
      `no Docker engine reachable (${engine.reason}): start one (or set DOCKER_HOST), or use --provider local`,
    );
  }
  const image = options.image ?? DEFAULT_ZOOKEEPER_IMAGE;
  if (!(await imageAvailable(image))) {
    throw new ZkChaosError(
      "BAD_INPUT",
      `image ${image} is not on this engine and cannot be pulled here: build it with docker/build-zookeeper-image.sh ${image}`,
    );
  }
  for (const id of await reapOrphanContainers()) options.log?.(`reaped orphan container ${id}`);
  return startLocalEnsemble({
    ...options,
    launcher: (spec) => new DockerServer(spec, image),
    provider: "docker",
  });
}
