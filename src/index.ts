// The library API: the CLI is a thin layer over these.

export {
  type AvailabilitySettings,
  type AvailabilityWindow,
  checkAvailability,
  electionGraceMs,
} from "./checkers/availability.js";
export {
  CHECK_MODELS,
  type CheckHistoryOptions,
  type CheckModel,
  checkHistoryFile,
  HISTORY_FORMATS,
  type HistoryCheck,
  type HistoryFormat,
} from "./checkers/check-history.js";
export {
  checkLinearizable,
  type LinearizabilityOptions,
} from "./checkers/linearizability/check-linearizable.js";
export {
  GENERAL_MODELS,
  type GeneralModelName,
  importedOperations,
} from "./checkers/linearizability/imported-models.js";
export {
  casRegisterModel,
  kvModel,
  type LinOp,
  type Model,
  mutexModel,
  registerModel,
  UNKNOWN,
} from "./checkers/linearizability/model.js";
export { type Anomaly, combineValidity, type Validity, type Verdict } from "./checkers/verdict.js";
export {
  checkZooKeeper,
  type ZooKeeperCheckOptions,
} from "./checkers/zookeeper/zookeeper-checker.js";
export {
  type ImageAvailability,
  imagePresent,
  provideImage,
} from "./docker/container-image.js";
export {
  dockerAvailable,
  labelledResources,
  reapOrphanContainers,
} from "./docker/docker-engine.js";
export {
  LOCAL_ZOOKEEPER_IMAGE,
  OFFICIAL_ZOOKEEPER_IMAGE,
  zooKeeperImage,
} from "./docker/zookeeper-image.js";
export {
  type DockerEnsembleOptions,
  startDockerEnsemble,
} from "./ensemble/docker/docker-ensemble.js";
export type {
  Ensemble,
  EnsembleServer,
  EnsembleSpec,
  PeerEndpoint,
  PeerLayout,
  PeerLayoutFactory,
  ProcessState,
  QuorumState,
  ServerAddress,
  ServerPorts,
  WaitForQuorumOptions,
} from "./ensemble/ensemble.js";
export {
  LocalEnsemble,
  type LocalEnsembleOptions,
  startLocalEnsemble,
  validateNodeCount,
} from "./ensemble/local/local-ensemble.js";
export { describeReap, type ReapReport, reapOrphans } from "./ensemble/run-registry.js";
export { BadInputError, ZkChaosError, type ZkChaosErrorCode } from "./errors.js";
export {
  FAULT_CATALOGUE,
  type FaultKind,
  type FaultSpec,
  isFaultKind,
  type LinkSelection,
  type Target,
} from "./faults/fault-spec.js";
export {
  type ActiveFault,
  Nemesis,
  type NemesisOptions,
  type ScheduledFault,
} from "./faults/nemesis.js";
export { type RandomScheduleOptions, randomSchedule } from "./faults/schedule.js";
export type { EventType, HistoryEvent, NewEvent, ProcessId, StatRecord } from "./history/event.js";
export { readJepsenEdn } from "./history/jepsen-edn.js";
export { readPorcupineLog } from "./history/porcupine-log.js";
export { readHistoryFile } from "./history/reader.js";
export { HistoryRecorder, type HistorySink, JsonlSink, MemorySink } from "./history/recorder.js";
export { type Bypass, findBypasses, listenersBeyondLoopback } from "./network/bypass-check.js";
export {
  type DockerFaultNetworkOptions,
  startDockerFaultNetwork,
} from "./network/docker-fault-network.js";
export {
  FaultNetwork,
  type FaultNetworkOptions,
  type NetworkView,
  type ToxicSpec,
} from "./network/fault-network.js";
export { type CutMode, type DirectedPair, linkTopology } from "./network/link-topology.js";
export {
  startToxiproxyServer,
  TOXIPROXY_API_VERSION,
  ToxiproxyServer,
  type ToxiproxyServerOptions,
} from "./network/toxiproxy/toxiproxy-server.js";
export {
  LOCAL_TOXIPROXY_IMAGE,
  OFFICIAL_TOXIPROXY_IMAGE,
  startToxiproxyContainer,
  type ToxiproxyContainer,
  toxiproxyImage,
} from "./network/toxiproxy-container.js";
export {
  choiceForRelease,
  faultsProviderCannot,
  LOCAL_PROVIDER,
  PROVIDERS,
  type Provider,
  type ProviderChoice,
  type ProviderName,
  providerChoice,
  refuseProviderFaults,
  startProviderEnsemble,
  startProviderNetwork,
} from "./providers/registry.js";
export {
  type ConnectivityView,
  connected,
  majority,
  possibleLeaders,
  quorumPossible,
  type ServerCondition,
  servingSetFor,
  tolerance,
} from "./quorum/connectivity.js";
export { htmlReport } from "./report/html.js";
export { junitReport } from "./report/junit.js";
export { markdownReport } from "./report/markdown.js";
export { type ResultsFile, resultsFile } from "./report/results.js";
export { rerenderRunDir, writeRunReports } from "./report/write-reports.js";
export type { RunResult } from "./results/run-result.js";
export { matrixEntries, parseShard, runMatrix } from "./runner/run-matrix.js";
export { type RunOptions, type RunProgress, runPlan } from "./runner/run-plan.js";
export {
  type FailureVariant,
  runToleranceMatrix,
  type ToleranceCell,
  type ToleranceResult,
} from "./runner/tolerance-matrix.js";
export { sizingAdvice, type Validation, validateCluster } from "./runner/validate.js";
export { loadScenario, parseScenario } from "./scenario/load-scenario.js";
export { planRun, type RunPlan } from "./scenario/plan.js";
export { CHECKERS, type Scenario, scenarioJsonSchema } from "./scenario/schema.js";
export { type InvariantViolation, topologyViolations } from "./topology/invariants.js";
export { type OpResult, RecordedSession, statRecord } from "./workload/recorded-session.js";
export {
  type ConnectMode,
  expectedTree,
  finalReads,
  runWorkload,
  serverResolver,
  type WorkloadOptions,
  type WorkloadResult,
} from "./workload/run-workload.js";
export { readSnapshot, readTree } from "./workload/subtree.js";
export { topologyCommandChunk } from "./workload/topology/commands.js";
export { TopologyModel } from "./workload/topology/model.js";
export {
  type CreateMode,
  type MultiOp,
  ZK_ERRORS,
  ZkOperationError,
  ZkSession,
  type ZkStat,
} from "./workload/zk-session.js";
export {
  findJava,
  findZooKeeperInstall,
  type ZooKeeperInstall,
} from "./zookeeper/install.js";
export {
  FAST_SETTINGS,
  PRODUCTION_SETTINGS,
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "./zookeeper/settings.js";
export { parseSrvr, querySrvr, type ServerMode, type ServerStatus } from "./zookeeper/srvr.js";
export { renderZooCfg, type ZooCfgInput } from "./zookeeper/zoo-cfg.js";
