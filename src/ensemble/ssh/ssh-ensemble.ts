/**
 * The ssh provider, Jepsen's model: each server runs on a host of its own,
 * reached over SSH (ssh2) as the inventory says. The harness writes each
 * server's folder and starts its JVM over SSH, and controls the process by
 * its pid (kill, stop, pause, resume); status comes from `srvr`, logs are
 * fetched into the run folder. Network faults on these hosts are the
 * kernel's (network/kernel-network.ts, handed in by whoever starts the
 * ensemble), not a proxy's.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { BadInputError, ZkChaosError } from "../../errors.js";
import type { Inventory } from "../../remote/inventory.js";
import {
  type KernelCapabilities,
  type KernelHost,
  kernelCleanupCommand,
  probeKernels,
} from "../../remote/kernel-rules.js";
import { type RemoteStream, SshHost } from "../../remote/ssh-host.js";
import { selfToken } from "../../util/process-identity.js";
import { shellQuote } from "../../util/shell-quote.js";
import { onShutdown } from "../../util/shutdown.js";
import {
  type FindInstallOptions,
  resolveZooKeeperInstall,
  type ZooKeeperInstall,
} from "../../zookeeper/install.js";
import {
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "../../zookeeper/settings.js";
import { normalizeVersion } from "../../zookeeper/version-range.js";
import { type CpuShare, cpuGroupName } from "../cpu-limit.js";
import type { DamageReport, DataDamage } from "../data-damage.js";
import type {
  CpuStarving,
  DataDamaging,
  Ensemble,
  MembershipChanging,
  QuorumState,
  ServerLogLine,
  ServerLogSource,
  VersionChanging,
  WaitForQuorumOptions,
} from "../ensemble.js";
import {
  initialMembers,
  observerIds,
  refuseMembershipBefore35,
  validateNodeCount,
} from "../local/local-ensemble.js";
import type { ServerLaunchSpec } from "../local/local-server.js";
import { RUN_MARKER } from "../run-registry.js";
import { checkSettingsFor, type EnsembleSetup, prepareServer } from "../server-setup.js";
import { SrvrHeldEnsemble, waitForServing } from "../srvr-quorum.js";
import { capRemoteCpu, type RemoteCpuCap, removeCpuGroupsCommand } from "./cpu-cap.js";
import { copyRelease, remoteReleaseDir } from "./release-copy.js";
import { damageRemoteData } from "./ssh-data-damage.js";
import { SshServer } from "./ssh-server.js";

/** What the ssh provider is asked to start. */
export interface SshEnsembleOptions {
  readonly inventory: Inventory;
  readonly nodes: number;
  readonly settings?: Partial<ZooKeeperSettings>;
  readonly profile?: SettingsProfile;
  readonly observers?: number;
  /**
   * Where this machine's ZooKeeper is (its version, and java and jars unless
   * the inventory names the hosts'); with a `version`, that release from the
   * cache is copied to each host.
   */
  readonly install?: FindInstallOptions;
  /** Releases for some servers (id -> x.y.z), copied to their hosts: a mixed-version ensemble. */
  readonly versions?: Readonly<Record<number, string>>;
  /**
   * Start only servers 1..members as the ensemble, with dynamic
   * reconfiguration on (3.5+): the others wait to join (startJoiner, then a reconfig).
   */
  readonly members?: number;
  /**
   * Starts the fault network on the hosts once they are connected, before any
   * server starts (so rules a crashed run left are gone first); the ensemble
   * disposes it at teardown. Absent: no network faults on these hosts.
   */
  readonly hostNetwork?: (hosts: readonly KernelHost[]) => Promise<HostFaultNetwork>;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** What the ensemble needs of the fault network made on its hosts: to release it. */
export interface HostFaultNetwork {
  dispose(): Promise<void>;
}

/** How the servers' folders and releases are made on their hosts, and what each runs. */
interface ReleaseStaging {
  /** Writes server `id`'s folder on its host for a release (same data) and returns its launch. */
  readonly stage: (
    id: number,
    release: ZooKeeperInstall,
    members?: readonly number[],
  ) => Promise<ServerLaunchSpec>;
  /** Resolves a release into this machine's cache and copies it to a host; returns it with the host's class path. */
  readonly provide: (host: SshHost, version: string) => Promise<ZooKeeperInstall>;
  /** The release each server runs. */
  readonly byServer: Map<number, ZooKeeperInstall>;
  /** The servers started as the ensemble when membership changes at run time. */
  readonly members?: readonly number[];
  readonly peerPorts: { readonly quorum: number; readonly election: number };
}

/** A started ensemble on SSH hosts. */
export class SshEnsemble
  extends SrvrHeldEnsemble<SshServer>
  implements
    Ensemble,
    ServerLogSource,
    VersionChanging,
    DataDamaging,
    MembershipChanging,
    CpuStarving
{
  readonly provider = "ssh";
  readonly size: number;
  readonly dir: string;
  readonly observers: readonly number[];
  private disposed = false;

  constructor(
    readonly runId: string,
    readonly settings: ZooKeeperSettings,
    readonly servers: readonly SshServer[],
    readonly hosts: readonly SshHost[],
    /** The hosts' kernels as the fault network: partitions, loss and shaping there. */
    readonly network: HostFaultNetwork | undefined,
    readonly remoteDir: string,
    readonly zooKeeperVersion: string,
    observers: readonly number[],
    dir: string,
    private readonly releases: ReleaseStaging,
  ) {
    super();
    this.size = servers.length;
    this.observers = observers;
    this.dir = dir;
    this.membership = releases.members === undefined ? undefined : [...releases.members];
  }

  private membership: number[] | undefined;

  /** The servers in the current configuration, when membership changes at run time (else undefined: all). */
  get members(): readonly number[] | undefined {
    return this.membership;
  }

  /** Starts server `id` to join the members: its config lists them and itself; a reconfig makes it one. */
  async startJoiner(id: number): Promise<void> {
    const members = this.membership;
    if (members === undefined)
      throw new ZkChaosError(
        "SERVER_STATE",
        `server ${id} cannot join: the ensemble was not started for membership changes (members)`,
      );
    if (members.includes(id))
      throw new ZkChaosError("SERVER_STATE", `server ${id} is already a member`);
    const server = this.serverById(id);
    server.launch = await this.releases.stage(id, this.releaseOf(id), members);
    await server.start();
  }

  /** Records the membership a reconfig committed. */
  setMembers(ids: readonly number[]): void {
    this.membership = [...ids].sort((a, b) => a - b);
  }

  /** Server `id` as a reconfig names a joining participant. */
  memberLine(id: number): string {
    const { host, port } = this.serverById(id).clientAddress;
    const { quorum, election } = this.releases.peerPorts;
    return `server.${id}=${host}:${quorum}:${election}:participant;${host}:${port}`;
  }

  private releaseOf(id: number): ZooKeeperInstall {
    return this.releases.byServer.get(id) as ZooKeeperInstall;
  }

  waitForQuorum(options: WaitForQuorumOptions = {}): Promise<QuorumState> {
    const running = this.servers.filter((server) => server.processState === "running");
    return waitForServing(
      this.servers,
      { ...options, servers: options.servers ?? running.map((server) => server.id) },
      `the ensemble on ${this.hosts.length} SSH host(s)`,
      () => this.disposed,
    );
  }

  /** Damages server `id`'s data on its host (it must be stopped); the same bytes as locally for the same seed. */
  async damageData(id: number, damage: DataDamage, draw: () => number): Promise<DamageReport> {
    const server = this.serverById(id);
    if (server.processState !== "stopped")
      throw new ZkChaosError(
        "SERVER_STATE",
        `cannot damage server ${id}'s data while it runs: stop it first`,
      );
    return damageRemoteData(server.host, join(server.launch.serverDir, "data"), damage, draw);
  }

  private readonly cpuCaps = new Map<number, RemoteCpuCap>();

  /** Caps server `id`'s JVM at `cores` of one core in a cgroup of its own on its host. */
  async starveCpu(id: number, cores: number): Promise<string> {
    const server = this.serverById(id);
    const pid = server.remotePid;
    if (pid === undefined)
      throw new ZkChaosError("SERVER_STATE", `cannot starve server ${id}: it is not running`);
    await this.cpuCaps.get(id)?.release();
    const cap = await capRemoteCpu(server.host, pid, cpuGroupName(this.runId, id), cores);
    this.cpuCaps.set(id, cap);
    return cap.description;
  }

  /** Lifts server `id`'s CPU cap; resolves to what it got meanwhile. */
  async feedCpu(id: number): Promise<CpuShare | undefined> {
    const cap = this.cpuCaps.get(id);
    this.cpuCaps.delete(id);
    return cap?.release();
  }

  /** Data folders under a read-only bind on their hosts, by server. */
  private readonly readOnly = new Set<number>();

  /**
   * Makes server `id`'s data folder read-only with a read-only bind mount of
   * it onto itself on its host (root there), or removes that mount.
   */
  async setDataReadOnly(id: number, readOnly: boolean): Promise<string[]> {
    const server = this.serverById(id);
    const dir = shellQuote(join(server.launch.serverDir, "data"));
    if (readOnly && !this.readOnly.has(id)) {
      await server.host.run(
        `mount --bind ${dir} ${dir} && mount -o remount,ro,bind ${dir} || { umount ${dir} 2>/dev/null; exit 1; }`,
        `making server ${id}'s data read-only (a read-only bind mount: root on the host)`,
      );
      this.readOnly.add(id);
    } else if (!readOnly && this.readOnly.delete(id)) {
      await server.host.run(`umount ${dir}`, `making server ${id}'s data writable again`);
    }
    return [join(server.launch.serverDir, "data")];
  }

  private serverById(id: number): SshServer {
    const server = this.servers.find((candidate) => candidate.id === id);
    if (server === undefined)
      throw new BadInputError(`no server ${id} in this ensemble: ids go from 1 to ${this.size}`);
    return server;
  }

  /** The version server `id` is configured to run. */
  serverVersion(id: number): string {
    this.serverById(id);
    return normalizeVersion(this.releaseOf(id).version);
  }

  /** Stops server `id`, gives it `version` (copied to its host; same data, that release's config) and starts it. */
  async changeVersion(id: number, version: string): Promise<void> {
    const server = this.serverById(id);
    const release = await this.releases.provide(server.host, version);
    const launch = await this.releases.stage(id, release, this.membership);
    await server.stop();
    server.launch = launch;
    this.releases.byServer.set(id, release);
    await server.start();
  }

  private readonly logListeners = new Set<(line: ServerLogLine) => void>();
  private logStreams: Promise<RemoteStream>[] | undefined;

  /** Streams every server's log lines (`tail -F` on its host) to the listener until it unsubscribes. */
  onServerLog(listener: (line: ServerLogLine) => void): () => void {
    this.logListeners.add(listener);
    this.logStreams ??= this.servers.map((server) => this.followLog(server));
    return () => {
      this.logListeners.delete(listener);
    };
  }

  private followLog(server: SshServer): Promise<RemoteStream> {
    let partial = "";
    return server.host
      .stream(
        // -F: the file may not exist yet, or be replaced; stderr stays off the terminal.
        `exec tail -n 0 -F ${shellQuote(server.launch.logFile)} 2>/dev/null`,
        (chunk) => {
          const receivedMs = performance.now();
          const lines = (partial + chunk).split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) {
            for (const each of this.logListeners)
              each({ server: server.id, line: line.replace(/\r$/, ""), receivedMs });
          }
        },
      )
      .catch(() => ({ stop: async () => {}, closed: Promise.resolve() }));
  }

