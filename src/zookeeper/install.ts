import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, delimiter, dirname, join } from "node:path";
import { BadInputError, ZkChaosError } from "../errors.js";
import { isExecutableFile } from "../util/executable.js";
import {
  type CacheOptions,
  cachedReleases,
  cacheRoot,
  fetchZooKeeper,
  findMaven,
} from "./release-cache.js";
import { checkJavaFor, javaMajor } from "./release-lines.js";

/** Where Debian's `zookeeper` package puts its jars. */
export const DEBIAN_JAVA_DIR = "/usr/share/java";

/** What is needed to launch a ZooKeeper server JVM. */
export interface ZooKeeperInstall {
  /** Absolute path of the `java` executable. */
  readonly java: string;
  /** Class path entries (jars); the log config folder is added per server. */
  readonly classPath: readonly string[];
  /** ZooKeeper version read from the jar name, or "unknown". */
  readonly version: string;
  /** Where it was found, for messages and reports. */
  readonly source: string;
}

/** How to look for Java and ZooKeeper; every field is optional. */
export interface FindInstallOptions {
  /** Path to a `java` executable; wins over JAVA_HOME and PATH. */
  readonly java?: string;
  /** A ZooKeeper home (release tarball layout or a folder of jars); wins over ZK_HOME. */
  readonly zkHome?: string;
  /** Environment to read JAVA_HOME, ZK_HOME and PATH from (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder with Debian's jars (default /usr/share/java); tests point it elsewhere. */
  readonly debianJavaDir?: string;
  /** A release to resolve into the cache (with Maven) and run; excludes zkHome. */
  readonly version?: string;
  /** Where the cache is and how to reach Maven (default: see cacheRoot, mvn on PATH). */
  readonly cache?: CacheOptions;
}

/** The release run when nothing is installed: resolved from Maven Central into the cache on first use. */
export const DEFAULT_RELEASE = "3.9.5";

const INSTALL_HINT = `install Maven (zk-chaos then resolves ZooKeeper ${DEFAULT_RELEASE} from Maven Central by itself), or Debian's package with \`apt-get install -y zookeeper\` (as root), or set ZK_HOME to an unpacked ZooKeeper release`;

/** Finds `java`: an explicit path, then $JAVA_HOME/bin/java, then PATH. */
export function findJava(options: FindInstallOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.java !== undefined) {
    if (isExecutableFile(options.java)) return options.java;
    throw new ZkChaosError(
      "JAVA_NOT_FOUND",
      `Java not found at '${options.java}' (given with --java): point it at an executable java binary`,
    );
  }
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(join(env.JAVA_HOME, "bin", "java"));
  for (const dir of (env.PATH ?? "").split(delimiter)) if (dir) candidates.push(join(dir, "java"));
  const found = candidates.find(isExecutableFile);
  if (found !== undefined) return found;
  throw new ZkChaosError(
    "JAVA_NOT_FOUND",
    `Java not found (looked in ${env.JAVA_HOME ? "$JAVA_HOME/bin and " : ""}$PATH): ` +
      "install it with `apt-get install -y default-jre-headless` (as root) or set JAVA_HOME",
  );
}

const VERSIONED_JAR = /^zookeeper-(\d+\.\d+\.\d+[\w.-]*)\.jar$/;

/** Reads the version from the jar's name, its link target, or a versioned sibling linking to it. */
function versionFromJar(jarPath: string): string {
  const real = existsSync(jarPath) ? realpathSync(jarPath) : jarPath;
  const own = VERSIONED_JAR.exec(basename(real)) ?? VERSIONED_JAR.exec(basename(jarPath));
  if (own?.[1] !== undefined) return own[1];
  const dir = dirname(jarPath);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const match = VERSIONED_JAR.exec(name);
    if (match?.[1] !== undefined && realpathSync(join(dir, name)) === real) return match[1];
  }
  return "unknown";
}

function jarsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".jar"))
    .sort()
    .map((name) => join(dir, name));
}

function fromZkHome(home: string, origin: string): Omit<ZooKeeperInstall, "java"> {
  if (!existsSync(home) || !statSync(home).isDirectory()) {
    throw new ZkChaosError(
      "ZOOKEEPER_NOT_FOUND",
      `ZooKeeper not found: ${origin} '${home}' is not a folder; ${INSTALL_HINT}`,
    );
  }
  const libDir = join(home, "lib");
  const dirs = [home, libDir].filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
  const jars = dirs.flatMap(jarsIn);
  const server = jars.find((jar) => /[/\\]zookeeper(-\d[\w.-]*)?\.jar$/.test(jar));
  if (server === undefined) {
    throw new ZkChaosError(
      "ZOOKEEPER_NOT_FOUND",
      `ZooKeeper not found in ${origin} '${home}': no zookeeper-<version>.jar there or in its lib/; ${INSTALL_HINT}`,
    );
  }
  return { classPath: jars, version: versionFromJar(server), source: `${origin} ${home}` };
}

function fromDebian(dir: string): Omit<ZooKeeperInstall, "java"> | undefined {
  const server = join(dir, "zookeeper.jar");
  if (!existsSync(server)) return undefined;
  // zookeeper.jar's manifest names its dependencies but no logging binding;
  // without one the server logs nothing, so add slf4j's log4j 1.2 binding.
  const logging = ["slf4j-log4j12.jar", "log4j-1.2.jar"].map((jar) => join(dir, jar));
  return {
    classPath: [server, ...logging.filter((jar) => existsSync(jar))],
    version: versionFromJar(server),
    source: `Debian package (${dir})`,
  };
}

