/**
 * The provider chooser: the one place outside ensemble/ that names concrete
 * providers. Everything else talks to the Ensemble and FaultNetwork interfaces.
 */
import { dockerAvailable, reapOrphanDockerResources } from "../docker/docker-engine.js";
import {
  type DockerEnsembleOptions,
  OFFICIAL_ZOOKEEPER_IMAGE,
  prepareDockerProvider,
  startDockerEnsemble,
  zooKeeperImage,
} from "../ensemble/docker-ensemble.js";
import type { Ensemble, ServerAddress } from "../ensemble/ensemble.js";
import { ExistingEnsemble } from "../ensemble/existing-ensemble.js";
import { type LocalEnsembleOptions, startLocalEnsemble } from "../ensemble/local-ensemble.js";
import { probeInventoryKernels, SshEnsemble, startSshEnsemble } from "../ensemble/ssh-ensemble.js";
import type { Inventory } from "../ensemble/ssh-inventory.js";
import { isResolvedInstall } from "../ensemble/zookeeper-install.js";
import { BadInputError } from "../errors.js";
import {
  type DockerNetworkMode,
  startDockerFaultNetwork,
} from "../network/docker-fault-network.js";
import { FaultNetwork } from "../network/fault-network.js";
import { kernelLimits } from "../network/kernel-network.js";
import type { LinkFaults } from "../network/link-faults.js";

export { OFFICIAL_ZOOKEEPER_IMAGE, zooKeeperImage };

/** Options every provider takes (local-only ones such as install are ignored by the others). */
export type ProviderEnsembleOptions = LocalEnsembleOptions;

/** Where servers run, and with which images when in containers (defaults: see zooKeeperImage, toxiproxyImage). */
export interface ProviderChoice {
  /** "existing": an ensemble that already runs, reached at `connect` (never acted on); "ssh": hosts of an inventory. */
  readonly provider: "local" | "docker" | "existing" | "ssh";
  /** With "ssh": the hosts, one server each. */
  readonly inventory?: Inventory;
  /** With "existing": every server's client address. */
  readonly connect?: readonly ServerAddress[];
  /** With "existing": the znode the run writes under (default /zk-chaos-<run id>), removed afterwards. */
  readonly root?: string;
  readonly zookeeperImage?: string;
  readonly toxiproxyImage?: string;
  /** docker: "bridge" puts the run on a network of its own with DNS names (default "host": loopback). */
  readonly dockerNetwork?: DockerNetworkMode;
  /** Local JVMs: an unpacked ZooKeeper release to run instead of Debian's (or $ZK_HOME). */
  readonly zkHome?: string;
}

/** The ZooKeeper an ensemble runs: one release for all, and maybe others for some servers. */
export interface ReleaseChoice {
  readonly version?: string;
  readonly serverVersions?: Readonly<Record<number, string>>;
}

/**
 * The choice for a run on a release: docker takes the official image of that
 * tag unless an image was named; local JVMs resolve it into the cache.
 */
export function choiceForRelease(choice: ProviderChoice, release: ReleaseChoice): ProviderChoice {
  if (choice.provider !== "docker") return choice;
  if (release.serverVersions !== undefined && Object.keys(release.serverVersions).length > 0) {
    throw new BadInputError(MIXED_ON_DOCKER);
  }
  if (release.version === undefined || choice.zookeeperImage !== undefined) return choice;
  return { ...choice, zookeeperImage: `zookeeper:${release.version}` };
}

/** The local provider's install options for a release (a version and a zk-home are exclusive). */
export function installFor(
  choice: ProviderChoice,
  release: ReleaseChoice,
): Pick<ProviderEnsembleOptions, "install" | "versions"> {
  return {
    install: {
      ...(choice.zkHome !== undefined ? { zkHome: choice.zkHome } : {}),
      ...(release.version !== undefined ? { version: release.version } : {}),
    },
    ...(release.serverVersions !== undefined ? { versions: release.serverVersions } : {}),
  };
}

const MIXED_ON_DOCKER =
  "servers on different ZooKeeper versions need the local provider: the docker provider runs one image";

/** The local provider, the default everywhere. */
export const LOCAL_PROVIDER: ProviderChoice = { provider: "local" };

/** Checks what the provider needs before anything starts (docker: an engine and the ZooKeeper image). */
export async function prepareProvider(
  choice: ProviderChoice,
  log?: (line: string) => void,
): Promise<void> {
  if (choice.provider === "docker") await prepareDockerProvider(choice.zookeeperImage, log);
}

/** The provider's fault network: the built-in server locally, a Toxiproxy container (or the built-in fallback) on docker. */
export function startProviderNetwork(
  choice: ProviderChoice,
  options: { readonly seed: string | number; readonly log?: (line: string) => void },
): Promise<FaultNetwork> {
  // An existing ensemble gets client proxies only, from the built-in server.
  if (choice.provider !== "docker") return FaultNetwork.start(options);
  return startDockerFaultNetwork({
    ...options,
    ...(choice.toxiproxyImage ? { toxiproxyImage: choice.toxiproxyImage } : {}),
    ...(choice.dockerNetwork ? { dockerNetwork: choice.dockerNetwork } : {}),
  });
}

