import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, spawnCli, spawnCommand } from "../../helpers/cli.js";

const repo = resolve(import.meta.dirname, "../../..");
const rigScript = join(repo, "scripts/ssh-rig.sh");

/** Why the rig cannot be made here, if it cannot. */
function rigUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root for network namespaces";
  if (!existsSync("/usr/sbin/sshd")) return "needs sshd: apt-get install -y openssh-server";
  if (spawnSync("ip", ["netns", "list"]).status !== 0) return "needs iproute2 with netns";
  return undefined;
}

const why = rigUnavailable();
const HOSTS = 5;
let dir = "";
let rigNs = "";
let rigId = "";
let out = "";

const ns = (host: number) => `zkch-${rigId}-${host}`;
/** The harness runs inside the rig's namespace, where the hosts' subnet is. */
const inRig = (args: string[]) =>
  spawnCommand("ip", ["netns", "exec", rigNs, process.execPath, CLI, ...args]);
const inventory = () => join(dir, "inventory.yaml");
/** `run` of scenario files on the rig's first `nodes` hosts, seed 7. */
const runOnRig = (files: string[], nodes: number, extra: string[]) =>
  inRig([
    "run",
    ...files,
    "--inventory",
    inventory(),
    "--nodes",
    String(nodes),
    "--seed",
    "7",
    "--out",
    out,
    ...extra,
  ]);
/** Processes in a host's namespace other than its sshd. */
const strays = (host: number) => {
  const sshd = readFileSync(join(dir, `sshd-${host}.pid`), "utf8").trim();
  return execFileSync("ip", ["netns", "pids", ns(host)], { encoding: "utf8" })
    .split("\n")
    .filter((pid) => pid !== "" && pid !== sshd);
};
const chainOn = (host: number) =>
  spawnSync("ip", ["netns", "exec", ns(host), "iptables", "-w", "-S", "ZKCHAOS"]).status === 0;
/** Staging folders of ssh runs on this machine (each removed once its files are on the host). */
const stagingDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith("zk-chaos-ssh-"));
const stagingBefore = new Set(stagingDirs());
/**
 * Nothing of a run left on the hosts. A process killed at teardown may take a
 * moment to be gone from the namespace (a CI run once saw one JVM still
 * there): each host gets up to 5 s; a leak stays far longer.
 */
const expectNothingLeft = async () => {
  expect(stagingDirs().filter((name) => !stagingBefore.has(name))).toEqual([]);
  for (let host = 1; host <= HOSTS; host++) {
    for (let waited = 0; waited < 5000 && strays(host).length > 0; waited += 250)
      await new Promise((resolve) => setTimeout(resolve, 250));
    expect(strays(host), `host ${host}`).toEqual([]);
    expect(chainOn(host), `ZKCHAOS chain on host ${host}`).toBe(false);
  }
  // Releases copied to the hosts are kept between runs, as this machine's cache is.
  const work = join(dir, "work");
  expect((existsSync(work) ? readdirSync(work) : []).filter((name) => name !== "releases")).toEqual(
    [],
  );
};