  /** Fetches each server's log from its host into `into` as server-<id>.log. */
  async collectLogs(into: string): Promise<void> {
    mkdirSync(into, { recursive: true });
    for (const server of this.servers) {
      const result = await server.host.exec(`cat ${shellQuote(server.launch.logFile)}`);
      if (result.code === 0 && result.stdout !== "")
        writeFileSync(join(into, `server-${server.id}.log`), result.stdout);
    }
  }

  /** Called once disposed: unregisters the shutdown hook. */
  releaseShutdown: () => void = () => {};

  private disposing: Promise<void> | undefined;

  /** Stops every server, removes the run's folders and the fault rules; a second call waits for the first. */
  dispose(): Promise<void> {
    this.disposing ??= this.teardown();
    return this.disposing;
  }

  private async teardown(): Promise<void> {
    this.disposed = true;
    this.releaseShutdown();
    await Promise.all((await Promise.all(this.logStreams ?? [])).map((stream) => stream.stop()));
    await this.network?.dispose();
    await Promise.allSettled(this.servers.map((server) => server.retire()));
    // The JVMs are gone: their CPU groups are empty and go too.
    await Promise.allSettled([...this.cpuCaps.values()].map((cap) => cap.release()));
    this.cpuCaps.clear();
    await Promise.allSettled(
      this.hosts.map((host) =>
        host.exec(`${unmountUnder(this.remoteDir)}; rm -rf ${shellQuote(this.remoteDir)}`),
      ),
    );
    for (const host of this.hosts) host.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}

/** Connects to the first `count` hosts, closing what connected if one cannot. */
export async function connectHosts(inventory: Inventory, count: number): Promise<SshHost[]> {
  const attempts = await Promise.allSettled(
    inventory.hosts.slice(0, count).map((host) => SshHost.connect(host)),
  );
  const hosts = attempts.flatMap((attempt) =>
    attempt.status === "fulfilled" ? [attempt.value] : [],
  );
  const failed = attempts.find((attempt) => attempt.status === "rejected");
  if (failed !== undefined) {
    for (const host of hosts) host.close();
    throw (failed as PromiseRejectedResult).reason;
  }
  return hosts;
}

/**
 * Starts `nodes` servers, one on each of the inventory's first hosts, and
 * waits until they serve with one leader. On any failure what started is
 * stopped and removed, and the error names the host.
 */
export async function startSshEnsemble(options: SshEnsembleOptions): Promise<SshEnsemble> {
  const nodes = validateNodeCount(options.nodes);
  const { inventory } = options;
  for (const key of Object.keys(options.versions ?? {})) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 1 || id > nodes)
      throw new BadInputError(
        `a version is given for server ${key}, but the ensemble has servers 1 to ${nodes}`,
      );
    if (inventory.zookeeper.classPath !== undefined)
      throw new BadInputError(
        `server ${key}'s release is to be copied to its host, but the inventory names the hosts' own ZooKeeper (zookeeper.classPath): drop one of them`,
      );
  }
  if (nodes > inventory.hosts.length)
    throw new BadInputError(
      `${nodes} servers need ${nodes} hosts, but the inventory lists ${inventory.hosts.length}: add hosts or run fewer servers`,
    );
  const version = options.install?.version;
  if (version !== undefined && inventory.zookeeper.classPath !== undefined)
    throw new BadInputError(
      `ZooKeeper ${version} is to be copied to the hosts, but the inventory names the hosts' own (zookeeper.classPath): drop one of them`,
    );
  const install = await resolveZooKeeperInstall(options.install ?? {});
  const members = initialMembers(nodes, options.members);
  refuseMembershipBefore35(members, install.version);
  const java = inventory.zookeeper.java ?? install.java;
  const settings = resolveSettings(options.settings ?? {}, options.profile ?? "fast");
  const observers = observerIds(nodes, options.observers);
  const runId = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(4).toString("hex")}`;
  const remoteDir = join(inventory.workDir, runId);
  const hosts = await connectHosts(inventory, nodes);
  const { client, quorum, election } = inventory.ports;
  const ports = hosts.map((_, index) => ({ id: index + 1, client, quorum, election }));
  /** A release copied to a host, with the host's class path (the same release's jars stay there). */
  const copyTo = async (host: SshHost, release: ZooKeeperInstall): Promise<ZooKeeperInstall> => {
    const copy = await copyRelease(host, release, inventory.workDir);
    options.log?.(
      `${host.name}: ZooKeeper ${release.version} in ${remoteReleaseDir(inventory.workDir, release.version)} (${copy.copiedBytes > 0 ? `copied ${(copy.copiedBytes / 1e6).toFixed(1)} MB` : "already there"})`,
    );
    return { ...release, java, classPath: copy.classPath };
  };
  const provide = async (host: SshHost, wanted: string): Promise<ZooKeeperInstall> => {
    const release = await resolveZooKeeperInstall({
      ...options.install,
      zkHome: undefined,
      version: wanted,
    });
    checkSettingsFor(release, settings);
    return copyTo(host, release);
  };
  const stage = async (
    id: number,
    release: ZooKeeperInstall,
    members?: readonly number[],
  ): Promise<ServerLaunchSpec> => {
    const host = hosts[id - 1] as SshHost;
    // Written here under the same path as on the host, copied there, and removed at once:
    // nothing stays on this machine, even if the harness is killed later.
    const local = mkdtempSync(join(tmpdir(), "zk-chaos-ssh-"));
    const staging = join(local, relative("/", remoteDir));
    const setup: EnsembleSetup = {
      dir: staging,
      host: host.host.address,
      settings,
      runId,
      owner: selfToken(),
      ports,
      peer: (_self, peer) => ({
        host: (hosts[peer - 1] as SshHost).host.address,
        quorumPort: quorum,
        electionPort: election,
      }),
      ...(observers.length > 0 ? { observers } : {}),
      ...(members !== undefined ? { members, reconfig: true } : {}),
    };
    try {
      const launch = remapLaunch(prepareServer(setup, id, release, []), staging, remoteDir);
      await uploadServerFolder(host, join(staging, `server-${id}`), launch.serverDir);
      return launch;
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  };
  const servers: SshServer[] = [];
  const byServer = new Map<number, ZooKeeperInstall>();
  let network: HostFaultNetwork | undefined;
  let started: SshEnsemble | undefined;
  const ensemble = () =>
    new SshEnsemble(
      runId,
      settings,
      servers,
      hosts,
      network,
      remoteDir,
      install.version,
      observers,
      // The servers' folders are on their hosts; nothing of theirs is kept here.
      `${remoteDir} on the hosts`,
      {
        stage,
        provide,
        byServer,
        ...(members !== undefined ? { members } : {}),
        peerPorts: { quorum, election },
      },
    );
  try {
    // Rules a crashed run left are gone before anything starts.
    network = await options.hostNetwork?.(
      hosts.map((host, index) => ({
        id: index + 1,
        shell: host,
        address: host.host.address,
        clientPort: client,
      })),
    );
    for (const [index, host] of hosts.entries()) {
      const id = index + 1;
      // A release asked for by version runs from a copy on each host; else from the inventory's or this machine's paths.
      const own = options.versions?.[id];
      const release =
        own !== undefined
          ? await provide(host, own)
          : version === undefined
            ? { ...install, java, classPath: inventory.zookeeper.classPath ?? install.classPath }
            : await copyTo(host, install);
      byServer.set(id, release);
      const launch = await stage(id, release, members);
      servers.push(new SshServer(id, host, launch, { host: host.host.address, port: client }));
    }
    started = ensemble();
    // Ctrl-C or SIGTERM to a command that does not wind down by itself: the hosts' JVMs go too.
    const stopping = started;
    stopping.releaseShutdown = onShutdown(
      () => stopping.dispose(),
      () => {},
    );
    // Servers waiting to join start when they join.
    const first = servers.filter((server) => members === undefined || members.includes(server.id));
    await Promise.all(first.map((server) => server.start()));
    options.log?.(
      `started ${first.length} ZooKeeper server(s) on ${first.map((server) => server.host.name).join(", ")} (run ${runId})`,
    );
    await started.waitForQuorum({
      timeoutMs: Math.max(30_000, settings.tickTime * settings.initLimit * 3),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return started;
  } catch (error) {
    await (started ?? ensemble()).dispose();
    throw error;
  }
}

/** A launch whose paths name the host's folder instead of the staging one here. */
function remapLaunch(launch: ServerLaunchSpec, staged: string, remote: string): ServerLaunchSpec {
  const swap = (text: string) => text.split(staged).join(remote);
  return {
    ...launch,
    args: launch.args.map(swap),
    jvmOptions: launch.jvmOptions.map(swap),
    outFile: swap(launch.outFile),
    logFile: swap(launch.logFile),
    serverDir: swap(launch.serverDir),
    confFile: swap(launch.confFile),
  };
}

/** Copies a staged server folder (myid, zoo.cfg, log configs) to its host, paths rewritten. */
async function uploadServerFolder(host: SshHost, staged: string, remote: string): Promise<void> {
  const stagedRoot = staged.slice(0, staged.length - remote.length);
  const files = ["data/myid", "conf/zoo.cfg", "conf/log4j.properties", "conf/logback.xml"];
  await host.run(
    `mkdir -p ${shellQuote(join(remote, "data"))} ${shellQuote(join(remote, "conf"))}`,
    "making the server's folder",
  );
  for (const file of files) {
    const text = readFileSync(join(staged, file), "utf8").split(stagedRoot).join("");
    await host.run(`cat > ${shellQuote(join(remote, file))}`, `writing ${file}`, text);
  }
}

/** A command that unmounts every mount at or under `dir` on a host, deepest first (read-only binds left by a fault). */
export function unmountUnder(dir: string): string {
  return `awk -v p=${shellQuote(dir)} '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount "$m" && echo "unmounted $m"; done`;
}

