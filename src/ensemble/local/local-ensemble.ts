import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { BadInputError, ZkChaosError } from "../../errors.js";
import { LogTail } from "../../util/log-tail.js";
import {
  joinReservations,
  PortReservation,
  portLockDir,
  reserveExactPorts,
  reservePorts,
} from "../../util/port-reservation.js";
import { selfToken } from "../../util/process-identity.js";
import { runtimeRoot, runtimeSubdir } from "../../util/runtime-root.js";
import { onShutdown } from "../../util/shutdown.js";
import {
  type FindInstallOptions,
  isResolvedInstall,
  resolveZooKeeperInstall,
  type ZooKeeperInstall,
} from "../../zookeeper/install.js";
import { releaseLine } from "../../zookeeper/release-lines.js";
import {
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "../../zookeeper/settings.js";
import type { ServerStatus } from "../../zookeeper/srvr.js";
import { compareVersions, normalizeVersion } from "../../zookeeper/version-range.js";
import { type CpuCap, type CpuShare, capCpu, cpuGroupName } from "../cpu-limit.js";
import { type DamageReport, type DataDamage, damageData } from "../data-damage.js";
import {
  type Ensemble,
  type EnsembleSpec,
  MAX_NODES,
  type PeerLayout,
  type PeerLayoutFactory,
  type QuorumState,
  type ServerLogLine,
  type ServerPorts,
  type WaitForQuorumOptions,
} from "../ensemble.js";
import {
  describeReap,
  OWNER_MARKER,
  RUN_MARKER,
  reapOrphans,
  registerRun,
} from "../run-registry.js";
import {
  checkSettingsFor,
  type EnsembleSetup,
  logDirOf,
  prepareServer,
  type ServerAddressing,
  type ServerSettingsOverride,
  STANDARD_PORTS,
  settingsFor,
} from "../server-setup.js";
import { type ClassDataSharingPlan, planClassDataSharing } from "./class-data-sharing.js";
import { LocalServer, type ManagedServer, type ServerLauncher, tailOf } from "./local-server.js";
import {
  fillDisk,
  freeDisk,
  mountLogDisk,
  mountReadOnly,
  unmountAllUnder,
  unmountTop,
} from "./log-disk.js";
import { mountSlowFsync, type SlowFsyncMount } from "./slow-fsync.js";

/** Options of the local-process provider. */
export interface LocalEnsembleOptions extends EnsembleSpec {
  /** Settings profile the overrides apply to (default "fast"). */
  readonly profile?: SettingsProfile;
  /** A found install, or where to look for one (a `version` is resolved into the cache with Maven). */
  readonly install?: ZooKeeperInstall | FindInstallOptions;
  /** Versions for some servers (id -> x.y.z), the others run `install`: a mixed-version ensemble. */
  readonly versions?: Readonly<Record<number, string>>;
  /** zoo.cfg keys and system properties for some servers only (e.g. a slow flush on one follower). */
  readonly serverSettings?: Readonly<Record<number, ServerSettingsOverride>>;
  /**
   * Give each server's transaction log a tmpfs of this many MB of its own, so
   * that disk faults can fill it (needs root to mount; default: none).
   */
  readonly logDiskMb?: number;
  /**
   * Put each server's transaction log on a FUSE pass-through whose fsync a
   * fault can slow (needs root, /dev/fuse and python3-fusepy; default: none).
   */
  readonly slowFsync?: boolean;
  /**
   * Start only servers 1..members as the ensemble, with dynamic
   * reconfiguration on (3.5+): the others wait to join (startJoiner, then a
   * reconfig). Needs servers that address each other directly (no peerLayout).
   */
  readonly members?: number;
  /**
   * How many of the servers are observers (non-voting): the last ones by id,
   * e.g. 2 of 5 makes servers 4 and 5 observers of 3 voters (default 0).
   */
  readonly observers?: number;
  /** Client port of server 1; server i gets clientPort + i - 1 (default: free ports). A taken port is an input error. */
  readonly clientPort?: number;
  /** Folder for data, configs and logs; kept afterwards. Default: a temp folder removed on dispose. */
  readonly dir?: string;
  /** Keep the temp folder on dispose (for post-mortems). */
  readonly keepDir?: boolean;
  /** Loopback address every server binds to (default 127.0.0.1). */
  readonly host?: string;
  /** Servers with addresses of their own (the docker provider's run network) instead of ports on `host`. */
  readonly addressing?: ServerAddressing;
  /** Route peer traffic (default: servers address each other directly). */
  readonly peerLayout?: PeerLayoutFactory;
  /** How long start may wait for the quorum (default: from the settings, at least 30 s). */
  readonly startTimeoutMs?: number;
  /** Wait for a serving quorum before returning (default true). */
  readonly waitForQuorum?: boolean;
  /** Machine-wide folder for registries and temp folders (default: see runtimeRoot). */
  readonly runtimeRoot?: string;
  /** Makes the servers (default: local JVMs); the docker provider passes its own. */
  readonly launcher?: ServerLauncher;
  /** The provider's name for reports (default "local"). */
  readonly provider?: string;
  /** Share an archive of loaded classes between JVMs to start faster (default true). */
  readonly classDataSharing?: boolean;
  /** Where progress and reaping notices go (default: nowhere). */
  readonly log?: (line: string) => void;
  /** Abort the start (Ctrl-C): the wait for a quorum ends at once and everything is released. */
  readonly signal?: AbortSignal;
}

/** Each server's install: the main one, or its own version's from the cache. */
async function serverInstalls(
  nodes: number,
  main: ZooKeeperInstall,
  versions: Readonly<Record<number, string>> | undefined,
  findOptions: FindInstallOptions,
): Promise<Map<number, ZooKeeperInstall>> {
  const installs = new Map<number, ZooKeeperInstall>();
  const byVersion = new Map<string, ZooKeeperInstall>();
  for (const [key, version] of Object.entries(versions ?? {})) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 1 || id > nodes) {
      throw new BadInputError(
        `a version is given for server ${key}, but the ensemble has servers 1 to ${nodes}`,
      );
    }
    if (!byVersion.has(version)) {
      byVersion.set(
        version,
        await resolveZooKeeperInstall({ ...findOptions, zkHome: undefined, version }),
      );
    }
    installs.set(id, byVersion.get(version) as ZooKeeperInstall);
  }
  for (let id = 1; id <= nodes; id++) if (!installs.has(id)) installs.set(id, main);
  return installs;
}