/** Starts an ensemble on the provider (local options such as install apply to local JVMs only). */
export async function startProviderEnsemble(
  choice: ProviderChoice,
  options: ProviderEnsembleOptions,
  network?: FaultNetwork,
): Promise<Ensemble> {
  if (choice.provider === "existing") {
    const ensemble = await ExistingEnsemble.connect(choice.connect ?? []);
    await network?.attachClients(
      ensemble.servers.map((server) => ({ id: server.id, ...server.clientAddress })),
    );
    return ensemble;
  }
  if (choice.provider === "local") return startLocalEnsemble(options);
  if (choice.provider === "ssh") {
    if (choice.inventory === undefined)
      throw new BadInputError(
        "--provider ssh needs --inventory FILE: the hosts to run the servers on",
      );
    return startSshEnsemble({
      inventory: choice.inventory,
      nodes: options.nodes,
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.observers ? { observers: options.observers } : {}),
      ...(options.members !== undefined ? { members: options.members } : {}),
      ...(options.versions ? { versions: options.versions } : {}),
      ...(options.install && !isResolvedInstall(options.install)
        ? { install: options.install }
        : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const { launcher: _l, provider: _p, classDataSharing: _c, install: _i, ...rest } = options;
  const version = isVersionRequest(options.install) ? options.install.version : undefined;
  if (options.versions !== undefined && Object.keys(options.versions).length > 0) {
    throw new BadInputError(MIXED_ON_DOCKER);
  }
  const { versions: _v, ...common } = rest;
  const runNetwork = network?.runNetwork;
  if (choice.dockerNetwork === "bridge" && runNetwork === undefined)
    throw new BadInputError(
      "--docker-network bridge starts the servers on the fault network's bridge: start the provider's fault network first",
    );
  const docker: DockerEnsembleOptions = {
    ...common,
    ...(runNetwork ? { network: runNetwork } : {}),
    ...(choice.zookeeperImage ? { image: choice.zookeeperImage } : {}),
    ...(version !== undefined ? { zookeeperVersion: version } : {}),
  };
  return startDockerEnsemble(docker);
}

function isVersionRequest(
  install: ProviderEnsembleOptions["install"],
): install is { readonly version: string } {
  return install !== undefined && "version" in install && typeof install.version === "string";
}

/** The toxic each network fault kind asks of a kernel network, to refuse what the hosts' kernels lack. */
const KERNEL_TOXICS: Readonly<Partial<Record<string, string>>> = {
  latency: "latency",
  bandwidth: "bandwidth",
};

/**
 * The network a run's faults go through: the hosts' kernels on ssh (refusing
 * up front a scheduled fault they cannot make), the proxies everywhere else.
 */
export function faultLinksFor(
  ensemble: Ensemble,
  proxies: FaultNetwork,
  kinds: readonly string[],
): LinkFaults {
  if (!(ensemble instanceof SshEnsemble) || ensemble.network === undefined) return proxies;
  for (const kind of kinds) {
    const toxic = KERNEL_TOXICS[kind];
    if (toxic !== undefined) ensemble.network.refuseUnsupported(kind, toxic);
  }
  return ensemble.network;
}

/** The fault kinds the chosen provider's hosts cannot make, with why (ssh: what their kernels lack). */
export async function faultsProviderCannot(
  choice: ProviderChoice,
): Promise<Readonly<Record<string, string>>> {
  if (choice.provider !== "ssh" || choice.inventory === undefined) return {};
  return kernelLimits(await probeInventoryKernels(choice.inventory));
}

/** Removes containers and networks of runs that died, when an engine answers; returns what it removed. */
export async function reapProviderLeftovers(): Promise<string[]> {
  return (await dockerAvailable()).available ? reapOrphanDockerResources() : [];
}

/** A provider choice from command-line style options (absent images fall back to the defaults). */
export function providerChoice(
  provider: "local" | "docker" | "ssh",
  images: {
    readonly zookeeperImage?: string;
    readonly toxiproxyImage?: string;
    readonly dockerNetwork?: DockerNetworkMode;
    readonly zkHome?: string;
    /** With "ssh": the parsed inventory. */
    readonly sshInventory?: Inventory;
  },
): ProviderChoice {
  return {
    provider,
    ...(images.sshInventory ? { inventory: images.sshInventory } : {}),
    ...(images.zookeeperImage ? { zookeeperImage: images.zookeeperImage } : {}),
    ...(images.toxiproxyImage ? { toxiproxyImage: images.toxiproxyImage } : {}),
    ...(provider === "docker" && images.dockerNetwork === "bridge"
      ? { dockerNetwork: images.dockerNetwork }
      : {}),
    ...(images.zkHome ? { zkHome: images.zkHome } : {}),
  };
}