/** What the inventory's hosts' kernels can do (netem, htb), asked over SSH. */
export async function probeInventoryKernels(inventory: Inventory): Promise<KernelCapabilities> {
  const hosts = await connectHosts(inventory, inventory.hosts.length);
  try {
    return await probeKernels(hosts);
  } finally {
    for (const host of hosts) host.close();
  }
}

/**
 * After a crash: on every host of the inventory, kills the JVMs whose pid
 * files zk-chaos left under its work folder (only those whose command line
 * carries zk-chaos's run marker), and removes those folders. Returns what it did.
 */
export async function reapSshHosts(inventory: Inventory): Promise<string[]> {
  const done: string[] = [];
  const hosts = await connectHosts(inventory, inventory.hosts.length);
  try {
    for (const host of hosts) {
      const work = shellQuote(inventory.workDir);
      const marker = shellQuote(RUN_MARKER);
      const output = await host.run(
        `${unmountUnder(inventory.workDir)}; ${removeCpuGroupsCommand()}; for f in ${work}/*/server-*/pid; do [ -f "$f" ] || continue; p=$(cat "$f"); if tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -qF -- ${marker}; then kill -9 "$p" && echo "killed $p"; fi; done; for d in ${work}/*/; do [ -d "$d" ] && rm -rf "$d" && echo "removed $d"; done; true`,
        "reaping",
      );
      for (const line of output.split("\n").filter(Boolean)) done.push(`${host.name}: ${line}`);
      const device = /\bdev (\S+)/.exec((await host.exec("ip route show")).stdout)?.[1];
      await host.exec(kernelCleanupCommand(device));
      done.push(`${host.name}: kernel fault rules removed`);
    }
  } finally {
    for (const host of hosts) host.close();
  }
  return done;
}
