import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, ZkChaosError } from "../../errors.js";
import { LogTail } from "../../util/log-tail.js";
import type { PortReservation } from "../../util/port-reservation.js";
import { onShutdown } from "../../util/shutdown.js";
import { sleep } from "../../util/sleep.js";
import {
  type FindInstallOptions,
  resolveZooKeeperInstall,
  type ZooKeeperInstall,
} from "../../zookeeper/install.js";
import type { ZooKeeperSettings } from "../../zookeeper/settings.js";
import type { ServerStatus } from "../../zookeeper/srvr.js";
import { compareVersions, normalizeVersion } from "../../zookeeper/version-range.js";
import { type CpuCap, type CpuShare, capCpu, cpuGroupName } from "../cpu-limit.js";
import { type DamageReport, type DataDamage, damageData } from "../data-damage.js";
import type {
  Ensemble,
  QuorumState,
  ServerLogLine,
  ServerPorts,
  WaitForQuorumOptions,
} from "../ensemble.js";
import {
  checkSettingsFor,
  type EnsembleSetup,
  logDirOf,
  prepareServer,
  settingsFor,
} from "../server-setup.js";
import type { ClassDataSharingPlan } from "./class-data-sharing.js";
import { writeClock } from "./fake-clock.js";
import { type ManagedServer, tailOf } from "./local-server.js";
import { fillDisk, freeDisk, mountReadOnly, unmountAllUnder, unmountTop } from "./log-disk.js";
import type { SlowFsyncMount } from "./slow-fsync.js";

/** A generous default wait for a quorum: election plus initLimit, never below 30 s. */
export function defaultQuorumTimeout(settings: ZooKeeperSettings): number {
  return Math.max(30_000, 3 * settings.initLimit * settings.tickTime);
}

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
  /** Each server's libfaketime control file (empty unless started with fakeClock). */
  private readonly clockFiles: ReadonlyMap<number, string>;
  private readonly clockOffsets = new Map<number, number>();
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
    clockFiles?: ReadonlyMap<number, string>;
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
    this.clockFiles = init.clockFiles ?? new Map();
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

  /** Sets server `id`'s clocks `offsetMs` ahead of true time; in effect within a second (the library's reread). */
  async setClock(id: number, offsetMs: number): Promise<void> {
    const file = this.clockFiles.get(id);
    if (file === undefined) {
      throw new BadInputError(
        `server ${id} was started without libfaketime: start the ensemble with fakeClock (a scenario with a clock fault does this)`,
      );
    }
    writeClock(file, offsetMs);
    this.clockOffsets.set(id, offsetMs);
  }

  /** How far ahead server `id`'s clocks are (ms). */
  clockOffset(id: number): number {
    return this.clockOffsets.get(id) ?? 0;
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
    await Promise.all([...this.fsyncMounts.values()].map((mount) => mount.release()));
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