describe.skipIf(why !== undefined)(
  `the ssh provider on a rig of namespace hosts${why ? ` (skipped: ${why})` : ""}`,
  () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "zk-chaos-rig-"));
      out = mkdtempSync(join(tmpdir(), "zk-chaos-rig-out-"));
      execFileSync("bash", [rigScript, "up", String(HOSTS), dir], { stdio: "pipe" });
      const env = readFileSync(join(dir, "rig.env"), "utf8");
      rigId = /RIG_ID=(\w+)/.exec(env)?.[1] as string;
      rigNs = `zkcr-${rigId}`;
    });
    afterAll(() => {
      if (dir !== "" && existsSync(join(dir, "rig.env")))
        execFileSync("bash", [rigScript, "down", dir], { stdio: "pipe" });
      rmSync(out, { recursive: true, force: true });
      const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
      expect(left).not.toContain(rigId);
    });

    it("the rig's subnet has no route out: only its own /24, no default route, in every namespace", () => {
      for (const each of [rigNs, ...Array.from({ length: HOSTS }, (_, i) => ns(i + 1))]) {
        const routes = execFileSync("ip", ["-n", each, "route", "show"], { encoding: "utf8" });
        const lines = routes
          .trim()
          .split("\n")
          .map((line) => line.trim());
        expect(lines, each).toEqual([
          expect.stringMatching(
            /^10\.231\.0\.0\/24 dev \S+ proto kernel scope link src 10\.231\.0\.\d+$/,
          ),
        ]);
        // A route lookup only (nothing is sent): an address outside the rig has no way there.
        const lookup = spawnSync("ip", ["-n", each, "route", "get", "192.0.2.1"], {
          encoding: "utf8",
        });
        expect(lookup.status, each).not.toBe(0);
        expect(lookup.stderr).toMatch(/Network is unreachable/);
      }
    });

    it("standard scenarios run unchanged on SSH hosts, valid, with the cuts made (and counted) by the kernels", async () => {
      for (const [scenario, nodes] of [
        ["minority-partition", 3],
        // At 3: a 5-server ensemble on the rig shows nothing about ssh that 3 do not (membership grows to 5 below).
        ["kill-leader", 3],
        // Bit rot, a torn write and a wipe made on the host's files, and a read-only bind there.
        ["damaged-follower-data", 3],
        // The leader's JVM capped in a cgroup on its host.
        ["starved-leader", 3],
      ] as const) {
        const run = runOnRig(
          [`scenarios/${scenario}.yaml`],
          nodes,
          // Shortened where the point allows: the starving stays longer than the cgroup's periods.
          scenario === "kill-leader" || scenario === "minority-partition"
            ? ["--duration", "12s"]
            : scenario === "starved-leader"
              ? ["--duration", "16s"]
              : [],
        );
        expect(await run.exited, run.output()).toBe(0);
        expect(run.output()).toMatch(new RegExp(`valid +${scenario} zk=\\S+ n=${nodes}`));
        const dropped = Number(/(\d+) packet\(s\) dropped or refused/.exec(run.output())?.[1]);
        if (scenario === "minority-partition") expect(dropped).toBeGreaterThan(0);
      }
      // The cap held on the host: the kernel throttled the leader and it got about its share.
      const starveRun = readdirSync(out).find((name) => name.includes("starved-leader-n3"));
      const fed = readFileSync(join(out, starveRun as string, "history.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.includes('"f":"fed"'))
        .map((line) => JSON.parse(line) as { value: { share: number; throttledPeriods: number } });
      expect(fed).toHaveLength(1);
      expect(fed[0]?.value.throttledPeriods).toBeGreaterThan(0);
      expect(fed[0]?.value.share).toBeLessThan(0.2);
      // The servers' log lines stream from the hosts while the run goes: the new leader's election
      // line is there, so leader completeness is judged on ssh too.
      const killRun = readdirSync(out).find((name) => name.includes("kill-leader-n3")) as string;
      const results = JSON.parse(readFileSync(join(out, killRun, "results.json"), "utf8")) as {
        verdicts: { checker: string; valid: boolean | string }[];
      };
      expect(
        results.verdicts.find((verdict) => verdict.checker === "leader-completeness"),
      ).toMatchObject({
        valid: true,
      });
      await expectNothingLeft();
    }, 300_000);

    it("packet loss and a bandwidth cap go through the kernel and stay valid; a netem-only fault is refused naming the qdisc", async () => {
      const run = runOnRig(
        ["scenarios/kernel/packet-loss.yaml", "scenarios/kernel/bandwidth.yaml"],
        3,
        ["--duration", "12s"],
      );
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/valid +packet-loss/);
      expect(run.output()).toMatch(/valid +kernel-bandwidth/);
      expect(
        Number(/(\d+) packet\(s\) dropped or refused/.exec(run.output())?.[1]),
      ).toBeGreaterThan(0);
      const latency = runOnRig(["scenarios/slow-network.yaml"], 3, []);
      expect(await latency.exited).toBe(2);
      expect(latency.output()).toContain(
        "fault 'latency' (f1) needs the netem qdisc, which the hosts' kernel does not have",
      );
      expect(latency.output()).not.toContain("started 3 ZooKeeper");
      // And loss is refused off the kernel network, before anything starts.
      const local = spawnCli([
        "run",
        "scenarios/kernel/packet-loss.yaml",
        "--provider",
        "local",
        "--out",
        out,
      ]);
      expect(await local.exited).toBe(2);
      expect(local.output()).toMatch(/fault 'loss' \(f1\) drops packets at random.*--provider ssh/);
      await expectNothingLeft();
    });

    it("releases asked for by version are copied from the local cache to the hosts: a rolling upgrade from 3.8.6 to 3.9.5 on ssh, valid", async () => {
      const run = runOnRig(["scenarios/upgrades/rolling-upgrade.yaml"], 3, []);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/valid +rolling-upgrade zk=3\.8\.6\S* n=3/);
      // The rig's hosts share one file system: the first host's copy is the others' too.
      const copies = (release: string) =>
        [
          ...run
            .output()
            .matchAll(
              new RegExp(
                `ZooKeeper ${release.replace(/\./g, "\\.")} in \\S+/releases/${release.replace(/\./g, "\\.")} \\((copied [\\d.]+ MB|already there)\\)`,
                "g",
              ),
            ),
        ].map((match) => match[1]);
      expect(copies("3.8.6")).toHaveLength(3);
      expect(copies("3.8.6")[0]).toMatch(/^copied/);
      expect(copies("3.9.5")).toHaveLength(3);
      for (const release of ["3.8.6", "3.9.5"]) {
        const jars = readdirSync(join(dir, "work", "releases", release));
        expect(jars).toContain(`zookeeper-${release}.jar`);
        expect(jars.filter((jar) => jar.endsWith(".part"))).toEqual([]);
      }
      // Each server was moved from 3.8.6 to 3.9.5 once, without an error.
      const upgradeRun = readdirSync(out).find((name) => name.includes("rolling-upgrade-n3"));
      const upgrades = readFileSync(join(out, upgradeRun as string, "history.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.includes('"f":"upgrade"'))
        .map((line) => JSON.parse(line) as { type: string; value: Record<string, unknown> })
        .filter((event) => event.type === "info");
      expect(
        upgrades.map((event) => [event.value.servers, event.value.from, event.value.to]),
      ).toEqual([
        [[1], "3.8.6", "3.9.5"],
        [[2], "3.8.6", "3.9.5"],
        [[3], "3.8.6", "3.9.5"],
      ]);
      await expectNothingLeft();
    });

    it("membership changes on ssh: servers join and leave by reconfig, valid", async () => {
      const run = runOnRig(["scenarios/membership/grow-and-shrink.yaml"], 5, []);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/started 3 ZooKeeper server\(s\)/);
      expect(run.output()).toMatch(/f4 leave \{"servers":\[\d\],"members":\[[\d,]+\]\}/);
      expect(run.output()).toMatch(/valid +grow-and-shrink zk=\S+ n=5/);
      await expectNothingLeft();
    });

    it("SIGTERM ends a run with nothing left on the hosts; after SIGKILL, reap --inventory removes what was left", async () => {
      const args = [
        "run",
        "scenarios/minority-partition.yaml",
        "--inventory",
        inventory(),
        "--nodes",
        "3",
        "--duration",
        "30s",
        "--out",
        out,
      ];
      const stopped = inRig(args);
      await stopped.waitFor(/\| running \|/, 60_000);
      stopped.child.kill("SIGTERM");
      expect(await stopped.exited, stopped.output()).toBe(143);
      await expectNothingLeft();

      // validate winds down by the shutdown hooks alone: the hosts' JVMs must go with it.
      const validating = inRig([
        "validate",
        "--nodes",
        "3",
        "--quick",
        "--inventory",
        inventory(),
        "--out",
        out,
      ]);
      await validating.waitFor(/: running/, 120_000);
      validating.child.kill("SIGTERM");
      expect(await validating.exited, validating.output()).toBe("SIGTERM");
      await expectNothingLeft();

      const killed = inRig(args);
      await killed.waitFor(/f1 partition/, 60_000);
      // ip netns exec becomes the harness (it execs it): this kills the harness itself.
      killed.child.kill("SIGKILL");
      await killed.exited;
      expect([1, 2, 3].some((host) => strays(host).length > 0 || chainOn(host))).toBe(true);
      const reap = inRig(["ensemble", "reap", "--inventory", inventory()]);
      expect(await reap.exited, reap.output()).toBe(0);
      // What the harness left: the kernel rules always, the run's folders, and JVMs still running.
      // The JVMs may end with their ssh sessions before the reap looks (CI once: no JVM left to
      // kill); on the rig the hosts share this machine's processes, so the local reaper may
      // find them first.
      expect(reap.output()).toMatch(
        /killed \d+|reaped orphan ZooKeeper server|removed \S+\/work\/\d{8}T\d{6}-/,
      );
      expect(reap.output()).toContain("kernel fault rules removed");
      await expectNothingLeft();
    });
  },
);
