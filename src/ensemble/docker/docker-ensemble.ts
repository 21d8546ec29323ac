import { requireImage } from "../../docker/container-image.js";
import { reapOrphanDockerResources, requireDocker } from "../../docker/docker-engine.js";
import type { RunNetwork } from "../../docker/run-network.js";
import { zooKeeperImage, zooKeeperImageHint } from "../../docker/zookeeper-image.js";
import type { Ensemble } from "../ensemble.js";
import { type LocalEnsembleOptions, startLocalEnsemble } from "../local/local-ensemble.js";
import { DockerServer } from "./docker-server.js";

/** Options of the docker provider. */
export interface DockerEnsembleOptions
  extends Omit<LocalEnsembleOptions, "launcher" | "provider" | "classDataSharing" | "install"> {
  /** The ZooKeeper image (default: see zooKeeperImage). */
  readonly image?: string;
  /** The release the image runs, when known (its zoo.cfg keys follow it); else learnt from the servers. */
  readonly zookeeperVersion?: string;
  /**
   * Put the servers on this run network as zk1..zkN at fixed addresses, on
   * the standard ports (default: the host network, ports on loopback).
   */
  readonly network?: RunNetwork;
}

/** Checks what the docker provider needs before anything starts: an engine and the ZooKeeper image (present or pulled). */
export async function prepareDockerProvider(
  imageOption?: string,
  log?: (line: string) => void,
): Promise<string> {
  await requireDocker();
  const image = zooKeeperImage(imageOption);
  await requireImage(image, zooKeeperImageHint(image), log);
  return image;
}

/**
 * Starts an ensemble whose servers are containers of a ZooKeeper image, with
 * the same interface, fault network and guarantees as the local provider.
 * The host needs no Java or ZooKeeper: the image brings both.
 */
export async function startDockerEnsemble(options: DockerEnsembleOptions): Promise<Ensemble> {
  const image = await prepareDockerProvider(options.image, options.log);
  for (const what of await reapOrphanDockerResources()) options.log?.(`reaped orphan ${what}`);
  const { zookeeperVersion: _version, image: _image, network, ...rest } = options;
  return startLocalEnsemble({
    ...rest,
    ...(network ? { addressing: { reach: network.serverAddress, name: network.serverName } } : {}),
    // The servers run the image's Java and ZooKeeper; the version is learnt from the servers.
    install: {
      java: "java",
      classPath: [],
      version: options.zookeeperVersion ?? "unknown",
      source: `image ${image}`,
    },
    launcher: (spec) =>
      new DockerServer(
        spec,
        image,
        network && {
          network: network.name,
          address: network.serverAddress(spec.id),
          aliases: [network.serverName(spec.id)],
        },
      ),
    provider: "docker",
  });
}
