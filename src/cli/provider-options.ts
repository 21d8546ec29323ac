import { type Command, InvalidArgumentError, Option } from "commander";
import { provideImage } from "../docker/container-image.js";
import { dockerAvailable } from "../docker/docker-engine.js";
import { type Inventory, loadInventory } from "../ensemble/ssh-inventory.js";
import { BadInputError } from "../errors.js";
import type { DockerNetworkMode } from "../network/docker-fault-network.js";
import { OFFICIAL_TOXIPROXY_IMAGE } from "../network/toxiproxy-container.js";
import { OFFICIAL_ZOOKEEPER_IMAGE, zooKeeperImage } from "../runner/provider.js";
import { parseVersionList } from "./parse-options.js";

/** The images a docker run uses, as parsed from --zookeeper-image and --toxiproxy-image. */
export interface ImageOptions {
  readonly zookeeperImage?: string;
  readonly toxiproxyImage?: string;
  readonly dockerNetwork?: DockerNetworkMode;
}

/** Adds --zookeeper-image, --toxiproxy-image and --docker-network (used with --provider docker). */
export function withImageOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--docker-network <mode>",
        "with --provider docker: 'host' (containers on the host network, ports on loopback) or 'bridge' (a network of the run's own: servers zk1..zkN on the standard ports with DNS names, Toxiproxy beside them, nothing routed off the machine; needs root and a Toxiproxy image); default host",
      ).choices(["host", "bridge"]),
    )
    .option(
      "--zookeeper-image <image>",
      `with --provider docker: the ZooKeeper image, any tag from 3.4 to 3.9 or a private registry's (default $ZK_CHAOS_ZOOKEEPER_IMAGE, else ${OFFICIAL_ZOOKEEPER_IMAGE})`,
    )
    .option(
      "--toxiproxy-image <image>",
      `with --provider docker: the Toxiproxy image of the fault network; absent and unpullable, the built-in server stands in (default $ZK_CHAOS_TOXIPROXY_IMAGE, else ${OFFICIAL_TOXIPROXY_IMAGE})`,
    );
}

/** The ZooKeeper a run uses, as parsed from --zookeeper-version and --zk-home. */
export interface ReleaseOptions {
  readonly zookeeperVersion?: string[];
  readonly zkHome?: string;
}

/** Adds --zookeeper-version (one, or with `many` a list run one after another) and --zk-home. */
export function withReleaseOptions(command: Command, many: boolean): Command {
  return command
    .option(
      "--zookeeper-version <version>",
      many
        ? "ZooKeeper release(s) to run, e.g. 3.4.5 or 3.4.5,3.8.0,3.9.5 (every scenario on every version); resolved with Maven into the cache (zk-chaos zookeeper list); with --provider docker, the image zookeeper:<version>"
        : "ZooKeeper release to run, e.g. 3.4.5; resolved with Maven into the cache (zk-chaos zookeeper list); with --provider docker, the image zookeeper:<version>",
      (value: string) => {
        const versions = parseVersionList(value);
        if (!many && versions.length > 1)
          throw new InvalidArgumentError("takes one version here (run takes a list).");
        return versions;
      },
    )
    .option(
      "--zk-home <folder>",
      "an unpacked ZooKeeper release to run with local JVMs (default: $ZK_HOME, then Debian's package)",
    );
}

/** Rejects --zookeeper-version with --zk-home: both choose what runs. */
export function checkReleaseOptions(options: ReleaseOptions): void {
  if (options.zookeeperVersion !== undefined && options.zkHome !== undefined) {
    throw new BadInputError(
      `--zk-home and --zookeeper-version ${options.zookeeperVersion.join(",")} both choose the ZooKeeper to run: give one`,
    );
  }
}

/** The hosts of the ssh provider, as parsed from --inventory. */
export interface InventoryOptions {
  readonly inventory?: string;
}

/** Adds --inventory (the ssh provider's hosts). */
export function withInventoryOption(command: Command): Command {
  return command.option(
    "--inventory <file>",
    "with --provider ssh (implied): the hosts to run the servers on, one each (YAML: hosts with address, port, user, key; workDir; zookeeper java/classPath; ports)",
  );
}

/**
 * The provider --provider and --inventory ask for, with the inventory read
 * and checked: --inventory alone means ssh; ssh without it is refused.
 */
export function inventoryChoice(
  provider: string | undefined,
  options: InventoryOptions,
): { provider: "ssh"; inventory: Inventory } | undefined {
  if (options.inventory === undefined) {
    if (provider === "ssh")
      throw new BadInputError(
        "--provider ssh needs --inventory FILE: the hosts to run the servers on (scripts/ssh-rig.sh up N DIR makes test hosts and DIR/inventory.yaml)",
      );
    return undefined;
  }
  if (provider !== undefined && provider !== "ssh")
    throw new BadInputError(
      `--inventory names SSH hosts, but --provider is ${provider}: drop one of them`,
    );
  return { provider: "ssh", inventory: loadInventory(options.inventory) };
}

/** Refuses --docker-network bridge where the servers are not containers of ours. */
export function checkDockerNetwork(provider: string | undefined, options: ImageOptions): void {
  if (options.dockerNetwork === "bridge" && provider !== undefined && provider !== "docker")
    throw new BadInputError(
      `--docker-network bridge places containers, but the servers run on the ${provider} provider: add --provider docker, or drop --docker-network`,
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
