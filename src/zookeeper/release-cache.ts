/**
 * ZooKeeper releases resolved on demand into a cache: the server jar and its
 * runtime dependencies, resolved by Maven itself from a generated minimal POM
 * (so the user's settings.xml mirrors and proxies apply). An entry is filled
 * aside and renamed into place when complete, so an interrupted download
 * never leaves half an entry, and concurrent runs share one entry safely. A
 * cached version needs no network.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { BadInputError, ZkChaosError } from "../errors.js";
import { isExecutableFile } from "../util/executable.js";
import { isTokenAlive, selfToken } from "../util/process-identity.js";
import { onShutdown } from "../util/shutdown.js";
import { releaseLine } from "./release-lines.js";
import { compareVersions, parseVersion } from "./version-range.js";

/** Where resolved releases live: $ZK_CHAOS_CACHE, else the user's cache folder. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ZK_CHAOS_CACHE) return env.ZK_CHAOS_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "zk-chaos");
}

/** One cached release. */
export interface CachedRelease {
  readonly version: string;
  /** The entry's folder: `lib/` holds every jar of the server's class path. */
  readonly dir: string;
  readonly jars: number;
  readonly bytes: number;
  /** When it was resolved (ISO time). */
  readonly resolvedAt: string;
}

/** Options of the cache operations. */
export interface CacheOptions {
  /** The cache folder (default: cacheRoot()). */
  readonly root?: string;
  /** The mvn executable (default: $ZK_CHAOS_MVN, then mvn on PATH). */
  readonly mvn?: string;
  /** Progress lines (resolving, done, reaped leftovers). */
  readonly log?: (line: string) => void;
  /** Give up on Maven after this long (default 10 minutes). */
  readonly timeoutMs?: number;
}

const MANIFEST = "release.json";
const releasesDir = (root: string) => join(root, "zookeeper");

/** Checks a version's text before it goes anywhere near Maven or a path. */
export function validateVersionText(version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new BadInputError(
      `'${version}' is not a ZooKeeper version: write it as x.y.z, e.g. 3.4.5 or 3.9.5`,
    );
  }
  releaseLine(version);
  return version;
}

function readManifest(dir: string): CachedRelease | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as CachedRelease;
    return { ...manifest, dir };
  } catch {
    return undefined;
  }
}

/** The cached releases, oldest version first (complete entries only). */
export function cachedReleases(options: CacheOptions = {}): CachedRelease[] {
  const dir = releasesDir(options.root ?? cacheRoot());
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => parseVersion(name) !== undefined && !name.startsWith("."))
    .map((name) => readManifest(join(dir, name)))
    .filter((entry): entry is CachedRelease => entry !== undefined)
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** The cached entry of a version, if complete. */
export function cachedRelease(
  version: string,
  options: CacheOptions = {},
): CachedRelease | undefined {
  validateVersionText(version);
  return readManifest(join(releasesDir(options.root ?? cacheRoot()), version));
}

/** Finds mvn: the option, $ZK_CHAOS_MVN, then PATH; a clear error naming both ways out otherwise. */
export function findMaven(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const wanted = explicit ?? env.ZK_CHAOS_MVN;
  if (wanted !== undefined) {
    if (isExecutableFile(wanted)) return wanted;
    throw new ZkChaosError(
      "ZOOKEEPER_NOT_FOUND",
      `Maven not found at '${wanted}': point ZK_CHAOS_MVN at an mvn executable`,
    );
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir && isExecutableFile(join(dir, "mvn"))) return join(dir, "mvn");
  }
  throw new ZkChaosError(
    "ZOOKEEPER_NOT_FOUND",
    "Maven (mvn) is not installed, and zk-chaos resolves ZooKeeper releases with it: install it with `apt-get install -y maven` (as root), or run an unpacked release with --zk-home DIR",
  );
}

/** A minimal POM whose runtime dependencies are one ZooKeeper release's class path, as its tarball's lib/ has it. */
export function releasePom(version: string): string {
  validateVersionText(version);
  return pomFor(version, version, releaseLine(version).runtimeExtras);
}

