import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findJava, findZooKeeperInstall } from "../../../src/zookeeper/install.js";

let dir: string;
let java: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-install-"));
  mkdirSync(join(dir, "jdk", "bin"), { recursive: true });
  java = join(dir, "jdk", "bin", "java");
  writeFileSync(java, "#!/bin/sh\n");
  chmodSync(java, 0o755);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("findJava", () => {
  it("prefers JAVA_HOME, then PATH", () => {
    expect(findJava({ env: { JAVA_HOME: join(dir, "jdk"), PATH: "" } })).toBe(java);
    expect(findJava({ env: { PATH: `/nonexistent:${join(dir, "jdk", "bin")}` } })).toBe(java);
  });

  it("names the install command when Java is missing", () => {
    expect(() => findJava({ env: { PATH: "/nonexistent" } })).toThrow(
      /Java not found.*apt-get install -y default-jre-headless.*JAVA_HOME/,
    );
  });

  it("rejects an explicit path that is not executable", () => {
    expect(() => findJava({ java: join(dir, "nope") })).toThrow(/Java not found at '.*nope'/);
  });
});

describe("findZooKeeperInstall", () => {
  const env = () => ({ PATH: join(dir, "jdk", "bin") });

  it("reads a release layout from ZK_HOME, with its version", () => {
    const home = join(dir, "apache-zookeeper-3.9.2-bin");
    mkdirSync(join(home, "lib"), { recursive: true });
    for (const jar of [
      "zookeeper-3.9.2.jar",
      "zookeeper-jute-3.9.2.jar",
      "logback-classic-1.2.13.jar",
    ]) {
      writeFileSync(join(home, "lib", jar), "");
    }
    const install = findZooKeeperInstall({ env: { ...env(), ZK_HOME: home } });
    expect(install.version).toBe("3.9.2");
    expect(install.java).toBe(java);
    expect(install.classPath).toContain(join(home, "lib", "zookeeper-3.9.2.jar"));
    expect(install.classPath).toHaveLength(3);
  });

  it("reads Debian's layout and adds a logging binding", () => {
    const share = join(dir, "share");
    mkdirSync(share);
    for (const jar of ["zookeeper.jar", "slf4j-log4j12.jar", "log4j-1.2.jar"]) {
      writeFileSync(join(share, jar), "");
    }
    symlinkSync("zookeeper.jar", join(share, "zookeeper-3.8.0.jar"));
    const install = findZooKeeperInstall({ env: env(), debianJavaDir: share });
    expect(install.version).toBe("3.8.0");
    expect(install.classPath).toEqual([
      join(share, "zookeeper.jar"),
      join(share, "slf4j-log4j12.jar"),
      join(share, "log4j-1.2.jar"),
    ]);
  });

  it("without Debian's package, runs the newest release in the cache", () => {
    const cache = join(dir, "cache");
    for (const version of ["3.4.14", "3.9.5", "3.8.4"]) {
      const entry = join(cache, "zookeeper", version);
      mkdirSync(join(entry, "lib"), { recursive: true });
      writeFileSync(join(entry, "lib", `zookeeper-${version}.jar`), "");
      writeFileSync(
        join(entry, "release.json"),
        JSON.stringify({ version, jars: 1, bytes: 0, resolvedAt: "2026-12-01T00:00:00Z" }),
      );
    }
    const install = findZooKeeperInstall({
      env: env(),
      debianJavaDir: join(dir, "empty"),
      cache: { root: cache },
    });
    expect(install.version).toBe("3.9.5");
    expect(install.source).toBe(
      `cache entry of ZooKeeper 3.9.5 (no Debian package) ${join(cache, "zookeeper", "3.9.5")}`,
    );
  });

  it("names the ways out when ZooKeeper is missing", () => {
    expect(() =>
      findZooKeeperInstall({
        env: env(),
        debianJavaDir: join(dir, "empty"),
        cache: { root: join(dir, "no-cache") },
      }),
    ).toThrow(
      /ZooKeeper not found .*the cache holds no release.*install Maven .*3\.9\.5 from Maven Central.*apt-get install -y zookeeper.*ZK_HOME/,
    );
    expect(() => findZooKeeperInstall({ env: { ...env(), ZK_HOME: join(dir, "nope") } })).toThrow(
      /ZK_HOME '.*nope' is not a folder/,
    );
    mkdirSync(join(dir, "nojars"));
    expect(() => findZooKeeperInstall({ env: env(), zkHome: join(dir, "nojars") })).toThrow(
      /no zookeeper-<version>.jar there/,
    );
  });
});
