import type { ZooKeeperSettings } from "../zookeeper/settings.js";
import type { ServerStatus } from "../zookeeper/srvr.js";
import type { PeerEndpoint } from "../zookeeper/zoo-cfg.js";
import type { CpuShare } from "./cpu-limit.js";
import type { DamageReport, DataDamage } from "./data-damage.js";

export type { PeerEndpoint } from "../zookeeper/zoo-cfg.js";

/** A host and port clients connect to. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The ports one server listens on. */
export interface ServerPorts {
  readonly id: number;
  readonly client: number;
  readonly quorum: number;
  readonly election: number;
}

/** How server `self`'s config names server `peer` (for self === peer: where it binds). */
export type PeerLayout = (self: number, peer: number) => PeerEndpoint;

/**
 * Builds the peer layout once ports are known; the fault network uses it to
 * route each directed link i->j through its own proxy.
 */
export type PeerLayoutFactory = (
  ports: readonly ServerPorts[],
  host: string,
) => PeerLayout | Promise<PeerLayout>;

/** What the harness did to a server's process last. */
export type ProcessState = "running" | "paused" | "stopped" | "retired";

/** One server of a started ensemble, whatever runs it (a local JVM, a container, a pod). */
export interface EnsembleServer {
  /** The server id (myid), 1-based. */
  readonly id: number;
  /** Where clients reach this server directly. */
  readonly clientAddress: ServerAddress;
  /** The harness's view of the process; "retired" once its ensemble is disposed (it never starts again). */
  readonly processState: ProcessState;
  /** How the process last ended ("exit code 1", "signal SIGKILL"), where the provider knows. */
  readonly exitDescription?: string | undefined;
  /** Asks the server through `srvr`; never throws. */
  status(): Promise<ServerStatus>;
  /** Kills the server at once (SIGKILL): no clean shutdown. */
  kill(): Promise<void>;
  /** Stops the server gracefully. */
  stop(): Promise<void>;
  /** Starts the server again with the same data (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Freezes the server as a stop-the-world GC pause would (SIGSTOP). */
  pause(): Promise<void>;
  /** Thaws a paused server (SIGCONT). */
  resume(): Promise<void>;
}

/** What waitForQuorum saw once the quorum was up. */
export interface QuorumState {
  readonly leader: number;
  readonly epoch: number;
  readonly statuses: ReadonlyMap<number, ServerStatus>;
  /** Milliseconds waited. */
  readonly waitedMs: number;
}

/** Options of waitForQuorum. */
export interface WaitForQuorumOptions {
  /** Give up after this long (default: from the settings, at least 30 s). */
  readonly timeoutMs?: number;
  /** The servers that must serve (default: every server whose process runs and is not paused). */
  readonly servers?: readonly number[];
  /** Stop waiting at once when this aborts (Ctrl-C while an ensemble starts). */
  readonly signal?: AbortSignal;
}

/** A started ensemble: its servers, their status, and control over them. */
export interface Ensemble extends AsyncDisposable {
  /** Which provider started it ("local", "docker", ...). */
  readonly provider: string;
  /** This run's id: it labels every process, container and folder the ensemble owns. */
  readonly runId: string;
  readonly size: number;
  readonly settings: ZooKeeperSettings;
  readonly servers: readonly EnsembleServer[];
  /** Ids of the observers: servers that serve clients but never vote (absent or empty: none). */
  readonly observers?: readonly number[];
  /** ZooKeeper's version as the provider knows it. */
  readonly zooKeeperVersion: string;
  /** A folder on this machine with the servers' configs and logs (removed on dispose unless kept). */
  readonly dir: string;
  /** Copies each server's log into `into` as server-<id>.log (servers that wrote none are skipped). */
  collectLogs(into: string): Promise<void>;
  /** The server with this id; throws on an unknown id. */
  server(id: number): EnsembleServer;
  /** A client connect string for the given servers (default: all). */
  connectString(ids?: readonly number[]): string;
  /** Every server's `srvr` status, by id. */
  statuses(): Promise<ReadonlyMap<number, ServerStatus>>;
  /** The id of the server that reports itself leader, if exactly one does. */
  leader(): Promise<number | undefined>;
  /** Waits until the given servers serve with exactly one leader among them. */
  waitForQuorum(options?: WaitForQuorumOptions): Promise<QuorumState>;
  /** Stops every server and releases every port and folder; safe to call twice. */
  dispose(): Promise<void>;
}

/** What every provider is asked to start. */
export interface EnsembleSpec {
  /** Number of servers, 1 to 9. */
  readonly nodes: number;
  readonly settings?: Partial<ZooKeeperSettings>;
  /** How many of them are observers: the last ones by id (default 0). */
  readonly observers?: number;
}

/** Size of each server's own log disk when a fault needs one (MiB). */
export const DEFAULT_LOG_DISK_MB = 64;

/** The largest ensemble we start: ZooKeeper gains nothing from more voters on one machine. */
export const MAX_NODES = 9;

/** An optional ability: servers that can be moved to another ZooKeeper version with their data. */
export interface VersionChanging {
  /** The version server `id` is configured to run. */
  serverVersion(id: number): string;
  /** Stops server `id`, moves it to `version` (same data, that release's jars and config) and starts it. */
  changeVersion(id: number, version: string): Promise<void>;
}

