import { type Command, InvalidArgumentError, Option } from "commander";
import { OFFICIAL_ZOOKEEPER_IMAGE } from "../docker/zookeeper-image.js";
import { BadInputError } from "../errors.js";
import type { DockerNetworkMode } from "../network/docker-fault-network.js";
import { OFFICIAL_TOXIPROXY_IMAGE } from "../network/toxiproxy-container.js";
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

/** Every option that chooses where servers run and what they run. */
export interface ProviderOptions extends ImageOptions, ReleaseOptions, InventoryOptions {}

/** Adds the image, release (one, or with `many` a list) and inventory options. */
export function withProviderOptions(command: Command, many: boolean): Command {
  return withInventoryOption(withReleaseOptions(withImageOptions(command), many));
}
