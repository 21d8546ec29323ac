/**
 * What a provider is: where servers run, the fault network in front of them,
 * and what it cannot do. One entry per provider in PROVIDERS (registry.ts).
 */
import type { Ensemble, ServerAddress } from "../ensemble/ensemble.js";
import type { LocalEnsembleOptions } from "../ensemble/local/local-ensemble.js";
import type { FaultKind, FaultSpec } from "../faults/fault-spec.js";
import type { DockerNetworkMode } from "../network/docker-fault-network.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { LinkFaults } from "../network/link-faults.js";
import type { Inventory } from "../remote/inventory.js";

/** The name of every provider (the registry's keys). */
export type ProviderName = "local" | "docker" | "ssh" | "existing";

/** Options every provider takes (local-only ones such as install are ignored by the others). */
export type ProviderEnsembleOptions = LocalEnsembleOptions;

/** Where servers run, and with which images when in containers (defaults: see zooKeeperImage, toxiproxyImage). */
export interface ProviderChoice {
  /** "existing": an ensemble that already runs, reached at `connect` (never acted on); "ssh": hosts of an inventory. */
  readonly provider: ProviderName;
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

/** What a command's options ask of the provider. */
export interface ProviderRequest {
  /** A provider's name, or "auto" (docker when an engine and the image answer, else local). */
  readonly provider?: string;
  /** An ssh inventory file. */
  readonly inventory?: string;
  /** Client addresses of an ensemble that already runs. */
  readonly connect?: readonly ServerAddress[];
  readonly connectRoot?: string;
  readonly zookeeperImage?: string;
  readonly toxiproxyImage?: string;
  readonly dockerNetwork?: DockerNetworkMode;
  readonly zkHome?: string;
}

/** What of a plan a provider may refuse before anything starts. */
export interface PlannedRun {
  readonly schedule: readonly { readonly id: string; readonly spec: FaultSpec }[];
  readonly superviseRestartAfterMs?: number;
  readonly observers?: number;
  /** The run records the peer messages: the built-in proxy must carry the peer links. */
  readonly wire?: string;
  /** Every proxied connection shares one link (network.link): the built-in proxy must carry them. */
  readonly link?: object;
}

/** Options of a provider's fault network. */
export interface NetworkStartOptions {
  readonly seed: string | number;
  readonly log?: (line: string) => void;
  /** Decode the peer links (network.wire): the built-in proxy must carry them. */
  readonly wire?: boolean;
  /** With `wire`: write each peer stream's raw bytes under this folder. */
  readonly captureDir?: string;
}

/** One provider: how it starts, what network it brings, and what it cannot do. */
export interface Provider {
  readonly name: ProviderName;
  /** One line for help texts: where the servers run. */
  readonly summary: string;
  /** Do its servers run on this machine (so this machine's limits, root and mounts, apply)? */
  readonly onThisMachine: boolean;
  /** Can --provider name it (else only its own options imply it)? */
  readonly pickedByName: boolean;
  /** Its own command-line options, each with whether a request gives it (refused for other providers). */
  readonly options: Readonly<Record<string, (request: ProviderRequest) => boolean>>;
  /** Does the request imply this provider without naming it (an option only it has)? */
  implied(request: ProviderRequest): boolean;
  /** Refuses a request for this provider that lacks what it needs (ssh: an inventory). */
  requireOptions(request: ProviderRequest): void;
  /** Fault kinds it never makes, each with why (refused up front, naming the provider). */
  readonly cannot: Readonly<Partial<Record<FaultKind, string>>>;
  /** The choice for a run on a release (docker: the image of that tag); refuses what it cannot run. */
  forRelease(choice: ProviderChoice, release: ReleaseChoice): ProviderChoice;
  /** Refuses, before anything starts, what of a plan it cannot carry beyond single faults. */
  refusePlan(plan: PlannedRun): void;
  /** Fault kinds it cannot make on these machines, learnt from them (ssh: the hosts' kernels). */
  limits(choice: ProviderChoice): Promise<Readonly<Record<string, string>>>;
  /** Checks what it needs before anything starts (docker: an engine and the ZooKeeper image). */
  prepare(choice: ProviderChoice, log?: (line: string) => void): Promise<void>;
  /** Starts its fault network (the proxies; on ssh the clients' proxies, the kernels come with the ensemble). */
  startNetwork(choice: ProviderChoice, options: NetworkStartOptions): Promise<FaultNetwork>;
  /** Starts an ensemble behind `network`. */
  startEnsemble(
    choice: ProviderChoice,
    options: ProviderEnsembleOptions,
    network?: FaultNetwork,
  ): Promise<Ensemble>;
  /** The links a run's faults go through (ssh: the hosts' kernels, refusing what they lack). */
  faultLinks(ensemble: Ensemble, proxies: FaultNetwork, kinds: readonly FaultKind[]): LinkFaults;
  /** The znode a run's workload writes under ("" for the root of an ensemble of our own). */
  workloadRoot(choice: ProviderChoice, runId: string): string;
  /** Removes what runs that died left (containers, networks; ssh: on the hosts of `choice`); returns what it did. */
  reap(choice?: ProviderChoice): Promise<string[]>;
}