/** Checks an ensemble size; the message says what sizes are allowed. */
export function validateNodeCount(nodes: unknown): number {
  if (typeof nodes !== "number" || !Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new BadInputError(
      `ensemble size must be an integer from 1 to ${MAX_NODES} (1, 3, 5 or 7 are the usual ones), got ${String(nodes)}`,
    );
  }
  return nodes;
}

/** A generous default wait for a quorum: election plus initLimit, never below 30 s. */
function defaultQuorumTimeout(settings: ZooKeeperSettings): number {
  return Math.max(30_000, 3 * settings.initLimit * settings.tickTime);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server that takes writes for the ensemble: a leader, or a lone standalone server (3.4's single server). */
function leads(status: ServerStatus): boolean {
  return status.state === "serving" && (status.mode === "leader" || status.mode === "standalone");
}

/** An ensemble of ZooKeeper JVMs running as child processes of this one. */
export class LocalEnsemble implements Ensemble {
  readonly provider: string;
  readonly size: number;
  readonly settings: ZooKeeperSettings;
  readonly servers: readonly ManagedServer[];
  readonly runId: string;
  /** The folder with each server's data, config and logs. */
  readonly dir: string;
  readonly ports: readonly ServerPorts[];
  private readonly cleanup: {
    removeDir: boolean;
    reservation: PortReservation;
    unregister: () => void;
    cds: ClassDataSharingPlan | undefined;
  };
  /** Each server's log on a pass-through with a slow-able fsync (ensembles started with slowFsync). */
  private readonly fsyncMounts: ReadonlyMap<number, SlowFsyncMount>;
  private disposing: Promise<void> | undefined;
  private readonly installs: Map<number, ZooKeeperInstall>;
  /** Versions the servers reported through srvr, by id. */
  private readonly reported = new Map<number, string>();
  private readonly setup: EnsembleSetup;
  private readonly findOptions: FindInstallOptions;

  /** Ids of the observers (non-voting servers). */
  get observers(): readonly number[] {
    return this.setup.observers ?? [];
  }

  private membership: number[] | undefined;

  /** The servers in the current configuration, when membership changes at run time (else undefined: all). */
  get members(): readonly number[] | undefined {
    return this.membership ?? this.setup.members;
  }

  /** Starts server `id` to join the members: its config lists them and itself; a reconfig makes it one. */
  async startJoiner(id: number): Promise<void> {
    const members = this.members;
    if (members === undefined || this.setup.reconfig !== true)
      throw new BadInputError(
        `server ${id} cannot join: the ensemble was not started for membership changes (members)`,
      );
    if (members.includes(id))
      throw new ZkChaosError("SERVER_STATE", `server ${id} is already a member`);
    const install = this.installs.get(id) as ZooKeeperInstall;
    // Rewrites its config for today's members; its launch is unchanged.
    prepareServer({ ...this.setup, members }, id, install, []);
    await this.server(id).start();
  }

  /** Records the membership a reconfig committed. */
  setMembers(ids: readonly number[]): void {
    this.membership = [...ids].sort((a, b) => a - b);
  }

  /** Server `id` as a reconfig names a joining participant. */
  memberLine(id: number): string {
    const ports = this.ports.find((each) => each.id === id) as ServerPorts;
    const host = this.setup.addressing?.name(id) ?? this.setup.host;
    const clientHost = this.setup.addressing ? "0.0.0.0" : host;
    return `server.${id}=${host}:${ports.quorum}:${ports.election}:participant;${clientHost}:${ports.client}`;
  }
  private readonly unhook: () => void;
  private readonly tails: LogTail[] = [];
  private readonly cpuCaps = new Map<number, CpuCap>();
  /** Folders under a read-only bind (a read-only fault in force). */
  private readonly readOnlyDirs = new Set<string>();
  private readonly logListeners = new Set<(line: ServerLogLine) => void>();

  /** @internal use startLocalEnsemble */
  constructor(init: {
    settings: ZooKeeperSettings;
    servers: ManagedServer[];
    provider: string;
    installs: Map<number, ZooKeeperInstall>;
    setup: EnsembleSetup;
    findOptions: FindInstallOptions;
    runId: string;
    dir: string;
    ports: ServerPorts[];
    removeDir: boolean;
    reservation: PortReservation;
    unregister: () => void;
    cds: ClassDataSharingPlan | undefined;
    fsyncMounts: ReadonlyMap<number, SlowFsyncMount>;
  }) {
    this.size = init.servers.length;
    this.provider = init.provider;
    this.settings = init.settings;
    this.servers = init.servers;
    this.installs = init.installs;
    this.setup = init.setup;
    this.findOptions = init.findOptions;
    this.runId = init.runId;
    this.dir = init.dir;
    this.ports = init.ports;
    this.fsyncMounts = init.fsyncMounts;
    this.cleanup = {
      removeDir: init.removeDir,
      reservation: init.reservation,
      unregister: init.unregister,
      cds: init.cds,
    };
    this.unhook = onShutdown(
      () => this.dispose(),
      () => {
        for (const server of this.servers) server.killNow();
      },
    );
  }

  /**
   * The servers' ZooKeeper version as they report it through srvr (x.y.z;
   * versions joined with "+" while servers run different ones), or as
   * configured until they have answered.
   */
  get zooKeeperVersion(): string {
    const reported = [...this.reported.values()];
    const versions =
      reported.length > 0 ? reported : [...this.installs.values()].map((i) => i.version);
    const known = [...new Set(versions.map(normalizeVersion))].filter((v) => v !== "unknown");
    return known.length === 0 ? "unknown" : known.sort(compareVersions).join("+");
  }

  /** The version server `id` is configured to run ("unknown" in containers until it answers). */
  serverVersion(id: number): string {
    this.server(id);
    const configured = this.installs.get(id)?.version ?? "unknown";
    return configured === "unknown"
      ? (this.reported.get(id) ?? configured)
      : normalizeVersion(configured);
  }

  /** Fills server `id`'s log disk to the last byte (ensembles started with `logDiskMb`). */
  async fillLogDisk(id: number): Promise<number> {
    this.server(id);
    return fillDisk(this.logDisk(id));
  }

  /** Frees what fillLogDisk took on server `id`'s log disk. */
  async freeLogDisk(id: number): Promise<void> {
    this.server(id);
    freeDisk(this.logDisk(id));
  }

  /** Damages server `id`'s data (data folder and, if separate, log folder); the server must be stopped. */
  async damageData(id: number, damage: DataDamage, draw: () => number): Promise<DamageReport> {
    if (this.server(id).processState !== "stopped") {
      throw new ZkChaosError(
        "SERVER_STATE",
        `cannot damage server ${id}'s data while it runs: stop it first`,
      );
    }
    return damageData(this.dataDirs(id), damage, draw);
  }

  /** Makes server `id`'s data folders read-only with a read-only bind mount (or removes it). */
  async setDataReadOnly(id: number, readOnly: boolean): Promise<string[]> {
    const dirs = this.dataDirs(id);
    for (const dir of dirs) {
      if (readOnly && !this.readOnlyDirs.has(dir)) {
        mountReadOnly(dir);
        this.readOnlyDirs.add(dir);
      } else if (!readOnly && this.readOnlyDirs.delete(dir)) {
        // The bind is the top mount on the folder: a log disk below it stays.
        unmountTop(dir);
      }
    }
    return dirs;
  }

  /** Server `id`'s data folder and, if separate, its log folder. */
  private dataDirs(id: number): string[] {
    return [
      join(this.dir, `server-${id}`, "data"),
      ...(this.setup.separateLogDir ? [logDirOf(this.dir, id)] : []),
    ];
  }

  /** Makes every fsync of server `id`'s transaction log wait `ms` (0: none); resolves to the fsyncs served so far. */
  async setFsyncDelay(id: number, ms: number): Promise<number> {
    const mount = this.fsyncMounts.get(id);
    if (mount === undefined) {
      throw new BadInputError(
        `server ${id}'s log is not on the slow-fsync file system: start the ensemble with slowFsync (a scenario with a slow-fsync fault does this)`,
      );
    }
    mount.setDelayMs(ms);
    return mount.fsyncs();
  }

  /** Caps server `id`'s JVM at `cores` of one core in a cgroup of its own. */
  async starveCpu(id: number, cores: number): Promise<string> {
    const pid = this.server(id).pid;
    if (pid === undefined) {
      throw new ZkChaosError("SERVER_STATE", `cannot starve server ${id}: it is not running`);
    }
    this.cpuCaps.get(id)?.release();
    const cap = capCpu(pid, cpuGroupName(this.runId, id), cores);
    this.cpuCaps.set(id, cap);
    return cap.description;
  }

  /** Lifts server `id`'s CPU cap; resolves to what it got meanwhile. */
  async feedCpu(id: number): Promise<CpuShare | undefined> {
    const cap = this.cpuCaps.get(id);
    const share = cap?.measure();
    cap?.release();
    this.cpuCaps.delete(id);
    return share;
  }

  private logDisk(id: number): string {
    if (this.setup.separateLogDir !== true) {
      throw new BadInputError(
        `server ${id} has no log disk of its own to fill: start the ensemble with logDiskMb (a scenario with a disk fault does this)`,
      );
    }
    return logDirOf(this.dir, id);
  }

  /** Stops server `id`, moves it to `version` with its data, and starts it (local JVMs only). */
  async changeVersion(id: number, version: string): Promise<void> {
    const server = this.server(id);
    if (server.relaunch === undefined) {
      throw new BadInputError(
        `server ${id} runs in a ${this.provider} container: changing its version (upgrade, downgrade) needs the local provider`,
      );
    }
    const install = await resolveZooKeeperInstall({
      ...this.findOptions,
      zkHome: undefined,
      version,
    });
    checkSettingsFor(install, settingsFor(this.settings, this.setup.serverSettings?.[id]));
    await server.stop();
    server.relaunch(prepareServer(this.setup, id, install, []));
    this.installs.set(id, install);
    this.reported.delete(id);
    await server.start();
  }

  server(id: number): ManagedServer {
    const server = this.servers.find((candidate) => candidate.id === id);
    if (server === undefined) {
      throw new BadInputError(`no server ${id} in this ensemble: ids go from 1 to ${this.size}`);
    }
    return server;
  }

  connectString(ids?: readonly number[]): string {
    const chosen = ids === undefined ? this.servers : ids.map((id) => this.server(id));
    return chosen
      .map((server) => `${server.clientAddress.host}:${server.clientAddress.port}`)
      .join(",");
  }

  async statuses(): Promise<ReadonlyMap<number, ServerStatus>> {
    const answers = await Promise.all(this.servers.map((server) => server.status()));
    this.servers.forEach((server, index) => {
      const answer = answers[index];
      if (answer?.state === "serving" && answer.version !== "unknown")
        this.reported.set(server.id, normalizeVersion(answer.version));
    });
    return new Map(
      this.servers.map((server, index) => [server.id, answers[index] as ServerStatus]),
    );
  }

  /** Streams every server's log lines (tailing each log file) to the listener until it unsubscribes. */
  onServerLog(listener: (line: ServerLogLine) => void): () => void {
    this.logListeners.add(listener);
    if (this.tails.length === 0) {
      for (const server of this.servers) {
        this.tails.push(
          new LogTail(server.logFile, ({ line, receivedMs }) => {
            for (const each of this.logListeners) each({ server: server.id, line, receivedMs });
          }),
        );
      }
    }
    return () => {
      this.logListeners.delete(listener);
    };
  }

  async collectLogs(into: string): Promise<void> {
    mkdirSync(into, { recursive: true });
    for (const server of this.servers) {
      if (existsSync(server.logFile))
        copyFileSync(server.logFile, join(into, `server-${server.id}.log`));
    }
  }

  async leader(): Promise<number | undefined> {
    const leaders = [...(await this.statuses())].filter(([, status]) => leads(status));
    return leaders.length === 1 ? leaders[0]?.[0] : undefined;
  }

  async waitForQuorum(options: WaitForQuorumOptions = {}): Promise<QuorumState> {
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? defaultQuorumTimeout(this.settings);
    const ids =
      options.servers ??
      this.servers.filter((server) => server.processState === "running").map((s) => s.id);
    let statuses: ReadonlyMap<number, ServerStatus> = new Map();
    for (;;) {
      // Disposed (a signal's cleanup) or told to stop: no quorum is coming; say so at once.
      if (
        options.signal?.aborted ||
        this.servers.some((server) => server.processState === "retired")
      )
        throw new ZkChaosError(
          "INTERRUPTED",
          "interrupted while waiting for a quorum: the ensemble was stopped",
        );
      const crashed = ids
        .map((id) => this.server(id))
        .find((server) => server.processState === "stopped");
      if (crashed !== undefined) throw this.crashError(crashed);
      statuses = await this.statuses();
      const wanted = ids.map((id) => statuses.get(id));
      const leaders = [...statuses].filter(([id, status]) => ids.includes(id) && leads(status));
      if (wanted.every((status) => status?.state === "serving") && leaders.length === 1) {
        const [leader, status] = leaders[0] as [number, ServerStatus & { state: "serving" }];
        return { leader, epoch: status.epoch, statuses, waitedMs: performance.now() - started };
      }
      if (performance.now() - started > timeoutMs) break;
      await sleep(25);
    }
    const summary = [...statuses]
      .map(
        ([id, status]) =>
          `server ${id}: ${status.state === "serving" ? status.mode : status.state}`,
      )
      .join(", ");
    throw new ZkChaosError(
      "QUORUM_TIMEOUT",
      `no quorum of servers ${ids.join(",")} with one leader after ${timeoutMs} ms (${summary}); ` +
        `see the server logs in ${this.dir}`,
    );
  }

  dispose(): Promise<void> {
    this.disposing ??= this.release();
    return this.disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  private async release(): Promise<void> {
    // The data is throw-away: SIGKILL is the fastest way down and leaves nothing running.
    // Only a server that writes the class archive at exit is stopped gracefully.
    const archiver = this.cleanup.cds?.archiverFlags ? this.servers[0] : undefined;
    for (const tail of this.tails) tail.close();
    this.logListeners.clear();
    for (const server of this.servers) server.retire();
    await Promise.allSettled(
      this.servers.map((server) => (server === archiver ? server.stop() : server.kill())),
    );
    for (const cap of this.cpuCaps.values()) cap.release();
    for (const mount of this.fsyncMounts.values()) mount.release();
    this.cpuCaps.clear();
    this.cleanup.cds?.finalize();
    this.cleanup.reservation.release();
    unmountAllUnder(this.dir);
    if (this.cleanup.removeDir) rmSync(this.dir, { recursive: true, force: true });
    this.cleanup.unregister();
    this.unhook();
  }

  private crashError(server: ManagedServer): ZkChaosError {
    const tail = tailOf(server.outFile) || tailOf(server.logFile);
    return new ZkChaosError(
      "SERVER_START_FAILED",
      `ZooKeeper server ${server.id} exited (${server.exitDescription ?? "unknown"}) before serving; ` +
        `log: ${server.logFile}${tail ? `\n${tail}` : ""}`,
    );
  }
}

/** Reserves every server's ports: client ports from `clientPort` on when given (else free ones), peer ports free. */
async function reserveServerPorts(
  nodes: number,
  host: string,
  clientPort: number | undefined,
): Promise<{ servers: ServerPorts[]; reservation: PortReservation }> {
  if (clientPort === undefined) {
    const reservation = await reservePorts(3 * nodes, host);
    const list = reservation.ports;
    const servers = Array.from({ length: nodes }, (_, index) => ({
      id: index + 1,
      client: list[3 * index] as number,
      quorum: list[3 * index + 1] as number,
      election: list[3 * index + 2] as number,
    }));
    return { servers, reservation };
  }
  const clients = await reserveExactPorts(
    Array.from({ length: nodes }, (_, index) => clientPort + index),
    host,
    `server i listens on client port ${clientPort} + i - 1; choose another first client port, or stop what listens there`,
  );
  let peers: PortReservation;
  try {
    peers = await reservePorts(2 * nodes, host);
  } catch (error) {
    clients.release();
    throw error;
  }
  const servers = Array.from({ length: nodes }, (_, index) => ({
    id: index + 1,
    client: clients.ports[index] as number,
    quorum: peers.ports[2 * index] as number,
    election: peers.ports[2 * index + 1] as number,
  }));
  return { servers, reservation: joinReservations(clients, peers) };
}

/** Servers with addresses of their own all listen on the standard ports; nothing on this host is reserved. */
function ownAddressPorts(nodes: number): { servers: ServerPorts[]; reservation: PortReservation } {
  const servers = Array.from({ length: nodes }, (_, index) => ({
    id: index + 1,
    ...STANDARD_PORTS,
  }));
  return { servers, reservation: new PortReservation([], portLockDir()) };
}

/** Membership changes need dynamic reconfiguration: refused on a release before 3.5. */
export function refuseMembershipBefore35(
  members: readonly number[] | undefined,
  version: string,
): void {
  if (members !== undefined && version !== "unknown" && !releaseLine(version).reconfig)
    throw new BadInputError(
      `membership changes need ZooKeeper 3.5 or later (dynamic reconfiguration); this ensemble runs ${version}`,
    );
}

/** Servers 1..count when membership changes at run time (the count checked), else undefined. */
export function initialMembers(nodes: number, count: number | undefined): number[] | undefined {
  if (count === undefined) return undefined;
  if (!Number.isInteger(count) || count < 1 || count > nodes)
    throw new BadInputError(
      `members must be a whole number from 1 to ${nodes} (the servers that start as the ensemble), got ${count}`,
    );
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** Servers 1..members when membership changes at run time (checked: a count, direct peers), else undefined. */
function localMembers(nodes: number, options: LocalEnsembleOptions): number[] | undefined {
  const members = initialMembers(nodes, options.members);
  if (members !== undefined && options.peerLayout !== undefined)
    throw new BadInputError(
      "membership changes need servers that address each other directly: the leader hands every server one view of the peers, which per-link proxies cannot follow",
    );
  return members;
}

/** The ids of `count` observers among `nodes` servers: the last ones; at least one server must vote. */
export function observerIds(nodes: number, count = 0): number[] {
  if (!Number.isInteger(count) || count < 0 || count >= nodes)
    throw new BadInputError(
      `observers must be a whole number from 0 to ${nodes - 1} for ${nodes} server(s) (at least one must vote), got ${count}`,
    );
  return Array.from({ length: count }, (_, index) => nodes - count + index + 1);
}

/**
 * Starts n ZooKeeper servers as local JVMs bound to loopback and waits until
 * they serve with one leader. On any failure it releases what it made and rethrows.
 */
export async function startLocalEnsemble(options: LocalEnsembleOptions): Promise<LocalEnsemble> {
  const nodes = validateNodeCount(options.nodes);
  if (
    options.logDiskMb !== undefined &&
    (!Number.isInteger(options.logDiskMb) || options.logDiskMb < 1 || options.logDiskMb > 4096)
  ) {
    throw new BadInputError(
      `logDiskMb must be a whole number of MB from 1 to 4096, got ${options.logDiskMb}`,
    );
  }
  const observers = observerIds(nodes, options.observers);
  const members = localMembers(nodes, options);
  const settings = resolveSettings(options.settings, options.profile);
  const findOptions: FindInstallOptions = {
    ...(isResolvedInstall(options.install) ? { java: options.install.java } : options.install),
    cache: {
      ...(isResolvedInstall(options.install) ? {} : options.install?.cache),
      ...(options.log ? { log: options.log } : {}),
    },
  };
  const install = isResolvedInstall(options.install)
    ? options.install
    : await resolveZooKeeperInstall(findOptions);
  const installs = await serverInstalls(nodes, install, options.versions, findOptions);
  refuseMembershipBefore35(members, install.version);
  for (const [id, each] of installs) {
    if (id > nodes) continue;
    checkSettingsFor(each, settingsFor(settings, options.serverSettings?.[id]));
  }
  for (const id of Object.keys(options.serverSettings ?? {}).map(Number)) {
    if (!Number.isInteger(id) || id < 1 || id > nodes)
      throw new BadInputError(
        `settings are given for server ${id}, but the ensemble has servers 1 to ${nodes}`,
      );
  }
  const host = options.host ?? "127.0.0.1";
  const addressing = options.addressing;
  if (addressing && options.clientPort !== undefined)
    throw new BadInputError(
      `a first client port (${options.clientPort}) is for servers sharing one host: servers with addresses of their own all listen on ${STANDARD_PORTS.client}`,
    );
  if (!host.startsWith("127.") && host !== "localhost") {
    throw new BadInputError(
      `host '${host}' is not a loopback address: local ensembles bind to 127.0.0.0/8 only`,
    );
  }
  const root = options.runtimeRoot ?? runtimeRoot();
  for (const line of describeReap(await reapOrphans(root))) options.log?.(line);

  const runId = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(4).toString("hex")}`;
  const removeDir = options.dir === undefined && options.keepDir !== true;
  const dir =
    options.dir !== undefined
      ? join(isAbsolute(options.dir) ? options.dir : resolve(options.dir), runId)
      : mkdtempSync(join(runtimeSubdir(root, "runs"), `${runId}-`));
  mkdirSync(dir, { recursive: true });
  const unregister = registerRun(root, { runId, dir, removeDir });
  let reservation: PortReservation | undefined;
  let ensemble: LocalEnsemble | undefined;
  const fsyncMounts = new Map<number, SlowFsyncMount>();
  try {
    const ports = addressing
      ? ownAddressPorts(nodes)
      : await reserveServerPorts(nodes, host, options.clientPort);
    reservation = ports.reservation;
    const direct: PeerLayout = (_self, peer) => {
      const target = ports.servers[peer - 1] as ServerPorts;
      return {
        host: addressing?.name(peer) ?? host,
        quorumPort: target.quorum,
        electionPort: target.election,
      };
    };
    const layout = options.peerLayout ? await options.peerLayout(ports.servers, host) : direct;
    const owner = selfToken();
    const setup: EnsembleSetup = {
      dir,
      host,
      ...(addressing ? { addressing } : {}),
      settings,
      runId,
      owner,
      ports: ports.servers,
      peer: layout,
      ...(options.serverSettings ? { serverSettings: options.serverSettings } : {}),
      ...(options.logDiskMb !== undefined || options.slowFsync ? { separateLogDir: true } : {}),
      ...(observers.length > 0 ? { observers } : {}),
      ...(members !== undefined ? { members, reconfig: true } : {}),
    };
    for (const { id } of ports.servers) {
      const logDir = logDirOf(dir, id);
      // With both, the disk of its own goes under the pass-through.
      if (options.logDiskMb !== undefined)
        mountLogDisk(options.slowFsync ? `${logDir}-backing` : logDir, options.logDiskMb);
      if (options.slowFsync) {
        fsyncMounts.set(
          id,
          await mountSlowFsync(logDir, [
            `${RUN_MARKER}${runId}`,
            `${OWNER_MARKER}${owner}`,
            `-Dzkchaos.server=fsync-${id}`,
          ]),
        );
      }
    }
    // Class-data sharing maps a host file: only for local JVMs, and only for the main install's classes.
    const cds =
      options.classDataSharing === false || options.launcher !== undefined
        ? undefined
        : planClassDataSharing(root, install, settings, runId);
    const servers = ports.servers.map(({ id }) => {
      const own = installs.get(id) as ZooKeeperInstall;
      const cdsFlags =
        own !== install ? [] : ((id === 1 ? cds?.archiverFlags : undefined) ?? cds?.flags ?? []);
      return (options.launcher ?? ((spec) => new LocalServer(spec)))(
        prepareServer(setup, id, own, cdsFlags),
      );
    });
    ensemble = new LocalEnsemble({
      settings,
      servers,
      installs,
      setup,
      findOptions,
      runId,
      dir,
      ports: ports.servers,
      removeDir,
      reservation,
      unregister,
      cds: options.launcher ? undefined : cds,
      fsyncMounts,
      provider: options.provider ?? "local",
    });
    const versions = [...new Set([...installs.values()].map((each) => each.version))];
    const what = install.version === "unknown" ? `(${install.source})` : versions.join("+");
    options.log?.(`starting ${nodes} ZooKeeper ${what} server(s) in ${dir}`);
    // Wait for every start to settle before failing, so that none finishes after the cleanup.
    // Servers waiting to join start when they join.
    const starts = await Promise.allSettled(
      servers
        .filter((server) => members === undefined || members.includes(server.id))
        .map((server) => server.start()),
    );
    const failed = starts.find(
      (start): start is PromiseRejectedResult => start.status === "rejected",
    );
    if (failed) throw failed.reason;
    if (options.waitForQuorum !== false) {
      await ensemble.waitForQuorum({
        timeoutMs: options.startTimeoutMs ?? defaultQuorumTimeout(settings),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    return ensemble;
  } catch (error) {
    if (ensemble !== undefined) await ensemble.dispose();
    else {
      reservation?.release();
      for (const mount of fsyncMounts.values()) mount.release();
      unmountAllUnder(dir);
      if (removeDir) rmSync(dir, { recursive: true, force: true });
      unregister();
    }
    throw error;
  }
}
