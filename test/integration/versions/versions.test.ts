import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type LocalEnsemble,
  startLocalEnsemble,
} from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { FaultNetwork } from "../../../src/network/fault-network.js";
import { spawnCli } from "../../helpers/cli.js";
import { bypasses, expectHealedInSync } from "../../helpers/faulty-ensemble.js";
import { expectNothingLeft, makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";
import { describeWithVersions, TEST_VERSIONS } from "../../helpers/versions.js";
import { readEventually, sessionTo } from "../../helpers/zk.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

const describeVersions = await describeWithVersions(TEST_VERSIONS);

describeVersions("every release line from 3.4.5 to 3.9, resolved with Maven", () => {
  it.each(TEST_VERSIONS)(
    "%s: one server and three serve, the version read back from srvr, a write reaches every server",
    async (version) => {
      const one = await startLocalEnsemble({ nodes: 1, runtimeRoot: root, install: { version } });
      try {
        const [status] = [...(await one.statuses()).values()];
        // 3.4 ignores a lone server.1 line and runs standalone; later lines run a quorum of one.
        expect(status).toMatchObject({
          state: "serving",
          mode: version.startsWith("3.4.") ? "standalone" : "leader",
        });
        expect(one.zooKeeperVersion).toBe(version);
        expect(await one.leader()).toBe(1);
      } finally {
        await one.dispose();
      }
      await expectNothingLeft(one, root);
      await using three = await startLocalEnsemble({
        nodes: 3,
        runtimeRoot: root,
        install: { version },
      });
      expect(three.zooKeeperVersion).toBe(version);
      const cfg = readFileSync(join(three.dir, "server-1", "conf", "zoo.cfg"), "utf8");
      expect(cfg.includes("4lw.commands.whitelist"), "3.5+ keys only from 3.5 on").toBe(
        !version.startsWith("3.4."),
      );
      const writer = await sessionTo(three, 1);
      await writer.create("/versioned", version);
      writer.close();
      for (const id of [2, 3]) {
        const reader = await sessionTo(three, id);
        expect(await readEventually(reader, "/versioned", version)).toBe(version);
        reader.close();
      }
    },
  );

  it("3.4.5 behind the proxies: its id-only election handshake passes unchanged, the leader can be isolated, nothing bypasses", async () => {
    await using network = await FaultNetwork.start({ seed: 45 });
    const ensemble: LocalEnsemble = await startLocalEnsemble({
      nodes: 3,
      runtimeRoot: root,
      install: { version: "3.4.5" },
      peerLayout: network.peerLayout(),
    });
    try {
      const nemesis = new Nemesis({ ensemble, network, seed: 45 });
      expect(bypasses(ensemble)).toEqual([]);
      const isolate = await nemesis.start({ kind: "isolate", target: "leader" });
      const oldLeader = (isolate.detail.servers as number[])[0] as number;
      const rest = [1, 2, 3].filter((id) => id !== oldLeader);
      // No election bound on 3.4: back-off may grow, so allow for it.
      expect(rest).toContain(
        (await ensemble.waitForQuorum({ servers: rest, timeoutMs: 60_000 })).leader,
      );
      expect(bypasses(ensemble), "no direct server-to-server link").toEqual([]);
      await nemesis.heal(isolate.id);
      await expectHealedInSync(ensemble);
    } finally {
      await ensemble.dispose();
    }
  });

  it("a server moves from 3.8.6 to 3.9.5 with its data; mixed versions from the start", async () => {
    await using network = await FaultNetwork.start({ seed: 9 });
    await using ensemble = await startLocalEnsemble({
      nodes: 3,
      runtimeRoot: root,
      install: { version: "3.8.6" },
      versions: { 3: "3.9.5" },
      peerLayout: network.peerLayout(),
    });
    expect(ensemble.zooKeeperVersion).toBe("3.8.6+3.9.5");
    const writer = await sessionTo(ensemble, 1);
    await writer.create("/before-upgrade", "kept");
    writer.close();
    const nemesis = new Nemesis({ ensemble, network, seed: 9 });
    const upgrade = await nemesis.start({ kind: "upgrade", target: "leader", version: "3.9.5" });
    const upgraded = (upgrade.detail.servers as number[])[0] as number;
    expect(upgrade.detail).toMatchObject({ to: "3.9.5" });
    await expectHealedInSync(ensemble);
    expect(ensemble.serverVersion(upgraded)).toBe("3.9.5");
    const reader = await sessionTo(ensemble, upgraded);
    expect(await readEventually(reader, "/before-upgrade", "kept")).toBe("kept");
    reader.close();
    await nemesis.start({ kind: "downgrade", target: 3, version: "3.8.6" });
    await expectHealedInSync(ensemble);
    expect(ensemble.serverVersion(3)).toBe("3.8.6");
  });

  // 3.4.14, not 3.4.5: 3.4.5's session ids collide since 2022 (ZOOKEEPER-1622), a real bug a run may catch.
  it("zk-chaos run --zookeeper-version A,B: every scenario on every version, the version in folders, rows and the summary", async () => {
    await runInTemp(
      [
        "scenarios/kill-leader.yaml",
        "--nodes",
        "3",
        "--duration",
        "6s",
        "--seed",
        "5",
        "--zookeeper-version",
        "3.4.14,3.9.5",
      ],
      (output, out) => {
        expect(output).toMatch(/valid +kill-leader zk=3\.4\.14 n=3 seed=5/);
        expect(output).toMatch(/valid +kill-leader zk=3\.9\.5 n=3 seed=5/);
        const folders = readdirSync(out);
        expect(folders.filter((name) => /-kill-leader-n3-zk3\.4\.14-5$/.test(name))).toHaveLength(
          1,
        );
        expect(folders.filter((name) => /-kill-leader-n3-zk3\.9\.5-5$/.test(name))).toHaveLength(1);
        const summary = folders.find((name) => name.endsWith("-summary")) as string;
        const index = readFileSync(join(out, summary, "index.md"), "utf8");
        expect(index).toContain("| scenario | 3.4.14 | 3.9.5 |");
        expect(index).toContain("| kill-leader | ✅ valid | ✅ valid |");
      },
    );
  });

  it("the rolling upgrade from 3.8 to 3.9 at 3 nodes loses nothing", async () => {
    await runInTemp(
      [
        "scenarios/upgrades/rolling-upgrade.yaml",
        "--nodes",
        "3",
        "--duration",
        "14s",
        "--seed",
        "3",
      ],
      (output) => {
        expect(output).toMatch(/valid +rolling-upgrade zk=3\.9\.5 n=3/);
        expect(output).toContain('"from":"3.8.6","to":"3.9.5"');
      },
    );
  });
});

/** Runs `zk-chaos run ARGS --out TEMP`, expects exit 0, then checks its output and folder. */
async function runInTemp(
  args: string[],
  check: (output: string, out: string) => void,
): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "zkchaos-versions-"));
  try {
    const cli = spawnCli(["run", ...args, "--out", out]);
    expect(await cli.exited, cli.output()).toBe(0);
    check(cli.output(), out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describeVersions("bad version input: exit 2, the fix named, nothing started", () => {
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const cli = spawnCli(args, env);
    return { code: await cli.exited, output: cli.output() };
  };

  it("a version not served lists the nearest served ones", async () => {
    const cache = mkdtempSync(join(tmpdir(), "zkchaos-cache-"));
    try {
      const { code, output } = await run(
        ["ensemble", "up", "--nodes", "1", "--for", "1s", "--zookeeper-version", "3.4.99"],
        { ZK_CHAOS_CACHE: cache },
      );
      expect(code).toBe(2);
      expect(output).toMatch(
        /ZooKeeper 3\.4\.99 .*is not served .*the nearest versions the repository lists: 3\.4\.\d+, /,
      );
      expect(readdirSync(join(cache, "zookeeper")), "no half-filled entry").toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("no mvn says how to install it or use --zk-home", async () => {
    const bin = mkdtempSync(join(tmpdir(), "zkchaos-nomvn-"));
    try {
      // A PATH with node (and java) but no Maven.
      symlinkSync(process.execPath, join(bin, "node"));
      const { code, output } = await run(
        ["ensemble", "up", "--nodes", "1", "--for", "1s", "--zookeeper-version", "3.6.3"],
        { PATH: bin, ZK_CHAOS_CACHE: bin },
      );
      expect(code).toBe(2);
      expect(output).toContain("Maven (mvn) is not installed");
      expect(output).toContain("apt-get install -y maven");
      expect(output).toContain("--zk-home DIR");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("a zoo.cfg key the version does not know, a Java too old for it, and a version with --zk-home", async () => {
    const up = (...args: string[]) =>
      run(["ensemble", "up", "--nodes", "1", "--for", "1s", ...args]);
    const key = await up("--zookeeper-version", "3.4.5", "--zk-config", "4lw.commands.whitelist=*");
    expect(key.code).toBe(2);
    expect(key.output).toContain(
      "zoo.cfg key '4lw.commands.whitelist' is not known to ZooKeeper 3.4.5: it first appears in 3.5",
    );
    // What `java -version` of a Java 7 prints: the check reads it before any server starts.
    const dir = mkdtempSync(join(tmpdir(), "zkchaos-java7-"));
    try {
      const java = join(dir, "java");
      writeFileSync(java, "#!/bin/sh\necho 'java version \"1.7.0_80\"' >&2\nexit 0\n");
      chmodSync(java, 0o755);
      const old = await up("--zookeeper-version", "3.9.5", "--java", java);
      expect(old.code).toBe(2);
      expect(old.output).toContain(`ZooKeeper 3.9.5 needs Java 8 or newer, but ${java} is Java 7`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const both = await run([
      "run",
      "scenarios/baseline.yaml",
      "--zookeeper-version",
      "3.9.5",
      "--zk-home",
      "/opt/zk",
    ]);
    expect(both.code).toBe(2);
    expect(both.output).toContain("--zk-home and --zookeeper-version 3.9.5 both choose");
  });
});
