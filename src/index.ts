// The library API: the CLI is a thin layer over these.
export type {
  Ensemble,
  EnsembleProvider,
  EnsembleServer,
  EnsembleSpec,
  ProcessState,
  QuorumState,
  ServerAddress,
  WaitForQuorumOptions,
} from "./ensemble/ensemble.js";
export {
  LocalEnsemble,
  type LocalEnsembleOptions,
  type PeerLayout,
  type PeerLayoutFactory,
  type ServerPorts,
  startLocalEnsemble,
  validateNodeCount,
} from "./ensemble/local-ensemble.js";
export { describeReap, type ReapReport, reapOrphans } from "./ensemble/run-registry.js";
export { parseSrvr, querySrvr, type ServerMode, type ServerStatus } from "./ensemble/srvr.js";
export { type PeerEndpoint, renderZooCfg, type ZooCfgInput } from "./ensemble/zoo-cfg.js";
export {
  findJava,
  findZooKeeperInstall,
  type ZooKeeperInstall,
} from "./ensemble/zookeeper-install.js";
export {
  FAST_SETTINGS,
  PRODUCTION_SETTINGS,
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "./ensemble/zookeeper-settings.js";
export { BadInputError, ZkChaosError, type ZkChaosErrorCode } from "./errors.js";
export { ZkOperationError, ZkSession } from "./workload/zk-session.js";
