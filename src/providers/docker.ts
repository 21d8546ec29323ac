import { dockerAvailable, reapOrphanDockerResources } from "../docker/docker-engine.js";
import {
  type DockerEnsembleOptions,
  prepareDockerProvider,
  startDockerEnsemble,
} from "../ensemble/docker/docker-ensemble.js";
import { BadInputError } from "../errors.js";
import { startDockerFaultNetwork } from "../network/docker-fault-network.js";
import type { Provider, ProviderEnsembleOptions } from "./provider.js";
import { PROXIED_DEFAULTS, PROXIES_CANNOT } from "./proxied.js";

const MIXED_ON_DOCKER =
  "servers on different ZooKeeper versions need the local provider: the docker provider runs one image";

const ONE_IMAGE =
  "changes a server's version with its data, which needs provider: local or ssh (the docker provider runs one image)";

/** Containers of a ZooKeeper image (testcontainers), behind a Toxiproxy container or the built-in proxies. */
export const DOCKER_PROVIDER_ENTRY: Provider = {
  ...PROXIED_DEFAULTS,
  name: "docker",
  onThisMachine: true,
  pickedByName: true,
  summary: "containers of a ZooKeeper image on a Docker engine (testcontainers)",
  options: { "--docker-network bridge": (request) => request.dockerNetwork === "bridge" },
  cannot: {
    ...PROXIES_CANNOT,
    upgrade: ONE_IMAGE,
    downgrade: ONE_IMAGE,
    clock:
      "preloads libfaketime into the server's JVM, which the image does not carry: use --provider local",
  },
  forRelease: (choice, release) => {
    if (release.serverVersions !== undefined && Object.keys(release.serverVersions).length > 0)
      throw new BadInputError(MIXED_ON_DOCKER);
    if (release.version === undefined || choice.zookeeperImage !== undefined) return choice;
    return { ...choice, zookeeperImage: `zookeeper:${release.version}` };
  },
  prepare: async (choice, log) => {
    await prepareDockerProvider(choice.zookeeperImage, log);
  },
  startNetwork: (choice, options) =>
    startDockerFaultNetwork({
      ...options,
      ...(choice.toxiproxyImage ? { toxiproxyImage: choice.toxiproxyImage } : {}),
      ...(choice.dockerNetwork ? { dockerNetwork: choice.dockerNetwork } : {}),
    }),
  startEnsemble: (choice, options, network) => {
    const { launcher: _l, provider: _p, classDataSharing: _c, install: _i, ...rest } = options;
    const version = isVersionRequest(options.install) ? options.install.version : undefined;
    if (options.versions !== undefined && Object.keys(options.versions).length > 0)
      throw new BadInputError(MIXED_ON_DOCKER);
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
  },
  // Containers and networks of runs that died, when an engine answers.
  reap: async () =>
    (await dockerAvailable()).available
      ? (await reapOrphanDockerResources()).map((what) => `removed orphan ${what}`)
      : [],
};

function isVersionRequest(
  install: ProviderEnsembleOptions["install"],
): install is { readonly version: string } {
  return install !== undefined && "version" in install && typeof install.version === "string";
}
