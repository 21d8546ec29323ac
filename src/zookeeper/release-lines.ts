/**
 * What each ZooKeeper release line supports: the one table that config
 * rendering, JVM flags, readiness and the checkers read. Versions are data:
 * no `if (version < ...)` elsewhere.
 */
import { BadInputError } from "../errors.js";
import { parseVersion } from "./version-range.js";

/** A release line, e.g. "3.4". */
export type ReleaseLineName = "3.4" | "3.5" | "3.6" | "3.7" | "3.8" | "3.9";

/** The abilities and keys of one release line. */
export interface ReleaseLine {
  readonly line: ReleaseLineName;
  /** zoo.cfg keys this line reads (beyond those every line reads). */
  readonly addedKeys: readonly string[];
  /** Four-letter words answer only when listed in `4lw.commands.whitelist`. */
  readonly fourLetterWhitelist: boolean;
  /** The AdminServer (Jetty, port 8080 by default) exists and must be turned off. */
  readonly adminServer: boolean;
  /** Dynamic reconfiguration exists (`reconfigEnabled`, 3.5.3+ defaults it off). */
  readonly reconfig: boolean;
  /**
   * How one server with a single `server.1` line runs: "standalone" (3.4: the
   * line is ignored, `Mode: standalone`) or "quorum-of-one" (with
   * `standaloneEnabled=false`, `Mode: leader`).
   */
  readonly singleServer: "standalone" | "quorum-of-one";
  /** `zookeeper.fastleader.maxNotificationInterval` bounds election back-off (3.6+); before, it grows to 60 s. */
  readonly electionBoundProperty: boolean;
  /** Persistent (recursive) watches, `addWatch` (3.6+). */
  readonly persistentWatches: boolean;
  /** Atomic multi-key reads, `multiRead` (3.6+). */
  readonly multiRead: boolean;
  /** The election handshake: the bare server id (3.4) or a versioned one with the advertised address. */
  readonly electionHandshake: "sid-only" | "versioned";
  /** How the server logs: slf4j over log4j 1.2, or logback (3.8+). */
  readonly logging: "log4j" | "logback";
  /**
   * Jars the release tarball ships but the server's POM leaves out (provided
   * or optional): group:artifact, with a version, or without one to take the
   * release's own (its parent POM's dependencyManagement).
   */
  readonly runtimeExtras: readonly string[];
  /** Oldest Java the line runs on (documented). */
  readonly minJava: number;
  /** Newest Java the line was seen running on here; newer ones get a warning, not a refusal. */
  readonly maxJavaSeen: number;
}

/** zoo.cfg keys every line from 3.4 on reads. */
const COMMON_KEYS = [
  "tickTime",
  "initLimit",
  "syncLimit",
  "dataDir",
  "dataLogDir",
  "clientPort",
  "clientPortAddress",
  "maxClientCnxns",
  "minSessionTimeout",
  "maxSessionTimeout",
  "electionAlg",
  "quorumListenOnAllIPs",
  "peerType",
  "syncEnabled",
  "autopurge.snapRetainCount",
  "autopurge.purgeInterval",
  "globalOutstandingLimit",
  "preAllocSize",
  "snapCount",
  "traceFile",
  "leaderServes",
  "cnxTimeout",
  "forceSync",
  "skipACL",
  "jute.maxbuffer",
  "fsync.warningthresholdms",
  "quorum.auth.enableSasl",
  "quorum.auth.learnerRequireSasl",
  "quorum.auth.serverRequireSasl",
  "quorum.auth.learner.loginContext",
  "quorum.auth.server.loginContext",
  "quorum.auth.kerberos.servicePrincipal",
  "quorum.cnxn.threads.size",
];

