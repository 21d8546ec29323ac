/**
 * One server's folder and command line: its zoo.cfg, log configs and JVM
 * arguments for the release it runs. Called at start, and again when a
 * server changes version (same data, new jars and config).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ZooKeeperInstall } from "../zookeeper/install.js";
import { checkConfigKeys, releaseLine } from "../zookeeper/release-lines.js";
import type { ZooKeeperSettings } from "../zookeeper/settings.js";
import { renderLog4jProperties, renderLogbackXml, renderZooCfg } from "../zookeeper/zoo-cfg.js";
import type { PeerEndpoint, ServerPorts } from "./ensemble.js";
import type { ServerLaunchSpec } from "./local/local-server.js";
import { OWNER_MARKER, RUN_MARKER } from "./run-registry.js";

/** The system property that bounds election back-off (3.6+); older lines ignore it. */
export const ELECTION_BOUND_PROPERTY = "zookeeper.fastleader.maxNotificationInterval";

/** The ports of the seed guide's deployments, which servers with addresses of their own all use. */
export const STANDARD_PORTS = { client: 2181, quorum: 2888, election: 3888 } as const;

/** Servers with addresses of their own (containers on a run network), each on the standard ports. */
export interface ServerAddressing {
  /** Where the harness reaches server `id`. */
  reach(id: number): string;
  /** How the other servers name server `id`. */
  name(id: number): string;
}

/** What every server of an ensemble shares. */
export interface EnsembleSetup {
  readonly dir: string;
  /** The loopback address every server binds to, unless each has an address of its own. */
  readonly host: string;
  readonly addressing?: ServerAddressing;
  readonly settings: ZooKeeperSettings;
  readonly runId: string;
  readonly owner: string;
  /** Every server's ports. */
  readonly ports: readonly ServerPorts[];
  /** How server `self` names server `peer`. */
  readonly peer: (self: number, peer: number) => PeerEndpoint;
  /** zoo.cfg keys and system properties for some servers only, by id. */
  readonly serverSettings?: Readonly<Record<number, ServerSettingsOverride>>;
  /** Each server's transaction log goes to its own folder `log` (where a log disk is mounted). */
  readonly separateLogDir?: boolean;
  /** Ids of the observers (non-voting servers). */
  readonly observers?: readonly number[];
  /** Dynamic reconfiguration on (membership runs; 3.5+). */
  readonly reconfig?: boolean;
  /** The initial members: the servers every zoo.cfg lists (default: all). */
  readonly members?: readonly number[];
}

/** The folder of server `id`'s transaction log when it has a disk of its own. */
export function logDirOf(dir: string, id: number): string {
  return join(dir, `server-${id}`, "log");
}

/** What one server gets beyond the ensemble's settings (e.g. a slow flush on one follower). */
export interface ServerSettingsOverride {
  readonly extraConfig?: Readonly<Record<string, string>>;
  readonly systemProperties?: Readonly<Record<string, string>>;
}

/** Server `id`'s settings: the ensemble's, with its own keys and properties over them. */
export function settingsFor(
  settings: ZooKeeperSettings,
  own: ServerSettingsOverride | undefined,
): ZooKeeperSettings {
  if (own === undefined) return settings;
  return {
    ...settings,
    extraConfig: { ...settings.extraConfig, ...own.extraConfig },
    systemProperties: { ...settings.systemProperties, ...own.systemProperties },
  };
}

/** Checks that the settings suit the release an install runs, before anything is written. */
export function checkSettingsFor(install: ZooKeeperInstall, settings: ZooKeeperSettings): void {
  checkConfigKeys(Object.keys(settings.extraConfig), install.version);
}

function jvmArgs(
  install: ZooKeeperInstall,
  setup: EnsembleSetup,
  id: number,
  cdsFlags: readonly string[],
  serverDir: string,
  confDir: string,
): string[] {
  const settings = settingsFor(setup.settings, setup.serverSettings?.[id]);
  const release = releaseLine(install.version);
  const properties: Record<string, string> = {
    ...(release.adminServer ? { "zookeeper.admin.enableServer": "false" } : {}),
    "zookeeper.log.dir": serverDir,
    "log4j.configuration": `file:${join(confDir, "log4j.properties")}`,
    "logback.configurationFile": join(confDir, "logback.xml"),
    ...settings.systemProperties,
  };
  // A property nobody reads only misleads whoever reads the command line.
  if (!release.electionBoundProperty) delete properties[ELECTION_BOUND_PROPERTY];
  return [
    `${RUN_MARKER}${setup.runId}`,
    `${OWNER_MARKER}${setup.owner}`,
    `-Dzkchaos.server=${id}`,
    `-Xmx${settings.heapMb}m`,
    ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
    ...cdsFlags,
    ...settings.jvmFlags,
    "-cp",
    install.classPath.join(":"),
    "org.apache.zookeeper.server.quorum.QuorumPeerMain",
    join(confDir, "zoo.cfg"),
  ];
}

/** Writes server `id`'s folder (data kept if present) and returns how to launch it on `install`. */
export function prepareServer(
  setup: EnsembleSetup,
  id: number,
  install: ZooKeeperInstall,
  cdsFlags: readonly string[],
): ServerLaunchSpec {
  const serverPorts = setup.ports.find((ports) => ports.id === id) as ServerPorts;
  const serverDir = join(setup.dir, `server-${id}`);
  const dataDir = join(serverDir, "data");
  const confDir = join(serverDir, "conf");
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(confDir, { recursive: true });
  writeFileSync(join(dataDir, "myid"), `${id}\n`);
  const peers = new Map(setup.ports.map((peer) => [peer.id, setup.peer(id, peer.id)]));
  writeFileSync(
    join(confDir, "zoo.cfg"),
    renderZooCfg({
      settings: settingsFor(setup.settings, setup.serverSettings?.[id]),
      serverId: id,
      dataDir,
      ...(setup.separateLogDir ? { dataLogDir: logDirOf(setup.dir, id) } : {}),
      // A server with an address of its own binds everywhere in its own namespace.
      clientHost: setup.addressing ? "0.0.0.0" : setup.host,
      clientPort: serverPorts.client,
      peers,
      release: releaseLine(install.version),
      ...(setup.observers ? { observers: setup.observers } : {}),
      ...(setup.reconfig ? { reconfig: true } : {}),
      // A server outside the members lists them and itself: it comes to join them.
      ...(setup.members
        ? { members: setup.members.includes(id) ? setup.members : [...setup.members, id] }
        : {}),
    }),
  );
  const logFile = join(serverDir, "zookeeper.log");
  writeFileSync(join(confDir, "log4j.properties"), renderLog4jProperties(logFile));
  writeFileSync(join(confDir, "logback.xml"), renderLogbackXml(logFile));
  const args = jvmArgs(install, setup, id, cdsFlags, serverDir, confDir);
  return {
    id,
    java: install.java,
    args,
    jvmOptions: args.slice(0, args.indexOf("-cp")),
    clientAddress: { host: setup.addressing?.reach(id) ?? setup.host, port: serverPorts.client },
    outFile: join(serverDir, "jvm.out"),
    logFile,
    stopTimeoutMs: Math.max(5000, 5 * setup.settings.tickTime),
    serverDir,
    confFile: join(confDir, "zoo.cfg"),
    runId: setup.runId,
    owner: setup.owner,
  };
}
