import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { BadInputError } from "../../errors.js";
import {
  joinReservations,
  PortReservation,
  portLockDir,
  reserveExactPorts,
  reservePorts,
} from "../../util/port-reservation.js";
import { selfToken } from "../../util/process-identity.js";
import { runtimeRoot, runtimeSubdir } from "../../util/runtime-root.js";
import {
  type FindInstallOptions,
  isResolvedInstall,
  resolveZooKeeperInstall,
  type ZooKeeperInstall,
} from "../../zookeeper/install.js";
import { releaseLine } from "../../zookeeper/release-lines.js";
import { resolveSettings, type SettingsProfile } from "../../zookeeper/settings.js";
import {
  type EnsembleSpec,
  MAX_NODES,
  type PeerLayout,
  type PeerLayoutFactory,
  type ServerPorts,
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
import { planClassDataSharing } from "./class-data-sharing.js";
import { clockControlFile, fakeClockEnvironment } from "./fake-clock.js";
import { LocalServer, type ServerLauncher } from "./local-server.js";
import { mountLogDisk, unmountAllUnder } from "./log-disk.js";
import { defaultQuorumTimeout, LocalEnsemble } from "./running-local-ensemble.js";
import { mountSlowFsync, type SlowFsyncMount } from "./slow-fsync.js";

export { LocalEnsemble } from "./running-local-ensemble.js";

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
   * Preload libfaketime into each server's JVM so that clock faults can move
   * its wall clock (local JVMs only; needs Debian's libfaketime).
   */
  readonly fakeClock?: boolean;
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
    const clockFiles = new Map<number, string>();
    const servers = ports.servers.map(({ id }) => {
      const own = installs.get(id) as ZooKeeperInstall;
      const cdsFlags =
        own !== install ? [] : ((id === 1 ? cds?.archiverFlags : undefined) ?? cds?.flags ?? []);
      const spec = prepareServer(setup, id, own, cdsFlags);
      if (options.fakeClock) clockFiles.set(id, clockControlFile(spec.serverDir));
      const clocked = options.fakeClock
        ? { ...spec, env: fakeClockEnvironment(clockFiles.get(id) as string) }
        : spec;
      return (options.launcher ?? ((each) => new LocalServer(each)))(clocked);
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
      clockFiles,
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
      await Promise.all([...fsyncMounts.values()].map((mount) => mount.release()));
      unmountAllUnder(dir);
      if (removeDir) rmSync(dir, { recursive: true, force: true });
      unregister();
    }
    throw error;
  }
}
