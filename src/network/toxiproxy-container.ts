import type { StartedTestContainer } from "testcontainers";
import { addressedContainer, type NetworkPlacement } from "../docker/addressed-container.js";
import { provideImage } from "../docker/container-image.js";
import {
  configureTestcontainers,
  OWNER_LABEL,
  ROLE_LABEL,
  RUN_LABEL,
  removeContainerNow,
} from "../docker/docker-engine.js";
import { ZkChaosError } from "../errors.js";
import { reservePorts } from "../util/port-reservation.js";
import { selfToken } from "../util/process-identity.js";
import { onShutdown } from "../util/shutdown.js";

/** The official Toxiproxy server image. */
export const OFFICIAL_TOXIPROXY_IMAGE = "ghcr.io/shopify/toxiproxy:2.12.0";

/** The image docker/build-toxiproxy-image.sh builds without a registry (the built-in server, same contract). */
export const LOCAL_TOXIPROXY_IMAGE = "zk-chaos/toxiproxy:local";

/** The Toxiproxy image to run: the option, else $ZK_CHAOS_TOXIPROXY_IMAGE, else the official image. */
export function toxiproxyImage(option?: string): string {
  return option ?? process.env.ZK_CHAOS_TOXIPROXY_IMAGE ?? OFFICIAL_TOXIPROXY_IMAGE;
}

/** The API port of Toxiproxy on a run's bridge network (the official default). */
const NETWORK_API_PORT = 8474;

/** A Toxiproxy server running in a container, its API on loopback (host network) or at its address on a run network. */
export interface ToxiproxyContainer {
  readonly url: string;
  readonly image: string;
  readonly containerId: string;
  /** Stops and removes the container; safe to call twice. */
  stop(): Promise<void>;
}

/** Whether the image can be used, or why the built-in server has to stand in. */
export async function toxiproxyImageUsable(
  image: string,
  log?: (line: string) => void,
): Promise<{ usable: boolean; reason: string }> {
  const availability = await provideImage(image, log);
  return {
    usable: availability.available,
    reason: availability.available
      ? `image ${image} ${availability.how}`
      : `image ${image} is ${availability.how}; build one without a registry with 'docker/build-toxiproxy-image.sh ${image}'`,
  };
}

/** The official server's -seed is an integer: a numeric seed as is, any other string hashed (FNV-1a). */
export function integerSeed(seed: string | number): number {
  const text = String(seed);
  if (/^\d{1,15}$/.test(text)) return Number(text);
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return hash;
}

async function waitForApi(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`its API at ${url} did not answer in ${timeoutMs / 1000} s (${last})`);
}

/**
 * Starts a Toxiproxy container (official flags: -host, -port) on the host
 * network with its API on a reserved loopback port, or on a run's bridge
 * network at a fixed address (listening on all of its own addresses there).
 * Proxies are then made through the API on any port: nothing has to be
 * exposed in advance.
 */
export async function startToxiproxyContainer(options: {
  readonly image: string;
  readonly runId: string;
  readonly host?: string;
  /** Seed of the server's toxicity and jitter draws (its -seed flag), so degradations replay. */
  readonly seed?: string | number;
  /** Its place on a run's bridge network; default: the host network. */
  readonly placement?: NetworkPlacement;
}): Promise<ToxiproxyContainer> {
  configureTestcontainers();
  const placement = options.placement;
  // On a run network the container's namespace is its own: its API port is free by construction.
  const host = placement ? "0.0.0.0" : (options.host ?? "127.0.0.1");
  const reservation = placement ? undefined : await reservePorts(1, host);
  const port = reservation ? (reservation.ports[0] as number) : NETWORK_API_PORT;
  const url = `http://${placement ? placement.address : host}:${port}`;
  let container: StartedTestContainer | undefined;
  let unhook = () => {};
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      unhook();
      try {
        await container?.stop({ timeout: 0, remove: true, removeVolumes: true });
      } finally {
        reservation?.release();
      }
    })();
    return stopped;
  };
  try {
    const image = await addressedContainer(options.image);
    if (placement) image.placedOn(placement);
    else image.withNetworkMode("host");
    container = await image
      .withCommand([`-host=${host}`, `-port=${port}`, `-seed=${integerSeed(options.seed ?? 0)}`])
      .withLabels({
        [RUN_LABEL]: options.runId,
        [OWNER_LABEL]: selfToken(),
        [ROLE_LABEL]: "toxiproxy",
      })
      // Ready when its API answers (below): log lines differ between Toxiproxy versions.
      .start();
    const id = container.getId();
    unhook = onShutdown(stop, () => removeContainerNow(id));
    await waitForApi(url, 30_000);
  } catch (error) {
    await stop().catch(() => undefined);
    throw new ZkChaosError(
      "SERVER_START_FAILED",
      `could not start the Toxiproxy container from ${options.image}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { url, image: options.image, containerId: container.getId(), stop };
}