/** A POM depending on `dependencyVersion` (a version or a range) of ZooKeeper, plus extras. */
function pomFor(
  version: string,
  dependencyVersion: string,
  runtimeExtras: readonly string[],
): string {
  const extras = runtimeExtras.map((coordinates) => {
    const [group, artifact, pinned] = coordinates.split(":");
    return `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId>${pinned ? `<version>${pinned}</version>` : ""}<scope>compile</scope></dependency>`;
  });
  // Unpinned extras take the release's own versions (the scope is ours: the parent marks some provided), from its parent POM (3.5 on).
  const managed = runtimeExtras.some((c) => c.split(":").length === 2)
    ? `  <dependencyManagement>
    <dependencies>
      <dependency><groupId>org.apache.zookeeper</groupId><artifactId>parent</artifactId><version>${version}</version><type>pom</type><scope>import</scope></dependency>
    </dependencies>
  </dependencyManagement>
`
    : "";
  // log4j 1.2.15 (3.4.0-3.4.5) names JMX and JMS jars that Maven Central never had; the server needs none of them.
  const broken = [
    ["com.sun.jmx", "jmxri"],
    ["com.sun.jdmk", "jmxtools"],
    ["javax.jms", "jms"],
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>zk-chaos</groupId>
  <artifactId>zookeeper-release</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
${managed}  <dependencies>
    <dependency>
      <groupId>org.apache.zookeeper</groupId>
      <artifactId>zookeeper</artifactId>
      <version>${dependencyVersion}</version>
      <exclusions>
${broken.map(([group, artifact]) => `        <exclusion><groupId>${group}</groupId><artifactId>${artifact}</artifactId></exclusion>`).join("\n")}
      </exclusions>
    </dependency>
${extras.join("\n")}
  </dependencies>
</project>
`;
}

/** Runs mvn in a folder; resolves with its output, whatever its exit code. */
export function runMaven(
  mvn: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(mvn, ["-B", "-ntp", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      reject(error);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
    // Ctrl-C reaches mvn through the terminal; SIGTERM to us alone must not leave it running.
    const unhook = onShutdown(
      async () => {
        child.kill("SIGKILL");
      },
      () => child.kill("SIGKILL"),
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      unhook();
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      unhook();
      resolve({ code, output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/** Removes half-filled entries whose harness died (their folder names carry its token). */
function reapPartials(root: string, log?: (line: string) => void): void {
  const dir = releasesDir(root);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const match = /^\.partial-[^-]+-(\d+_\d+)-/.exec(name);
    if (match && !isTokenAlive((match[1] as string).replace("_", ":"))) {
      rmSync(join(dir, name), { recursive: true, force: true });
      log?.(`removed the half-filled cache entry ${name} of a run that died`);
    }
  }
}

/**
 * The versions of org.apache.zookeeper:zookeeper the configured repositories
 * list, from their maven-metadata (asked through Maven, so mirrors apply).
 */
export async function listedVersions(options: CacheOptions = {}): Promise<string[]> {
  const root = options.root ?? cacheRoot();
  const mvn = findMaven(options.mvn);
  mkdirSync(releasesDir(root), { recursive: true });
  const work = join(releasesDir(root), `.metadata-${randomBytes(4).toString("hex")}`);
  mkdirSync(work);
  try {
    // An empty version range makes Maven fetch the artifact's metadata and nothing else.
    writeFileSync(join(work, "pom.xml"), pomFor("0.0.0", "[0.0.1,0.0.2]", []));
    const repo = join(work, "m2");
    await runMaven(
      mvn,
      ["-q", `-Dmaven.repo.local=${repo}`, "dependency:resolve"],
      work,
      options.timeoutMs ?? 120_000,
    );
    const folder = join(repo, "org", "apache", "zookeeper", "zookeeper");
    const files = existsSync(folder)
      ? readdirSync(folder).filter((name) => /^maven-metadata.*\.xml$/.test(name))
      : [];
    const versions = new Set<string>();
    const parser = new XMLParser({ isArray: (name) => name === "version" });
    for (const file of files) {
      const parsed = parser.parse(readFileSync(join(folder, file), "utf8")) as {
        metadata?: { versioning?: { versions?: { version?: unknown[] } } };
      };
      for (const version of parsed.metadata?.versioning?.versions?.version ?? [])
        versions.add(String(version));
    }
    return [...versions].sort(compareVersions);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The listed versions nearest to a wanted one: its own line first, then the closest others. */
export function nearestVersions(wanted: string, listed: readonly string[], count = 5): string[] {
  const [major, minor, patch] = parseVersion(wanted) ?? [0, 0, 0];
  const distance = (version: string) => {
    const [a, b, c] = parseVersion(version) ?? [0, 0, 0];
    return Math.abs(a - major) * 1e6 + Math.abs(b - minor) * 1e3 + Math.abs(c - patch);
  };
  return listed
    .filter((version) => /^\d+\.\d+\.\d+$/.test(version) && version !== wanted)
    .sort((x, y) => distance(x) - distance(y) || compareVersions(x, y))
    .slice(0, count)
    .sort(compareVersions);
}

/**
 * Resolves a release into the cache (once; later calls return the entry).
 * Throws a clear input error when Maven is missing or the version is not served.
 */
export async function fetchZooKeeper(
  version: string,
  options: CacheOptions = {},
): Promise<CachedRelease> {
  validateVersionText(version);
  const root = options.root ?? cacheRoot();
  const cached = cachedRelease(version, { root });
  if (cached) return cached;
  const mvn = findMaven(options.mvn);
  reapPartials(root, options.log);
  const finalDir = join(releasesDir(root), version);
  const partial = join(
    releasesDir(root),
    `.partial-${version}-${selfToken().replace(":", "_")}-${randomBytes(3).toString("hex")}`,
  );
  mkdirSync(partial, { recursive: true });
  const started = performance.now();
  options.log?.(`resolving ZooKeeper ${version} and its dependencies with Maven into ${finalDir}`);
  try {
    writeFileSync(join(partial, "pom.xml"), releasePom(version));
    const resolve = (extra: readonly string[]) =>
      runMaven(
        mvn,
        [
          ...extra,
          "dependency:copy-dependencies",
          "-DincludeScope=runtime",
          `-DoutputDirectory=${join(partial, "lib")}`,
        ],
        partial,
        options.timeoutMs ?? 600_000,
      );
    let { code, output } = await resolve([]);
    // A failed transfer (a reset connection) usually passes on a later try: up to three more,
    // further apart each time; -U because Maven remembers a failure and would not ask again.
    for (const [attempt, pauseMs] of RETRY_PAUSES_MS.entries()) {
      if (code === 0 || !TRANSFER_FAILED.test(output)) break;
      options.log?.(
        `ZooKeeper ${version}: a download failed; trying again in ${pauseMs / 1000} s (${attempt + 1}/${RETRY_PAUSES_MS.length})`,
      );
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      ({ code, output } = await resolve(["-U"]));
    }
    const jarDir = join(partial, "lib");
    const jars = existsSync(jarDir)
      ? readdirSync(jarDir).filter((name) => name.endsWith(".jar"))
      : [];
    if (code !== 0 || !jars.includes(`zookeeper-${version}.jar`)) {
      throw await resolutionError(version, output, code, options);
    }
    const bytes = jars.reduce((sum, name) => sum + statSync(join(jarDir, name)).size, 0);
    const manifest = {
      version,
      jars: jars.length,
      bytes,
      resolvedAt: new Date().toISOString(),
    };
    writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(join(partial, "pom.xml"), { force: true });
    try {
      renameSync(partial, finalDir);
    } catch (error) {
      // Another run finished the same entry first: theirs is as good as ours.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOTEMPTY" && code !== "EEXIST") || !readManifest(finalDir)) throw error;
    }
    options.log?.(
      `ZooKeeper ${version}: ${jars.length} jars, ${(bytes / 1048576).toFixed(1)} MiB, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return readManifest(finalDir) as CachedRelease;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

/** Pauses before each new try of a failed transfer. */
const RETRY_PAUSES_MS = [2000, 5000, 10_000] as const;

/** Maven's words for a repository it could not reach or read from. */
const TRANSFER_FAILED =
  /Could not transfer|Unknown host|Connection refused|Network is unreachable/i;

async function resolutionError(
  version: string,
  output: string,
  code: number | null,
  options: CacheOptions,
): Promise<ZkChaosError> {
  const missing =
    /Could not find artifact org\.apache\.zookeeper:[\w-]+:(jar|pom):/.test(output) ||
    /org\.apache\.zookeeper:[\w-]+:(jar|pom):[\d.]+ (was not found|is missing)/.test(output) ||
    /Failure to find org\.apache\.zookeeper:zookeeper/.test(output);
  if (missing) {
    let hint = "";
    try {
      const nearest = nearestVersions(version, await listedVersions(options));
      if (nearest.length > 0)
        hint = `; the nearest versions the repository lists: ${nearest.join(", ")}`;
    } catch {
      // The listing is a courtesy: the error stands without it.
    }
    return new BadInputError(
      `ZooKeeper ${version} (or a part of it) is not served by the Maven repositories this machine reaches${hint} (or run an unpacked release with --zk-home DIR)`,
    );
  }
  const offline = TRANSFER_FAILED.test(output);
  const tail = output
    .split("\n")
    .filter((line) => line.includes("ERROR"))
    .slice(0, 4)
    .join("\n");
  return new ZkChaosError(
    "ZOOKEEPER_NOT_FOUND",
    `Maven could not resolve ZooKeeper ${version} (exit ${code ?? "killed"})${offline ? ": the repository is unreachable; check the network or your settings.xml mirror, or use a cached version (zk-chaos zookeeper list)" : ""}${tail ? `\n${tail}` : ""}`,
  );
}

/** Removes a cached release; true when there was one. */
export function removeCachedRelease(version: string, options: CacheOptions = {}): boolean {
  const entry = cachedRelease(version, options);
  if (!entry) return false;
  rmSync(entry.dir, { recursive: true, force: true });
  return true;
}
