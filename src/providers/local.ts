import { startLocalEnsemble } from "../ensemble/local/local-ensemble.js";
import { FaultNetwork } from "../network/fault-network.js";
import type { Provider } from "./provider.js";
import { PROXIED_DEFAULTS, PROXIES_CANNOT } from "./proxied.js";

/** ZooKeeper JVMs as child processes of this machine, behind the built-in proxies: the default. */
export const LOCAL_PROVIDER_ENTRY: Provider = {
  ...PROXIED_DEFAULTS,
  name: "local",
  onThisMachine: true,
  pickedByName: true,
  summary: "ZooKeeper JVMs as child processes on this machine (the default; no daemon needed)",
  cannot: PROXIES_CANNOT,
  forRelease: (choice) => choice,
  prepare: async () => {},
  startNetwork: (_choice, options) => FaultNetwork.start(options),
  startEnsemble: (_choice, options) => startLocalEnsemble(options),
};
