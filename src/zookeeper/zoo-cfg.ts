import { RELEASE_LINES, type ReleaseLine } from "./release-lines.js";
import type { ZooKeeperSettings } from "./settings.js";

/** A host and the two peer ports, as one server's config names another. */
export interface PeerEndpoint {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** Everything that makes one server's zoo.cfg. */
export interface ZooCfgInput {
  readonly settings: ZooKeeperSettings;
  /** This server's id (myid), 1-based. */
  readonly serverId: number;
  readonly dataDir: string;
  /** Where the transaction log goes when not in dataDir (a log disk of its own). */
  readonly dataLogDir?: string;
  readonly clientHost: string;
  readonly clientPort: number;
  /** Every server of the ensemble (this one included) as this server must address it. */
  readonly peers: ReadonlyMap<number, PeerEndpoint>;
  /** The release line the server runs (default: the newest): only keys it reads are written. */
  readonly release?: ReleaseLine;
  /** Ids of the observers (non-voting servers); this server is one when its id is listed. */
  readonly observers?: readonly number[];
  /**
   * Dynamic reconfiguration on (3.5+): membership changes at run time through
   * the reconfig request, which needs no ACL here (skipACL). Its servers must
   * address each other directly: the leader hands every server one view.
   */
  readonly reconfig?: boolean;
  /** The servers this one's config lists (default: every peer): the members it joins. */
  readonly members?: readonly number[];
}

/**
 * Renders zoo.cfg for one server. Pure: the same input gives the same text.
 * Our defaults come first so that the user's extra keys override them.
 */
export function renderZooCfg(input: ZooCfgInput): string {
  const { settings } = input;
  const release = input.release ?? (RELEASE_LINES[RELEASE_LINES.length - 1] as ReleaseLine);
  // Keys a line does not read would become stray zookeeper.* system properties: write only its own.
  const entries = new Map<string, string>([
    ["tickTime", String(settings.tickTime)],
    ["initLimit", String(settings.initLimit)],
    ["syncLimit", String(settings.syncLimit)],
    // The AdminServer's fixed port 8080 would collide between servers.
    ...(release.adminServer ? [["admin.enableServer", "false"] as const] : []),
    // srvr is how readiness and roles are observed; ruok lies about serving.
    ...(release.fourLetterWhitelist ? [["4lw.commands.whitelist", "*"] as const] : []),
    // A 1-server ensemble runs as a quorum of one (Mode: leader) like the others.
    ...(release.singleServer === "quorum-of-one" ? [["standaloneEnabled", "false"] as const] : []),
    // reconfig lets the leader push its own view of peer addresses, which defeats per-link proxies:
    // on only for membership runs, whose servers address each other directly.
    ...(release.reconfig
      ? [["reconfigEnabled", input.reconfig === true ? "true" : "false"] as const]
      : []),
    ...(release.reconfig && input.reconfig === true ? [["skipACL", "yes"] as const] : []),
    // Hundreds of agent sessions come from one loopback address.
    ["maxClientCnxns", "0"],
    // Transaction logs are preallocated at 64 MiB by default; 4 MiB is plenty for a run.
    ["preAllocSize", "4096"],
  ]);
  if (settings.minSessionTimeout !== undefined)
    entries.set("minSessionTimeout", String(settings.minSessionTimeout));
  if (settings.maxSessionTimeout !== undefined)
    entries.set("maxSessionTimeout", String(settings.maxSessionTimeout));
  for (const [key, value] of Object.entries(settings.extraConfig)) entries.set(key, value);
  entries.set("dataDir", input.dataDir);
  if (input.dataLogDir !== undefined) entries.set("dataLogDir", input.dataLogDir);
  entries.set("clientPort", String(input.clientPort));
  entries.set("clientPortAddress", input.clientHost);
  const observers = input.observers ?? [];
  // Every server lists the observers as such; an observer also says so of itself.
  if (observers.includes(input.serverId)) entries.set("peerType", "observer");
  const ids = [...input.peers.keys()]
    .filter((id) => input.members === undefined || input.members.includes(id))
    .sort((a, b) => a - b);
  for (const id of ids) {
    const peer = input.peers.get(id) as PeerEndpoint;
    entries.set(
      `server.${id}`,
      `${peer.host}:${peer.quorumPort}:${peer.electionPort}${observers.includes(id) ? ":observer" : ""}`,
    );
  }
  return `${[...entries].map(([key, value]) => `${key}=${value}`).join("\n")}\n`;
}

/** log4j 1.2 config (Debian's binding): everything to the server's own log file. */
export function renderLog4jProperties(logFile: string): string {
  return [
    "log4j.rootLogger=INFO, FILE",
    "log4j.appender.FILE=org.apache.log4j.FileAppender",
    `log4j.appender.FILE.File=${logFile}`,
    "log4j.appender.FILE.layout=org.apache.log4j.PatternLayout",
    "log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} [myid:%X{myid}] %-5p [%t:%C{1}@%L] - %m%n",
    "",
  ].join("\n");
}

/** logback config (the binding of Apache's 3.8+ release tarballs): same as above. */
export function renderLogbackXml(logFile: string): string {
  const escaped = logFile.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  return `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${escaped}</file>
    <encoder><pattern>%d{ISO8601} [myid:%X{myid}] %-5level [%thread:%logger{0}] - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;
}
