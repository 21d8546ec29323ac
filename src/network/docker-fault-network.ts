import { requireDocker } from "../docker/docker-engine.js";
import { FaultNetwork } from "./fault-network.js";
import { toxiproxyImage, toxiproxyImageUsable } from "./toxiproxy-container.js";

/** Options of the docker provider's fault network. */
export interface DockerFaultNetworkOptions {
  readonly seed?: string | number;
  /** The Toxiproxy image (default: see toxiproxyImage). */
  readonly toxiproxyImage?: string;
  readonly runId?: string;
  readonly log?: (line: string) => void;
}

/**
 * The docker provider's fault network: a Toxiproxy container when its image
 * is present or pullable, else the built-in server (and it says why).
 */
export async function startDockerFaultNetwork(
  options: DockerFaultNetworkOptions = {},
): Promise<FaultNetwork> {
  await requireDocker();
  const log = options.log ?? (() => {});
  const image = toxiproxyImage(options.toxiproxyImage);
  const usable = await toxiproxyImageUsable(image, log);
  const common = { ...(options.seed !== undefined ? { seed: options.seed } : {}), log };
  if (!usable.usable) {
    log(`fault network: ${usable.reason}; using the built-in Toxiproxy-compatible server instead`);
    return FaultNetwork.start(common);
  }
  return FaultNetwork.start({
    ...common,
    toxiproxyContainer: { image, ...(options.runId ? { runId: options.runId } : {}) },
  });
}
