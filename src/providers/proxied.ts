import type { Ensemble } from "../ensemble/ensemble.js";
import type { FaultKind } from "../faults/fault-spec.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { LinkFaults } from "../network/link-faults.js";
import type { PlannedRun, Provider } from "./provider.js";

/** Why a TCP proxy cannot make a fault only the hosts' kernels make. */
export const PROXIES_CANNOT: Readonly<Partial<Record<FaultKind, string>>> = {
  loss: "drops packets at random, which a TCP proxy cannot (it sees streams, not packets): it needs --provider ssh (the hosts' kernels)",
};

/**
 * What providers whose servers are ours and whose links are proxies share:
 * faults go through the proxies, the workload writes at the root, nothing is
 * learnt from the machines, no plan is refused beyond single faults.
 */
export const PROXIED_DEFAULTS: Pick<
  Provider,
  | "refusePlan"
  | "limits"
  | "faultLinks"
  | "workloadRoot"
  | "reap"
  | "options"
  | "implied"
  | "requireOptions"
> = {
  options: {},
  implied: () => false,
  requireOptions: () => {},
  refusePlan: (_plan: PlannedRun) => {},
  limits: async () => ({}),
  faultLinks: (
    _ensemble: Ensemble,
    proxies: FaultNetwork,
    _kinds: readonly FaultKind[],
  ): LinkFaults => proxies,
  workloadRoot: () => "",
  reap: async () => [],
};