const KEYS_3_5 = [
  "standaloneEnabled",
  "reconfigEnabled",
  "dynamicConfigFile",
  "4lw.commands.whitelist",
  "admin.enableServer",
  "admin.serverAddress",
  "admin.serverPort",
  "admin.idleTimeout",
  "admin.commandURL",
  "secureClientPort",
  "secureClientPortAddress",
  "localSessionsEnabled",
  "localSessionsUpgradingEnabled",
  "sslQuorum",
  "portUnification",
  "serverCnxnFactory",
  "znode.container.checkIntervalMs",
  "znode.container.maxPerMinute",
  "txnLogSizeLimitInKb",
  "ssl.keyStore.location",
  "ssl.keyStore.password",
  "ssl.trustStore.location",
  "ssl.trustStore.password",
  "ssl.quorum.keyStore.location",
  "ssl.quorum.keyStore.password",
  "ssl.quorum.trustStore.location",
  "ssl.quorum.trustStore.password",
];

const KEYS_3_6 = [
  "flushDelay",
  "maxWriteQueuePollTime",
  "maxBatchSize",
  "snapSizeLimitInKb",
  "metricsProvider.className",
  "metricsProvider.httpPort",
  "multiAddress.enabled",
  "multiAddress.reachabilityCheckEnabled",
  "multiAddress.reachabilityCheckTimeoutMs",
  "audit.enable",
  "electionPortBindRetry",
  "snapshot.trust.empty",
  "digest.enabled",
  "jvm.pause.monitor",
  "jvm.pause.info-threshold.ms",
  "jvm.pause.warn-threshold.ms",
  "jvm.pause.sleep.time.ms",
  "connectionMaxTokens",
  "connectionTokenFillTime",
  "connectionTokenFillCount",
  "connectionFreezeTime",
  "connectionDropIncrease",
  "connectionDropDecrease",
  "connectionDecreaseRatio",
  "learner.asyncSending",
  "largeRequestMaxBytes",
  "largeRequestThreshold",
  "enforceQuota",
];

const KEYS_3_7 = [
  "clientPortListenBacklog",
  "snapshot.compression.method",
  "serializeLastProcessedZxid.enabled",
  "learner.closeSocketAsync",
  "leader.closeSocketAsync",
  "enforce.auth.enabled",
  "enforce.auth.schemes",
];

const KEYS_3_8 = ["fips-mode", "metricsProvider.exportJvmInfo"];

const KEYS_3_9 = ["admin.forceHttps", "admin.needClientAuth", "serverCnxnFactory.maxCnxns"];

/** log4j 1.2's maintained fork behind slf4j 1.7, for the lines whose POM names no binding. */
const RELOAD4J = ["org.slf4j:slf4j-reload4j:1.7.36", "ch.qos.reload4j:reload4j:1.2.19"];
/** The metrics library 3.6+ servers load at start, and the snapshot compressor. */
const METRICS = ["io.dropwizard.metrics:metrics-core", "org.xerial.snappy:snappy-java"];

const LATER = {
  standalone: "quorum-of-one",
  fourLetterWhitelist: true,
  adminServer: true,
  reconfig: true,
  electionHandshake: "versioned",
  minJava: 8,
} as const;

/** The table: one row per release line, oldest first. */
export const RELEASE_LINES: readonly ReleaseLine[] = [
  {
    line: "3.4",
    addedKeys: COMMON_KEYS,
    fourLetterWhitelist: false,
    adminServer: false,
    reconfig: false,
    singleServer: "standalone",
    electionBoundProperty: false,
    persistentWatches: false,
    multiRead: false,
    electionHandshake: "sid-only",
    logging: "log4j",
    runtimeExtras: [],
    minJava: 6,
    maxJavaSeen: 25,
  },
  {
    line: "3.5",
    addedKeys: KEYS_3_5,
    fourLetterWhitelist: LATER.fourLetterWhitelist,
    adminServer: LATER.adminServer,
    reconfig: LATER.reconfig,
    singleServer: LATER.standalone,
    electionBoundProperty: false,
    persistentWatches: false,
    multiRead: false,
    electionHandshake: LATER.electionHandshake,
    logging: "log4j",
    runtimeExtras: RELOAD4J,
    minJava: LATER.minJava,
    maxJavaSeen: 25,
  },
  ...(
    [
      ["3.6", KEYS_3_6, "log4j", [...RELOAD4J, ...METRICS]],
      ["3.7", KEYS_3_7, "log4j", [...RELOAD4J, ...METRICS]],
      ["3.8", KEYS_3_8, "logback", [...METRICS, "ch.qos.logback:logback-classic"]],
      ["3.9", KEYS_3_9, "logback", [...METRICS, "ch.qos.logback:logback-classic"]],
    ] as const
  ).map(
    ([line, addedKeys, logging, runtimeExtras]): ReleaseLine => ({
      line,
      addedKeys,
      fourLetterWhitelist: LATER.fourLetterWhitelist,
      adminServer: LATER.adminServer,
      reconfig: LATER.reconfig,
      singleServer: LATER.standalone,
      electionBoundProperty: true,
      persistentWatches: true,
      multiRead: true,
      electionHandshake: LATER.electionHandshake,
      logging,
      runtimeExtras,
      minJava: LATER.minJava,
      maxJavaSeen: 25,
    }),
  ),
];