/** True when the ensemble can change a server's version (the local provider). */
export function canChangeVersion(ensemble: Ensemble): ensemble is Ensemble & VersionChanging {
  const candidate = ensemble as Partial<VersionChanging>;
  return (
    typeof candidate.changeVersion === "function" && typeof candidate.serverVersion === "function"
  );
}

/** One line a server wrote to its log, as it arrived. */
export interface ServerLogLine {
  readonly server: number;
  readonly line: string;
  /** When it was read (performance.now() ms): within milliseconds of being written. */
  readonly receivedMs: number;
}

/** An optional ability: the servers' logs as a stream of lines. */
export interface ServerLogSource {
  /** Calls `listener` with every line any server writes from now on; returns the unsubscribe. */
  onServerLog(listener: (line: ServerLogLine) => void): () => void;
}

/** True when the ensemble streams its servers' log lines. */
export function hasServerLogs(ensemble: Ensemble): ensemble is Ensemble & ServerLogSource {
  return typeof (ensemble as Partial<ServerLogSource>).onServerLog === "function";
}

/** An optional ability: servers whose transaction log lives on a small disk of its own, which a fault can fill. */
export interface LogDiskFilling {
  /** Fills server `id`'s log disk to the last byte; resolves to the bytes taken. */
  fillLogDisk(id: number): Promise<number>;
  /** Gives the space back. */
  freeLogDisk(id: number): Promise<void>;
}

/** True when the ensemble can fill its servers' log disks (the local provider, started with log disks). */
export function canFillLogDisks(ensemble: Ensemble): ensemble is Ensemble & LogDiskFilling {
  const candidate = ensemble as Partial<LogDiskFilling>;
  return typeof candidate.fillLogDisk === "function" && typeof candidate.freeLogDisk === "function";
}

/** An optional ability: a server's process held to a fraction of one core, as beside a busy neighbour. */
export interface CpuStarving {
  /** Caps server `id` at `cores` of one core (e.g. 0.1); resolves to how it was done. */
  starveCpu(id: number, cores: number): Promise<string>;
  /** Lifts the cap; resolves to what the server got while capped, as the kernel measured it. */
  feedCpu(id: number): Promise<CpuShare | undefined>;
}

/** True when the ensemble can cap its servers' CPU. */
export function canStarveCpu(ensemble: Ensemble): ensemble is Ensemble & CpuStarving {
  const candidate = ensemble as Partial<CpuStarving>;
  return typeof candidate.starveCpu === "function" && typeof candidate.feedCpu === "function";
}

/** An optional ability: damage a stopped server's data as operators and failing disks do. */
export interface DataDamaging {
  /** Damages server `id`'s data (it must be stopped); `draw` gives [0, 1) numbers from the run's seed. */
  damageData(id: number, damage: DataDamage, draw: () => number): Promise<DamageReport>;
  /** Makes server `id`'s data folders read-only (or writable again); resolves to the folders. */
  setDataReadOnly(id: number, readOnly: boolean): Promise<string[]>;
}

/** True when the ensemble's servers keep their data where the harness can reach it. */
export function canDamageData(ensemble: Ensemble): ensemble is Ensemble & DataDamaging {
  return typeof (ensemble as Partial<DataDamaging>).damageData === "function";
}

/** An optional ability: a server's transaction-log fsync made slow, as on a failing disk. */
export interface FsyncSlowing {
  /** Makes every fsync of server `id`'s log wait `ms` (0: none); resolves to the fsyncs served so far. */
  setFsyncDelay(id: number, ms: number): Promise<number>;
}

/** True when the ensemble was started with its logs on the slow-fsync file system. */
export function canSlowFsync(ensemble: Ensemble): ensemble is Ensemble & FsyncSlowing {
  return typeof (ensemble as Partial<FsyncSlowing>).setFsyncDelay === "function";
}

/** An optional ability: a server's clocks moved forward, as a suspended VM or a stepped host clock would. */
export interface ClockSetting {
  /** Sets server `id`'s clocks `offsetMs` ahead of true time. */
  setClock(id: number, offsetMs: number): Promise<void>;
  /** How far ahead server `id`'s clocks are (ms; 0 when never moved). */
  clockOffset(id: number): number;
}

/** True when the ensemble's servers were started with a clock the harness can move. */
export function canSetClock(ensemble: Ensemble): ensemble is Ensemble & ClockSetting {
  return typeof (ensemble as Partial<ClockSetting>).setClock === "function";
}

/** An optional ability: change the membership at run time (dynamic reconfiguration, 3.5+). */
export interface MembershipChanging {
  /** The servers in the current configuration (undefined: the ensemble was started without membership changes). */
  readonly members: readonly number[] | undefined;
  /** Starts server `id` with a config of today's members and itself, ready to be added. */
  startJoiner(id: number): Promise<void>;
  /** Records the membership a reconfig committed. */
  setMembers(ids: readonly number[]): void;
  /** Server `id` as a reconfig names a joining participant (server.N=...;host:clientPort). */
  memberLine(id: number): string;
}

/** True when the ensemble can change its membership at run time. */
export function canChangeMembers(ensemble: Ensemble): ensemble is Ensemble & MembershipChanging {
  const candidate = ensemble as Partial<MembershipChanging>;
  return (
    typeof candidate.startJoiner === "function" &&
    typeof candidate.setMembers === "function" &&
    typeof candidate.memberLine === "function" &&
    candidate.members !== undefined
  );
}
