import { describe, expect, it } from "vitest";
import {
  nearestVersions,
  releasePom,
  validateVersionText,
} from "../../../src/zookeeper/release-cache.js";
import {
  checkConfigKeys,
  checkJavaFor,
  javaMajor,
  releaseLine,
} from "../../../src/zookeeper/release-lines.js";
import { FAST_SETTINGS } from "../../../src/zookeeper/settings.js";
import { compareVersions, normalizeVersion } from "../../../src/zookeeper/version-range.js";
import { renderZooCfg } from "../../../src/zookeeper/zoo-cfg.js";

describe("the release-line table", () => {
  it("orders versions numerically and reads srvr's build suffix away", () => {
    expect(["3.9.5", "3.4.14", "3.4.5", "3.10.0"].sort(compareVersions)).toEqual([
      "3.4.5",
      "3.4.14",
      "3.9.5",
      "3.10.0",
    ]);
    expect(normalizeVersion("3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f")).toBe("3.8.0");
    expect(normalizeVersion("3.4.5-1392090")).toBe("3.4.5");
  });

  it("knows what each line supports", () => {
    const old = releaseLine("3.4.5");
    expect(old.singleServer).toBe("standalone");
    expect(old.fourLetterWhitelist).toBe(false);
    expect(old.electionBoundProperty).toBe(false);
    expect(old.electionHandshake).toBe("sid-only");
    expect(releaseLine("3.5.10").electionBoundProperty).toBe(false);
    expect(releaseLine("3.6.4").electionBoundProperty).toBe(true);
    expect(releaseLine("3.9.5").persistentWatches).toBe(true);
    expect(releaseLine("3.8.0").logging).toBe("logback");
    // A container image not asked yet behaves as the newest line.
    expect(releaseLine("unknown").line).toBe("3.9");
    expect(() => releaseLine("3.10.1")).toThrow(
      /outside the release lines zk-chaos knows .*choose a version from 3\.4\.0 to 3\.9\.x/,
    );
  });

  it("rejects a zoo.cfg key the version does not read, naming key, version and fix", () => {
    expect(() => checkConfigKeys(["4lw.commands.whitelist"], "3.4.5")).toThrow(
      "zoo.cfg key '4lw.commands.whitelist' is not known to ZooKeeper 3.4.5: it first appears in 3.5",
    );
    expect(() => checkConfigKeys(["flushDelay"], "3.5.10")).toThrow(/first appears in 3\.6/);
    expect(() => checkConfigKeys(["snapCont"], "3.8.0")).toThrow(
      /'snapCont' is not known to ZooKeeper 3\.8\.0: check its spelling; .*-Dzookeeper\.snapCont/,
    );
    expect(() =>
      checkConfigKeys(["snapCount", "flushDelay", "4lw.commands.whitelist"], "3.8.0"),
    ).not.toThrow();
    expect(() => checkConfigKeys(["server.4", "weight.2"], "3.4.5")).not.toThrow();
  });

  it("reads a Java major version and refuses one too old for the release", () => {
    expect(javaMajor('java version "1.7.0_80"')).toBe(7);
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor("nonsense")).toBeUndefined();
    expect(() => checkJavaFor("3.5.10", 7, "/opt/jdk7/bin/java")).toThrow(
      "ZooKeeper 3.5.10 needs Java 8 or newer, but /opt/jdk7/bin/java is Java 7",
    );
    expect(checkJavaFor("3.4.5", 7, "java")).toBeUndefined();
    expect(checkJavaFor("3.9.5", 17, "java")).toBeUndefined();
    expect(checkJavaFor("3.9.5", 30, "java")).toMatch(/newer than any .* 3\.9/);
  });
});

describe("zoo.cfg per release line", () => {
  const input = {
    settings: FAST_SETTINGS,
    serverId: 1,
    dataDir: "/d",
    clientHost: "127.0.0.1",
    clientPort: 2181,
    peers: new Map([[1, { host: "127.0.0.1", quorumPort: 2888, electionPort: 3888 }]]),
  };

  it("writes no 3.5+ key for 3.4, which would turn them into system properties", () => {
    const text = renderZooCfg({ ...input, release: releaseLine("3.4.5") });
    for (const key of [
      "4lw.commands.whitelist",
      "admin.enableServer",
      "standaloneEnabled",
      "reconfigEnabled",
    ])
      expect(text).not.toContain(`${key}=`);
    expect(text).toContain("tickTime=200");
    expect(text).toContain("server.1=127.0.0.1:2888:3888");
  });

  it("writes them for 3.5 on", () => {
    const text = renderZooCfg({ ...input, release: releaseLine("3.5.10") });
    expect(text).toContain("4lw.commands.whitelist=*");
    expect(text).toContain("standaloneEnabled=false");
    expect(text).toContain("admin.enableServer=false");
  });
});

describe("resolving releases with Maven", () => {
  it("validates version text before it reaches Maven or a path", () => {
    expect(validateVersionText("3.4.5")).toBe("3.4.5");
    expect(() => validateVersionText("3.4.5; rm -rf /")).toThrow(/not a ZooKeeper version/);
    expect(() => validateVersionText("../3.4.5")).toThrow(/not a ZooKeeper version/);
  });

  it("writes a POM per line: 3.4.5's broken log4j deps excluded, 3.6+ extras from the release's parent", () => {
    const old = releasePom("3.4.5");
    expect(old).toContain("<artifactId>jmxri</artifactId>");
    expect(old).not.toContain("<artifactId>parent</artifactId>");
    const mid = releasePom("3.5.10");
    expect(mid).toContain("<artifactId>slf4j-reload4j</artifactId><version>1.7.36</version>");
    expect(mid).not.toContain("<scope>import</scope>");
    const recent = releasePom("3.9.5");
    expect(recent).toContain(
      "<artifactId>parent</artifactId><version>3.9.5</version><type>pom</type><scope>import</scope>",
    );
    expect(recent).toContain("<artifactId>metrics-core</artifactId><scope>compile</scope>");
    expect(recent).toContain("<artifactId>logback-classic</artifactId><scope>compile</scope>");
  });

  it("suggests the nearest listed versions, its own line first, never the one that failed", () => {
    const listed = [
      "3.4.5",
      "3.4.13",
      "3.4.14",
      "3.5.10",
      "3.8.6",
      "3.8.7",
      "3.9.5",
      "3.5.0-alpha",
    ];
    expect(nearestVersions("3.4.99", listed, 3)).toEqual(["3.4.5", "3.4.13", "3.4.14"]);
    expect(nearestVersions("3.8.7", listed, 2)).toEqual(["3.8.6", "3.9.5"]);
  });
});
