import { requireDocker } from "../docker/docker-engine.js";
import { createRunNetwork, type RunNetwork } from "../docker/run-network.js";
import { BadInputError } from "../errors.js";
import { FaultNetwork } from "./fault-network.js";
import { toxiproxyImage, toxiproxyImageUsable } from "./toxiproxy-container.js";

/** Options of the docker provider's fault network. */
export interface DockerFaultNetworkOptions {
  readonly seed?: string | number;
  /** The Toxiproxy image (default: see toxiproxyImage). */
  readonly toxiproxyImage?: string;
  readonly runId?: string;
  readonly log?: (line: string) => void;
  /**
   * "bridge": a run network of its own (servers zk1..zkN, Toxiproxy as
   * `toxiproxy`, nothing routed off the machine); default "host": loopback.
   */
  readonly dockerNetwork?: DockerNetworkMode;
  /** Decode the peer links: the built-in server on the host network, never a container. */
  readonly wire?: boolean;
  readonly captureDir?: string;
}

/** How the docker provider's containers are networked. */
export type DockerNetworkMode = "host" | "bridge";

/**
 * The docker provider's fault network: a Toxiproxy container when its image
 * is present or pullable, else the built-in server (and it says why). On a
 * bridge network the container is required: the servers reach it by name.
 */
export async function startDockerFaultNetwork(
  options: DockerFaultNetworkOptions = {},
): Promise<FaultNetwork> {
  await requireDocker();
  const log = options.log ?? (() => {});
  const image = toxiproxyImage(options.toxiproxyImage);
  const usable = await toxiproxyImageUsable(image, log);
  const common = { ...(options.seed !== undefined ? { seed: options.seed } : {}), log };
  const runId = options.runId ? { runId: options.runId } : {};
  if (options.wire && options.dockerNetwork !== "bridge") {
    log("fault network: network.wire decodes the peer links in the built-in server");
    return FaultNetwork.start({
      ...common,
      wire: true,
      ...(options.captureDir !== undefined ? { captureDir: options.captureDir } : {}),
    });
  }
  if (options.dockerNetwork === "bridge") {
    if (!usable.usable)
      throw new BadInputError(
        `--docker-network bridge runs Toxiproxy in a container beside the servers, but ${usable.reason}`,
      );
    const network: RunNetwork = await createRunNetwork({ ...runId, log });
    try {
      return await FaultNetwork.start({
        ...common,
        ...(options.wire ? { wire: true } : {}),
        toxiproxyContainer: { image, ...runId, network },
      });
    } catch (error) {
      await network.remove().catch(() => undefined);
      throw error;
    }
  }
  if (!usable.usable) {
    log(`fault network: ${usable.reason}; using the built-in Toxiproxy-compatible server instead`);
    return FaultNetwork.start(common);
  }
  return FaultNetwork.start({ ...common, toxiproxyContainer: { image, ...runId } });
}
