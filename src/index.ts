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
// Types the exported functions and classes take and return (their option types above all),
// so that a caller can name them and the API reference (TypeDoc) covers them.
export type { ImportSemantics, ModelAndOps } from "./checkers/linearizability/imported-models.js";
export {
  GENERAL_MODELS,
  type GeneralModelName,
  importedOperations,
} from "./checkers/linearizability/imported-models.js";
export type {
  CasInput,
  CasOutput,
  KvInput,
  KvOutput,
  KvState,
  MutexInput,
  RegisterInput,
  RegisterOutput,
  RegisterValue,
} from "./checkers/linearizability/model.js";
export {
  casRegisterModel,
  kvModel,
  type LinOp,
  type Model,
  mutexModel,
  registerModel,
  UNKNOWN,
} from "./checkers/linearizability/model.js";
export type { CHECKER_REGISTRY, CheckContext, CheckerName } from "./checkers/registry.js";
export type { AnomalyCause } from "./checkers/verdict.js";
export { type Anomaly, combineValidity, type Validity, type Verdict } from "./checkers/verdict.js";
export {
  checkZooKeeper,
  type ZooKeeperCheckOptions,
} from "./checkers/zookeeper/zookeeper-checker.js";
export type { NetworkPlacement } from "./docker/addressed-container.js";
export {
  type ImageAvailability,
  imagePresent,
  provideImage,
} from "./docker/container-image.js";
export type { LabelledResources } from "./docker/docker-engine.js";
export {
  dockerAvailable,
  labelledResources,
  reapOrphanContainers,
} from "./docker/docker-engine.js";
export type { RunNetwork } from "./docker/run-network.js";
export {
  LOCAL_ZOOKEEPER_IMAGE,
  OFFICIAL_ZOOKEEPER_IMAGE,
  zooKeeperImage,
} from "./docker/zookeeper-image.js";
export type { CpuShare } from "./ensemble/cpu-limit.js";
export type { DamageReport, DataDamage } from "./ensemble/data-damage.js";
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
  ServerLogLine,
  ServerPorts,
  WaitForQuorumOptions,
} from "./ensemble/ensemble.js";
export {
  LocalEnsemble,
  type LocalEnsembleOptions,
  startLocalEnsemble,
  validateNodeCount,
} from "./ensemble/local/local-ensemble.js";
export type {
  LocalServerLaunch,
  ManagedServer,
  ServerLauncher,
  ServerLaunchSpec,
} from "./ensemble/local/local-server.js";
export { describeReap, type ReapReport, reapOrphans } from "./ensemble/run-registry.js";
export type { ServerAddressing, ServerSettingsOverride } from "./ensemble/server-setup.js";
export { BadInputError, ZkChaosError, type ZkChaosErrorCode } from "./errors.js";
export type { FaultTrigger, TriggerState } from "./faults/fault-spec.js";
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
export type { ImportedEvent } from "./history/imported-ops.js";
export type { JepsenEdnOptions } from "./history/jepsen-edn.js";
export { readJepsenEdn } from "./history/jepsen-edn.js";
export { readPorcupineLog } from "./history/porcupine-log.js";
export { readHistoryFile } from "./history/reader.js";
export type { NanoClock } from "./history/recorder.js";
export { HistoryRecorder, type HistorySink, JsonlSink, MemorySink } from "./history/recorder.js";
export type { WireMode } from "./history/wire.js";
export { type Bypass, findBypasses, listenersBeyondLoopback } from "./network/bypass-check.js";
export type { DockerNetworkMode } from "./network/docker-fault-network.js";
export {
  type DockerFaultNetworkOptions,
  startDockerFaultNetwork,
} from "./network/docker-fault-network.js";
export type { WireLinkEvent } from "./network/fault-network.js";
export {
  FaultNetwork,
  type FaultNetworkOptions,
  type NetworkView,
  type ToxicSpec,
} from "./network/fault-network.js";
export type {
  LinkFaults,
  MessageRuleAction,
  MessageRules,
  RuleTaken,
} from "./network/link-faults.js";
export type { LinkProxy, PeerChannel } from "./network/link-topology.js";
export { type CutMode, type DirectedPair, linkTopology } from "./network/link-topology.js";
export type { MessageMatch, WireParty } from "./network/message-streams.js";
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
export type { RuleDecision } from "./network/wire/message-rule.js";
export type { UndecodedAt } from "./network/wire/stream-decoder.js";
export type { WireMessage } from "./network/wire/wire-message.js";
export type { WireObservation, WireObserver, WireStream } from "./network/wire/wire-tap.js";
export type { WireSummary } from "./network/wire/zab-packets.js";
export type {
  NetworkStartOptions,
  PlannedRun,
  ProviderRequest,
  ReleaseChoice,
} from "./providers/provider.js";
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
export type { LatencySummary, RunResult } from "./results/run-result.js";
export { EnsemblePool, type PooledEnsemble } from "./runner/ensemble-pool.js";
export type { MatrixEntry, MatrixOptions } from "./runner/run-matrix.js";
export { matrixEntries, parseShard, runMatrix } from "./runner/run-matrix.js";
export type { DockerImages } from "./runner/run-plan.js";
export { type RunOptions, type RunProgress, runPlan } from "./runner/run-plan.js";
export type { ToleranceOptions } from "./runner/tolerance-matrix.js";
export {
  type FailureVariant,
  runToleranceMatrix,
  type ToleranceCell,
  type ToleranceResult,
} from "./runner/tolerance-matrix.js";
export type { ValidateOptions } from "./runner/validate.js";
export { sizingAdvice, type Validation, validateCluster } from "./runner/validate.js";
export type { AnomalyExpectation, ExpectedOutcome } from "./scenario/anomaly-expectation.js";
export type {
  BugExpectation,
  BugOutcome,
  BugResult,
  KnownBug,
} from "./scenario/bug-expectation.js";
export { loadScenario, parseScenario } from "./scenario/load-scenario.js";
export type { ServerOverrides } from "./scenario/plan.js";
export { planRun, type RunPlan } from "./scenario/plan.js";
export type { scenarioSchema } from "./scenario/schema.js";
export { CHECKERS, type Scenario, scenarioJsonSchema } from "./scenario/schema.js";
export { type InvariantViolation, topologyViolations } from "./topology/invariants.js";
export type { PortData } from "./topology/layout.js";
export type { TcpSocket } from "./util/tcp-table.js";
export type { FaultPins } from "./workload/fault-pins.js";
export type { NotificationFault } from "./workload/notification-relay.js";
export type { RecordedSessionOptions } from "./workload/recorded-session.js";
export { type OpResult, RecordedSession, statRecord } from "./workload/recorded-session.js";
export type { OperationMix } from "./workload/register-worker.js";
export type { Pin, WorkerRole } from "./workload/roles.js";
export type { WatchersOptions, WorkloadKind } from "./workload/run-workload.js";
export {
  type ConnectMode,
  expectedTree,
  finalReads,
  runWorkload,
  serverResolver,
  type WorkloadOptions,
  type WorkloadResult,
} from "./workload/run-workload.js";
export type { ReadNode } from "./workload/subtree.js";
export { readSnapshot, readTree } from "./workload/subtree.js";
export type {
  ActionRunner,
  PlanContext,
  TopologyAction,
  TopologyCommand,
} from "./workload/topology/commands.js";
export { topologyCommandChunk } from "./workload/topology/commands.js";
export type { ModelNode, RelativeOp } from "./workload/topology/model.js";
export { TopologyModel } from "./workload/topology/model.js";
export type { TopologyAgent } from "./workload/topology-worker.js";
export type { CachedNode, WatchingAgent, WatchMode } from "./workload/watching-agent.js";
export type { SessionOptions } from "./workload/zk-session.js";
export {
  type CreateMode,
  type MultiOp,
  ZK_ERRORS,
  ZkOperationError,
  ZkSession,
  type ZkStat,
} from "./workload/zk-session.js";
export type {
  MultiResult,
  PersistentWatchMode,
  SessionEvent,
  WatchEventType,
  WatchedChildren,
  WatchedData,
  WatchNotification,
} from "./workload/zk-types.js";
export type { FindInstallOptions } from "./zookeeper/install.js";
export {
  findJava,
  findZooKeeperInstall,
  type ZooKeeperInstall,
} from "./zookeeper/install.js";
export type { CacheOptions } from "./zookeeper/release-cache.js";
export type { ReleaseLine, ReleaseLineName } from "./zookeeper/release-lines.js";
export {
  FAST_SETTINGS,
  PRODUCTION_SETTINGS,
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "./zookeeper/settings.js";
export { parseSrvr, querySrvr, type ServerMode, type ServerStatus } from "./zookeeper/srvr.js";
export { renderZooCfg, type ZooCfgInput } from "./zookeeper/zoo-cfg.js";
