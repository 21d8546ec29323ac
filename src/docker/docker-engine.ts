import { execFileSync } from "node:child_process";
import { ZkChaosError } from "../errors.js";
import { isTokenAlive } from "../util/process-identity.js";
import { configureTestcontainers, runtimeClient } from "./testcontainers.js";

/** Labels on every container we start: the reaper finds orphans by them. */
export const RUN_LABEL = "zk-chaos.run";
export const OWNER_LABEL = "zk-chaos.owner";

export { configureTestcontainers } from "./testcontainers.js";

/** Whether a Docker engine answers, with the reason when not. */
export async function dockerAvailable(): Promise<{ available: boolean; reason: string }> {
  configureTestcontainers();
  try {
    const client = await runtimeClient();
    return {
      available: true,
      reason: `engine ${client.info.containerRuntime.serverVersion} at ${client.info.containerRuntime.host}`,
    };
  } catch (error) {
    return { available: false, reason: (error as Error).message.split("\n")[0] ?? "no engine" };
  }
}

/** What an engine still holds for a set of labels. */
export interface LabelledResources {
  readonly containers: string[];
  readonly volumes: string[];
  readonly networks: string[];
}

function labelFilter(labels: Readonly<Record<string, string>>): { label: string[] } {
  return {
    label: Object.entries(labels).map(([key, value]) => (value === "" ? key : `${key}=${value}`)),
  };
}

/** Containers (running or exited), volumes and networks carrying all these labels ("" matches any value). */
export async function labelledResources(
  labels: Readonly<Record<string, string>>,
): Promise<LabelledResources> {
  configureTestcontainers();
  const docker = (await runtimeClient()).container.dockerode;
  const filters = labelFilter(labels);
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  const networks = await docker.listNetworks({ filters });
  return {
    containers: containers.map((info) => info.Id.slice(0, 12)),
    volumes: volumes.map((volume) => volume.Name),
    networks: networks.map((network) => network.Name),
  };
}

/** Removes every container (running or exited) carrying all these labels, with its anonymous volumes; returns their short ids. */
export async function removeContainers(
  labels: Readonly<Record<string, string>>,
  keep?: (labels: Record<string, string>) => boolean,
): Promise<string[]> {
  configureTestcontainers();
  const docker = (await runtimeClient()).container.dockerode;
  const removed: string[] = [];
  for (const info of await docker.listContainers({ all: true, filters: labelFilter(labels) })) {
    if (keep?.(info.Labels ?? {})) continue;
    await docker
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
    removed.push(info.Id.slice(0, 12));
  }
  return removed;
}

/** Removes containers (running or exited) whose harness died: their owner label names a dead process. */
export function reapOrphanContainers(): Promise<string[]> {
  return removeContainers({ [OWNER_LABEL]: "" }, (labels) =>
    isTokenAlive(labels[OWNER_LABEL] ?? ""),
  );
}

/** The role label of the networks we create, for the reaper. */
export const ROLE_LABEL = "zk-chaos.role";

/** Removes a network, disconnecting whatever is still attached first; a missing one is fine. */
export async function removeNetwork(name: string): Promise<void> {
  configureTestcontainers();
  const docker = (await runtimeClient()).container.dockerode;
  const handle = docker.getNetwork(name);
  try {
    const info = (await handle.inspect()) as { Containers?: Record<string, unknown> };
    for (const id of Object.keys(info.Containers ?? {})) {
      await handle.disconnect({ Container: id, Force: true }).catch(() => undefined);
    }
    await handle.remove();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return;
    throw error;
  }
}

/**
 * Removes what runs that died left on the engine: containers, then the run
 * networks they sat on. Returns what it removed ("container <id>", "network <name>").
 */
export async function reapOrphanDockerResources(): Promise<string[]> {
  const reaped = (await reapOrphanContainers()).map((id) => `container ${id}`);
  const docker = (await runtimeClient()).container.dockerode;
  const networks = await docker.listNetworks({ filters: labelFilter({ [OWNER_LABEL]: "" }) });
  for (const info of networks) {
    if (isTokenAlive(info.Labels?.[OWNER_LABEL] ?? "")) continue;
    await removeNetwork(info.Name).then(
      () => reaped.push(`network ${info.Name}`),
      () => undefined,
    );
  }
  return reaped;
}

/** Removes a container at once, synchronously (for exit paths that cannot wait); the reaper catches a miss. */
export function removeContainerNow(id: string): void {
  try {
    // execFileSync: no shell, the id is passed as one argument.
    execFileSync("docker", ["rm", "-f", "-v", id], { stdio: "ignore", timeout: 5000 });
  } catch {
    // The next start's reaper removes it.
  }
}

/** Fails with a clear input error unless an engine answers. */
export async function requireDocker(): Promise<void> {
  const engine = await dockerAvailable();
  if (!engine.available) {
    throw new ZkChaosError(
      "BAD_INPUT",
      `no Docker engine reachable (${engine.reason}): start one (or set DOCKER_HOST), or use --provider local`,
    );
  }
}
