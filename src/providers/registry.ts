/**
 * The provider registry: the one place that names concrete providers.
 * Everything else picks an entry by name and talks to the Ensemble and
 * FaultNetwork interfaces. Adding a provider: its folder under ensemble/,
 * its entry file here, and one line below.
 */
import type { Ensemble } from "../ensemble/ensemble.js";
import { BadInputError } from "../errors.js";
import type { FaultKind } from "../faults/fault-spec.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { LinkFaults } from "../network/link-faults.js";
import { DOCKER_PROVIDER_ENTRY } from "./docker.js";
import { EXISTING_PROVIDER_ENTRY } from "./existing.js";
import { LOCAL_PROVIDER_ENTRY } from "./local.js";
import { machineCannot } from "./machine-limits.js";
import type {
  NetworkStartOptions,
  PlannedRun,
  Provider,
  ProviderChoice,
  ProviderEnsembleOptions,
  ProviderName,
  ReleaseChoice,
} from "./provider.js";
import { SSH_PROVIDER_ENTRY } from "./ssh.js";

export { machineCannot } from "./machine-limits.js";

/** Every provider by name. */
export const PROVIDERS: Readonly<Record<ProviderName, Provider>> = {
  local: LOCAL_PROVIDER_ENTRY,
  docker: DOCKER_PROVIDER_ENTRY,
  ssh: SSH_PROVIDER_ENTRY,
  existing: EXISTING_PROVIDER_ENTRY,
};

/** The names a user may pick (existing is chosen by --connect, not by name). */
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[];

/** The local provider, the default everywhere. */
export const LOCAL_PROVIDER: ProviderChoice = { provider: "local" };

/** The registry entry of a choice. */
export function providerOf(choice: ProviderChoice): Provider {
  return PROVIDERS[choice.provider];
}

/** Why `provider` never makes fault `kind`, if it does not. */
export function providerCannot(provider: ProviderName, kind: FaultKind): string | undefined {
  return PROVIDERS[provider].cannot[kind];
}

/**
 * Refuses, before anything starts, every fault of the plan the provider
 * cannot make (by its table, and on these machines by `limits`), and what
 * else of the plan it cannot carry, naming the fault and the provider.
 */
export function refuseProviderFaults(
  plan: PlannedRun,
  provider: ProviderName,
  limits: Readonly<Record<string, string>> = {},
): void {
  for (const item of plan.schedule) {
    const kind = item.spec.kind;
    const never = providerCannot(provider, kind);
    if (never !== undefined)
      throw new BadInputError(
        `fault '${kind}' (${item.id}) ${never}: the ${provider} provider cannot make it`,
      );
    const here = limits[kind];
    if (here !== undefined)
      throw new BadInputError(
        `fault '${kind}' (${item.id}) ${here}: the ${provider} provider cannot make it here; give the hosts what it needs or run the scenario elsewhere`,
      );
    // Servers on this machine: its root, mounts and cgroups decide, before anything starts.
    const machine = PROVIDERS[provider].onThisMachine ? machineCannot(kind) : undefined;
    if (machine !== undefined)
      throw new BadInputError(
        `fault '${kind}' (${item.id}) ${machine}, which this machine lacks: give it what it needs ('zk-chaos doctor' says how) or leave the fault out`,
      );
  }
  PROVIDERS[provider].refusePlan(plan);
}

/** The choice for a run on a release (docker: the image of that tag unless one was named). */
export function choiceForRelease(choice: ProviderChoice, release: ReleaseChoice): ProviderChoice {
  return providerOf(choice).forRelease(choice, release);
}

/** The install options for a release (a version and a zk-home are exclusive). */
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

/** Checks what the provider needs before anything starts. */
export function prepareProvider(
  choice: ProviderChoice,
  log?: (line: string) => void,
): Promise<void> {
  return providerOf(choice).prepare(choice, log);
}

/** The provider's fault network. */
export function startProviderNetwork(
  choice: ProviderChoice,
  options: NetworkStartOptions,
): Promise<FaultNetwork> {
  return providerOf(choice).startNetwork(choice, options);
}

/** Starts an ensemble on the provider behind `network`. */
export function startProviderEnsemble(
  choice: ProviderChoice,
  options: ProviderEnsembleOptions,
  network?: FaultNetwork,
): Promise<Ensemble> {
  return providerOf(choice).startEnsemble(choice, options, network);
}

/** The links a run's faults go through on this provider. */
export function faultLinksFor(
  choice: ProviderChoice,
  ensemble: Ensemble,
  proxies: FaultNetwork,
  kinds: readonly FaultKind[],
): LinkFaults {
  return providerOf(choice).faultLinks(ensemble, proxies, kinds);
}

/** The fault kinds the chosen provider cannot make on these machines, with why. */
export function faultsProviderCannot(
  choice: ProviderChoice,
): Promise<Readonly<Record<string, string>>> {
  return providerOf(choice).limits(choice);
}

/** Removes what runs that died left, on every provider that can tell (ssh: the hosts of `choice`); returns what it removed. */
export async function reapProviderLeftovers(choice?: ProviderChoice): Promise<string[]> {
  const reaped: string[] = [];
  for (const provider of Object.values(PROVIDERS)) reaped.push(...(await provider.reap(choice)));
  return reaped;
}

/** A provider choice from command-line style options (options of other providers are dropped). */
export function providerChoice(
  provider: Exclude<ProviderName, "existing">,
  images: Omit<ProviderChoice, "provider" | "inventory" | "connect" | "root"> & {
    /** With "ssh": the parsed inventory. */
    readonly sshInventory?: ProviderChoice["inventory"];
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

export type * from "./provider.js";
