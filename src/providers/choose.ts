/**
 * Choosing a provider from what a user asked (--provider, and the options
 * that belong to one provider): the one place that does it, for every command.
 */
import { provideImage } from "../docker/container-image.js";
import { dockerAvailable } from "../docker/docker-engine.js";
import { zooKeeperImage } from "../docker/zookeeper-image.js";
import { BadInputError } from "../errors.js";
import { loadInventory } from "../remote/inventory.js";
import type { ProviderChoice, ProviderName, ProviderRequest } from "./provider.js";
import { PROVIDERS } from "./registry.js";

/** The values --provider takes: every provider picked by name, and auto. */
export const PROVIDER_OPTION_CHOICES: readonly string[] = [
  ...Object.values(PROVIDERS)
    .filter((entry) => entry.pickedByName)
    .map((entry) => entry.name),
  "auto",
];

/** What was chosen: a provider when one was asked or implied, and every field the options give. */
export interface ProviderChosen {
  /** Absent: nothing asked; each scenario's own provider runs. */
  readonly name?: ProviderName;
  readonly choice: Omit<ProviderChoice, "provider">;
}

/** The provider's name, or a clear refusal naming the ones there are. */
function providerNamed(name: string): ProviderName {
  if (Object.hasOwn(PROVIDERS, name) && PROVIDERS[name as ProviderName].pickedByName)
    return name as ProviderName;
  throw new BadInputError(
    `--provider ${name}: no such provider: use one of ${PROVIDER_OPTION_CHOICES.join(", ")}`,
  );
}

/** Option a provider owns, given for another, refused naming both. */
function refuseForeignOptions(name: ProviderName, request: ProviderRequest): void {
  for (const owner of Object.values(PROVIDERS)) {
    if (owner.name === name) continue;
    for (const [flag, given] of Object.entries(owner.options)) {
      if (!given(request)) continue;
      throw new BadInputError(
        `${flag} belongs to the ${owner.name} provider, but the servers run on the ${name} provider: ask for --provider ${owner.name}, or drop ${flag}`,
      );
    }
  }
}

/** The fields of a choice the options give (inventory read and checked). */
function choiceFields(request: ProviderRequest): Omit<ProviderChoice, "provider"> {
  return {
    ...(request.inventory !== undefined ? { inventory: loadInventory(request.inventory) } : {}),
    ...(request.connect ? { connect: request.connect } : {}),
    ...(request.connectRoot ? { root: request.connectRoot } : {}),
    ...(request.zookeeperImage ? { zookeeperImage: request.zookeeperImage } : {}),
    ...(request.toxiproxyImage ? { toxiproxyImage: request.toxiproxyImage } : {}),
    ...(request.dockerNetwork === "bridge" ? { dockerNetwork: request.dockerNetwork } : {}),
    ...(request.zkHome ? { zkHome: request.zkHome } : {}),
  };
}

/**
 * Resolves what the options ask: an option only one provider has implies it
 * (--inventory: ssh, --connect: existing); "auto" picks docker when an engine
 * answers and the image is present or pullable, and says why; an option of
 * another provider is refused.
 */
export async function chooseProvider(
  request: ProviderRequest,
  log: (line: string) => void,
): Promise<ProviderChosen> {
  const implied = Object.values(PROVIDERS).filter((entry) => entry.implied(request));
  if (implied.length > 1)
    throw new BadInputError(
      `the options ask for ${implied.map((entry) => `the ${entry.name} provider`).join(" and ")}: give the options of one`,
    );
  let name: ProviderName | undefined;
  const asked = request.provider;
  if (implied[0] !== undefined) {
    name = implied[0].name;
    // Naming the default with an implying option is no contradiction.
    if (asked !== undefined && asked !== name && asked !== "local")
      throw new BadInputError(
        `the options ask for the ${name} provider, but --provider is ${asked}: drop one of them`,
      );
  } else if (asked === "auto")
    name = await autoProvider(zooKeeperImage(request.zookeeperImage), log);
  else if (asked !== undefined) name = providerNamed(asked);
  if (name !== undefined) {
    PROVIDERS[name].requireOptions(request);
    refuseForeignOptions(name, request);
  }
  return { ...(name !== undefined ? { name } : {}), choice: choiceFields(request) };
}

/** A full choice: the one asked, else the local provider. */
export async function chooseOrLocal(
  request: ProviderRequest,
  log: (line: string) => void,
): Promise<ProviderChoice> {
  const chosen = await chooseProvider(request, log);
  return { ...chosen.choice, provider: chosen.name ?? "local" };
}

/** docker when an engine answers and the image is present or pullable, else local; says why. */
async function autoProvider(image: string, log: (line: string) => void): Promise<ProviderName> {
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