/** The newest release in the cache, for a machine without Debian's package. */
function fromCache(options: FindInstallOptions): Omit<ZooKeeperInstall, "java"> | undefined {
  const newest = cachedReleases({
    root: options.cache?.root ?? cacheRoot(options.env ?? process.env),
  }).at(-1);
  if (newest === undefined) return undefined;
  return fromZkHome(newest.dir, `cache entry of ZooKeeper ${newest.version} (no Debian package)`);
}

/**
 * Finds ZooKeeper's jars (not Java): explicit options, then ZK_HOME, then
 * Debian's install, then the newest release in the cache.
 */
export function findZooKeeperSource(
  options: FindInstallOptions = {},
): Omit<ZooKeeperInstall, "java"> {
  const env = options.env ?? process.env;
  let found: Omit<ZooKeeperInstall, "java"> | undefined;
  if (options.zkHome !== undefined) found = fromZkHome(options.zkHome, "--zk-home");
  else if (env.ZK_HOME) found = fromZkHome(env.ZK_HOME, "ZK_HOME");
  else found = fromDebian(options.debianJavaDir ?? DEBIAN_JAVA_DIR) ?? fromCache(options);
  if (found === undefined) {
    throw new ZkChaosError(
      "ZOOKEEPER_NOT_FOUND",
      `ZooKeeper not found (ZK_HOME is not set, ${join(options.debianJavaDir ?? DEBIAN_JAVA_DIR, "zookeeper.jar")} does not exist and the cache holds no release): ${INSTALL_HINT}`,
    );
  }
  return found;
}

/** Finds Java and ZooKeeper (see findJava and findZooKeeperSource). */
export function findZooKeeperInstall(options: FindInstallOptions = {}): ZooKeeperInstall {
  const found = findZooKeeperSource(options);
  return { java: findJava(options), ...found };
}

/** Whether nothing chooses a ZooKeeper and none is installed: then the default release is resolved. */
function nothingInstalled(options: FindInstallOptions): boolean {
  const env = options.env ?? process.env;
  return (
    options.zkHome === undefined &&
    !env.ZK_HOME &&
    fromDebian(options.debianJavaDir ?? DEBIAN_JAVA_DIR) === undefined &&
    fromCache(options) === undefined
  );
}

const javaMajors = new Map<string, number | undefined>();

/** The major version of a java executable (asked once per path). */
export function javaMajorOf(java: string): number | undefined {
  if (!javaMajors.has(java)) {
    // java -version writes to stderr: read both streams.
    const answer = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 20_000 });
    javaMajors.set(java, javaMajor(`${answer.stderr ?? ""}${answer.stdout ?? ""}`));
  }
  return javaMajors.get(java);
}

/**
 * Finds or resolves what runs a server: a release from the cache (fetched
 * with Maven on first use) when a version is asked for, else as
 * findZooKeeperInstall does. Checks that the Java can run that version.
 */
export async function resolveZooKeeperInstall(
  options: FindInstallOptions = {},
): Promise<ZooKeeperInstall> {
  let install: ZooKeeperInstall;
  // No package, no ZK_HOME, an empty cache: the default release from Maven Central, when Maven is there.
  if (options.version === undefined && nothingInstalled(options) && mavenPresent(options)) {
    options.cache?.log?.(
      `no ZooKeeper installed (no Debian package, ZK_HOME or cached release): resolving ZooKeeper ${DEFAULT_RELEASE} from Maven Central into the cache`,
    );
    return resolveZooKeeperInstall({ ...options, version: DEFAULT_RELEASE });
  }
  if (options.version !== undefined) {
    if (options.zkHome !== undefined) {
      throw new BadInputError(
        `--zk-home and --zookeeper-version ${options.version} both choose the ZooKeeper to run: give one`,
      );
    }
    const release = await fetchZooKeeper(options.version, options.cache);
    install = {
      java: findJava(options),
      ...fromZkHome(release.dir, `cache entry of ZooKeeper ${options.version}`),
    };
  } else {
    install = findZooKeeperInstall(options);
  }
  checkJava(install, options.cache?.log);
  return install;
}

/** Whether Maven is there to resolve releases with. */
export function mavenPresent(options: FindInstallOptions = {}): boolean {
  try {
    findMaven(options.cache?.mvn, options.env ?? process.env);
    return true;
  } catch {
    return false;
  }
}

/** Rejects a Java the install's version cannot run on; warns about one newer than any seen. */
export function checkJava(install: ZooKeeperInstall, log?: (line: string) => void): void {
  if (install.version === "unknown") return;
  const major = javaMajorOf(install.java);
  if (major === undefined) return;
  const warning = checkJavaFor(install.version, major, install.java);
  if (warning) log?.(warning);
}

/** Whether install options are an install already found (not where to look for one). */
export function isResolvedInstall(
  value: ZooKeeperInstall | FindInstallOptions | undefined,
): value is ZooKeeperInstall {
  return (
    value !== undefined &&
    "classPath" in value &&
    "java" in value &&
    typeof value.java === "string" &&
    Array.isArray(value.classPath)
  );
}
