import type { Command } from "commander";
import { provideImage } from "../docker/container-image.js";
import { dockerAvailable } from "../docker/docker-engine.js";
import { OFFICIAL_TOXIPROXY_IMAGE } from "../network/toxiproxy-container.js";
import { OFFICIAL_ZOOKEEPER_IMAGE, zooKeeperImage } from "../runner/provider.js";

/** The images a docker run uses, as parsed from --zookeeper-image and --toxiproxy-image. */
export interface ImageOptions {
  readonly zookeeperImage?: string;
  readonly toxiproxyImage?: string;
}

/** Adds --zookeeper-image and --toxiproxy-image (used with --provider docker). */
export function withImageOptions(command: Command): Command {
  return command
    .option(
      "--zookeeper-image <image>",
      `with --provider docker: the ZooKeeper image, any tag from 3.5 to 3.9 or a private registry's (default $ZK_CHAOS_ZOOKEEPER_IMAGE, else ${OFFICIAL_ZOOKEEPER_IMAGE})`,
    )
    .option(
      "--toxiproxy-image <image>",
      `with --provider docker: the Toxiproxy image of the fault network; absent and unpullable, the built-in server stands in (default $ZK_CHAOS_TOXIPROXY_IMAGE, else ${OFFICIAL_TOXIPROXY_IMAGE})`,
    );
}

/** Resolves --provider: auto picks docker when an engine answers and the image is present or pullable, and says why. */
export async function chooseProvider(
  requested: "local" | "docker" | "auto" | undefined,
  log: (line: string) => void,
  image = zooKeeperImage(),
): Promise<"local" | "docker" | undefined> {
  if (requested !== "auto") return requested;
  const engine = await dockerAvailable();
  if (!engine.available) {
    log(`provider auto: local (no Docker engine: ${engine.reason})`);
    return "local";
  }
  const availability = await provideImage(image, log);
  if (!availability.available) {
    log(
      `provider auto: local (Docker ${engine.reason}, but image ${image} is ${availability.how}: build it with docker/build-zookeeper-image.sh ${image})`,
    );
    return "local";
  }
  log(`provider auto: docker (${engine.reason}, image ${image} ${availability.how})`);
  return "docker";
}
