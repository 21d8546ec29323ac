import {
  probeInventoryKernels,
  reapSshHosts,
  SshEnsemble,
  startSshEnsemble,
} from "../ensemble/ssh/ssh-ensemble.js";
import { BadInputError } from "../errors.js";
import type { FaultKind } from "../faults/fault-spec.js";
import { FaultNetwork } from "../network/fault-network.js";
import { KernelNetwork, kernelLimits } from "../network/kernel-network.js";
import { isResolvedInstall } from "../zookeeper/install.js";
import type { Provider } from "./provider.js";

const ELSEWHERE = "run the scenario on --provider local or docker";

/** The toxic each network fault kind asks of a kernel network, to refuse what the hosts' kernels lack. */
const KERNEL_TOXICS: Readonly<Partial<Record<FaultKind, string>>> = {
  latency: "latency",
  bandwidth: "bandwidth",
};

/** ZooKeeper JVMs on the hosts of an inventory over SSH; the hosts' kernels (iptables, tc) are the peer network. */
export const SSH_PROVIDER_ENTRY: Provider = {
  name: "ssh",
  onThisMachine: false,
  pickedByName: true,
  summary: "ZooKeeper JVMs on the hosts of an inventory, over SSH; faults in the hosts' kernels",
  options: { "--inventory": (request) => request.inventory !== undefined },
  implied: (request) => request.inventory !== undefined,
  requireOptions: (request) => {
    if (request.inventory === undefined)
      throw new BadInputError(
        "--provider ssh needs --inventory FILE: the hosts to run the servers on (scripts/ssh-rig.sh up N DIR makes test hosts and DIR/inventory.yaml)",
      );
  },
  cannot: {
    "disk-full": `needs a log disk of its own per server, which only local JVMs and containers get: ${ELSEWHERE}`,
    "slow-fsync": `needs a FUSE pass-through under the log, which the ssh provider does not mount: ${ELSEWHERE}`,
    clock:
      "preloads libfaketime into the server's JVM, which the ssh provider does not: run the scenario on --provider local",
    flaky: `slices or resets TCP streams, which only a proxy does: ${ELSEWHERE}`,
  },
  forRelease: (choice) => choice,
  refusePlan: (plan) => {
    if (plan.link !== undefined)
      throw new BadInputError(
        `network.link puts every connection on one link in the built-in proxy, and on SSH hosts the peer links run through the hosts' kernels: drop network.link`,
      );
    if (plan.wire !== undefined)
      throw new BadInputError(
        `network.wire: ${plan.wire} reads the peer links in the built-in proxy, and on SSH hosts they run through the hosts' kernels; set network.wire: off`,
      );
  },
  limits: async (choice) =>
    choice.inventory === undefined
      ? {}
      : kernelLimits(await probeInventoryKernels(choice.inventory)),
  prepare: async () => {},
  // The clients' proxies; the peer links are cut in the hosts' kernels, started with the ensemble.
  startNetwork: (_choice, options) => FaultNetwork.start(options),
  startEnsemble: (choice, options) => {
    if (choice.inventory === undefined)
      throw new BadInputError(
        "--provider ssh needs --inventory FILE: the hosts to run the servers on",
      );
    const log = options.log;
    return startSshEnsemble({
      inventory: choice.inventory,
      nodes: options.nodes,
      // Rules a crashed run left are gone before any server starts; the ensemble disposes the network.
      hostNetwork: (hosts) => KernelNetwork.start(hosts, log),
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.observers ? { observers: options.observers } : {}),
      ...(options.members !== undefined ? { members: options.members } : {}),
      ...(options.versions ? { versions: options.versions } : {}),
      ...(options.install && !isResolvedInstall(options.install)
        ? { install: options.install }
        : {}),
      ...(log ? { log } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  },
  faultLinks: (ensemble, proxies, kinds) => {
    if (!(ensemble instanceof SshEnsemble) || !(ensemble.network instanceof KernelNetwork))
      return proxies;
    for (const kind of kinds) {
      const toxic = KERNEL_TOXICS[kind];
      if (toxic !== undefined) ensemble.network.refuseUnsupported(kind, toxic);
    }
    return ensemble.network;
  },
  workloadRoot: () => "",
  reap: async (choice) => (choice?.inventory ? reapSshHosts(choice.inventory) : []),
};