/**
 * The release line of a version. An unknown version ("unknown": a container
 * image not yet asked) gets the newest line's behaviour, the safe default for
 * every image zk-chaos ships; versions outside 3.4-3.9 are an input error.
 */
export function releaseLine(version: string): ReleaseLine {
  const parts = parseVersion(version);
  if (!parts) return RELEASE_LINES[RELEASE_LINES.length - 1] as ReleaseLine;
  const name = `${parts[0]}.${parts[1]}`;
  const found = RELEASE_LINES.find((row) => row.line === name);
  if (found === undefined) {
    throw new BadInputError(
      `ZooKeeper ${version} is outside the release lines zk-chaos knows (${RELEASE_LINES.map((row) => row.line).join(", ")}): choose a version from 3.4.0 to 3.9.x`,
    );
  }
  return found;
}

/** Every zoo.cfg key a version reads. */
export function knownKeys(version: string): ReadonlySet<string> {
  const line = releaseLine(version);
  const upTo = RELEASE_LINES.slice(0, RELEASE_LINES.indexOf(line) + 1);
  return new Set(upTo.flatMap((row) => row.addedKeys));
}

/** The first line that reads a key, if any does. */
function lineIntroducing(key: string): ReleaseLine | undefined {
  return RELEASE_LINES.find((row) => row.addedKeys.includes(key));
}

/**
 * Rejects zoo.cfg keys the version does not read (ZooKeeper would silently
 * turn them into `zookeeper.<key>` system properties), naming the key, the
 * version and the fix.
 */
export function checkConfigKeys(keys: Iterable<string>, version: string, where = "zoo.cfg"): void {
  if (parseVersion(version) === undefined) return;
  const known = knownKeys(version);
  for (const key of keys) {
    if (known.has(key) || /^(server|group|weight)\.\d+$/.test(key)) continue;
    const later = lineIntroducing(key);
    throw new BadInputError(
      later
        ? `${where} key '${key}' is not known to ZooKeeper ${version}: it first appears in ${later.line}; choose a version from ${later.line} on, or drop the key`
        : `${where} key '${key}' is not known to ZooKeeper ${version}: check its spelling; a system property your build reads can be passed with --jvm-flag -Dzookeeper.${key}=<value>`,
    );
  }
}

/** The major version of a `java -version` text ("1.8.0_392" -> 8, "17.0.15" -> 17). */
export function javaMajor(versionText: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** Rejects a Java the version cannot run on; returns a warning for one newer than any seen. */
export function checkJavaFor(version: string, java: number, javaPath: string): string | undefined {
  const line = releaseLine(version);
  if (java < line.minJava) {
    throw new BadInputError(
      `ZooKeeper ${version} needs Java ${line.minJava} or newer, but ${javaPath} is Java ${java}: point --java (or JAVA_HOME) at a newer Java`,
    );
  }
  return java > line.maxJavaSeen
    ? `Java ${java} is newer than any zk-chaos has seen ZooKeeper ${line.line} run on (up to ${line.maxJavaSeen}); if the servers fail to start, choose an older Java with --java`
    : undefined;
}
