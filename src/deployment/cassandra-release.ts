/**
 * An Apache Cassandra release for the real neighbour (`neighbour:
 * cassandra-node`), resolved with Maven like ZooKeeper's: cassandra-all and
 * its runtime dependencies, as a class path kept in the cache.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { ZkChaosError } from "../errors.js";
import { cacheRoot, findMaven, runMaven } from "../zookeeper/release-cache.js";

/** The release the neighbour runs: the first line that supports Java 17. */
export const CASSANDRA_VERSION = "5.0.6";

const pom = (version: string) => `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>zk-chaos</groupId>
  <artifactId>cassandra-neighbour</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.cassandra</groupId><artifactId>cassandra-all</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`;

/** The file holding the class path of cassandra-all `version`, resolved once and kept (re-resolved when a jar went missing). */
export async function cassandraClasspath(
  version = CASSANDRA_VERSION,
  log?: (line: string) => void,
): Promise<string> {
  const dir = join(cacheRoot(), "cassandra", version);
  const file = join(dir, "classpath.txt");
  if (existsSync(file)) {
    const cached = readFileSync(file, "utf8").trim();
    if (cached.split(delimiter).every((jar) => existsSync(jar))) return file;
  }
  const mvn = findMaven();
  log?.(`resolving Apache Cassandra ${version} with Maven (once; kept in ${dir})`);
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, ".partial-"));
  try {
    writeFileSync(join(work, "pom.xml"), pom(version));
    const { code, output } = await runMaven(
      mvn,
      ["dependency:build-classpath", `-Dmdep.outputFile=${join(work, "classpath.txt")}`],
      work,
      10 * 60_000,
    );
    if (code !== 0 || !existsSync(join(work, "classpath.txt")))
      throw new ZkChaosError(
        "SERVER_START_FAILED",
        `Maven could not resolve org.apache.cassandra:cassandra-all:${version} (exit ${code}): ${output.split("\n").slice(-6).join(" ")}; check that Maven Central (or your mirror) is reachable`,
      );
    writeFileSync(file, readFileSync(join(work, "classpath.txt"), "utf8"));
    return file;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
