import { ExistingEnsemble } from "../ensemble/existing/existing-ensemble.js";
import { BadInputError } from "../errors.js";
import { FAULT_CATALOGUE, type FaultKind } from "../faults/fault-spec.js";
import { FaultNetwork } from "../network/fault-network.js";
import type { Provider } from "./provider.js";
import { PROXIED_DEFAULTS } from "./proxied.js";

/** The only faults that touch no server of an ensemble that is not ours. */
const CLIENT_SIDE_FAULTS: readonly FaultKind[] = ["client-isolate"];

const SERVER_FAULT = `acts on servers; with --connect only client-side faults run (${CLIENT_SIDE_FAULTS.join(", ")}): choose a scenario without server faults (e.g. baseline, client-partition)`;

/** An ensemble that already runs, reached at its client addresses: observed and written to, never acted on. */
export const EXISTING_PROVIDER_ENTRY: Provider = {
  ...PROXIED_DEFAULTS,
  name: "existing",
  onThisMachine: false,
  pickedByName: false,
  summary:
    "an ensemble that already runs (--connect): clients through proxies, servers never touched",
  options: { "--connect": (request) => request.connect !== undefined },
  implied: (request) => request.connect !== undefined,
  requireOptions: (request) => {
    if (request.connect === undefined)
      throw new BadInputError(
        "the existing provider needs --connect HOST:PORT,...: the servers to reach",
      );
  },
  cannot: Object.fromEntries(
    (Object.keys(FAULT_CATALOGUE) as FaultKind[])
      .filter((kind) => !CLIENT_SIDE_FAULTS.includes(kind))
      .map((kind) => [kind, SERVER_FAULT]),
  ),
  forRelease: (choice) => choice,
  refusePlan: (plan) => {
    if (plan.link !== undefined)
      throw new BadInputError(
        `network.link puts every connection on one link in the built-in proxy, and with --connect zk-chaos carries only the client links, not the servers' own: drop network.link`,
      );
    if (plan.wire !== undefined)
      throw new BadInputError(
        `network.wire: ${plan.wire} reads the peer links in the built-in proxy, and with --connect zk-chaos sees only the client links; set network.wire: off`,
      );
    if (plan.superviseRestartAfterMs !== undefined)
      throw new BadInputError(
        "supervise restarts servers: it cannot run with --connect, whose servers zk-chaos never touches",
      );
    if (plan.observers !== undefined)
      throw new BadInputError(
        "observers: with --connect the ensemble's own observers are learnt from srvr; remove 'observers' from the scenario",
      );
  },
  prepare: async () => {},
  // Client proxies only, from the built-in server.
  startNetwork: (_choice, options) => FaultNetwork.start(options),
  startEnsemble: async (choice, _options, network) => {
    const ensemble = await ExistingEnsemble.connect(choice.connect ?? []);
    await network?.attachClients(
      ensemble.servers.map((server) => ({ id: server.id, ...server.clientAddress })),
    );
    return ensemble;
  },
  // Written to only under the run's own root, removed afterwards.
  workloadRoot: (choice, runId) => choice.root ?? `/zk-chaos-${runId}`,
};
