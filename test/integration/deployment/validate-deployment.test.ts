import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processArgs } from "../../../src/util/process-identity.js";
import { spawnCli } from "../../helpers/cli.js";
import {
  jvmsUnder,
  leakedPortLocks,
  makeRuntimeRoot,
  removeRuntimeRoot,
} from "../../helpers/runtime.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = makeRuntimeRoot();
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-deployment-"));
});
afterEach(() => {
  removeRuntimeRoot(root);
  rmSync(dir, { recursive: true, force: true });
});

/** Neighbour processes started by the CLI whose pid is `cli`. */
const neighboursOf = (cli: number) =>
  readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const args = processArgs(pid) ?? [];
      return (
        args.includes("-Dzkchaos.server=neighbour") &&
        args.includes(`-Dzkchaos.run=deployment-${cli}`)
      );
    });

/** JVMs whose config lives under this test's runtime root. */
const jvmsUnderRoot = () => jvmsUnder(root);

/** Nothing of the harness `pid` is left: no neighbour process or file, no server, no port lock. */
function expectNothingLeft(pid: number): void {
  expect(neighboursOf(pid)).toEqual([]);
  expect(readdirSync(join(root, "neighbours"))).toEqual([]);
  expect(jvmsUnderRoot()).toEqual([]);
  expect(leakedPortLocks()).toEqual([]);
}

/** Starts `validate --deployment` of `text`, waits until `count` neighbour processes run, SIGTERMs it: exit 143, nothing left. */
async function sigtermWhileNeighbourRuns(
  text: string,
  count: number,
  waitMs: number,
): Promise<void> {
  const cli = spawnCli(
    ["validate", "--deployment", deploymentFile(text), "--out", join(dir, "out")],
    { ZK_CHAOS_RUNTIME_DIR: root },
  );
  const pid = cli.child.pid as number;
  const deadline = Date.now() + waitMs;
  while (neighboursOf(pid).length < count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  expect(neighboursOf(pid).length, cli.output()).toBe(count);
  cli.child.kill("SIGTERM");
  expect(await cli.exited, cli.output()).toBe(143);
  expectNothingLeft(pid);
}

function deploymentFile(text: string): string {
  const file = join(dir, "plan.yaml");
  writeFileSync(file, text);
  return file;
}

const TWO_STEPS =
  "name: two-steps\nsizes: [3]\nagents: { ramp: [2, 4], writers: 1, writeRate: 5, sessionTimeout: 6s }\nserviceLevel: { p99WriteMs: 3000 }\nstates: [all-up]\nstepDuration: 5s\nvariants: { neighbour: [none, cassandra], neighbourMbPerS: 16 }\n";
const ONE_NODE_STEP =
  "name: one-node-step\nsizes: [3]\nagents: { ramp: [2], writers: 1, writeRate: 5, sessionTimeout: 6s }\nserviceLevel: { p99WriteMs: 3000 }\nstates: [all-up]\nstepDuration: 5s\nvariants: { neighbour: [cassandra-node], neighbourMbPerS: 8 }\n";
const TWO_STEPS_NETWORKS = TWO_STEPS.replace(
  "neighbourMbPerS: 16 }",
  "neighbourMbPerS: 16, network: [separate, shared], networkMbPerS: 4 }",
);

describe("zk-chaos validate --deployment", () => {
  it("a size of 3, two ramp steps, alone, beside a Cassandra-shaped neighbour and sharing the data path's network: capacities, the neighbour's and the data path's own throughput beside the latency, every run folder; nothing left", async () => {
    const out = join(dir, "out");
    const cli = spawnCli(
      ["validate", "--deployment", deploymentFile(TWO_STEPS_NETWORKS), "--out", out, "--seed", "5"],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(
      /3 servers, neighbour none, network separate, all-up: at least 4 agent\(s\)/,
    );
    expect(cli.output()).toMatch(
      /3 servers, neighbour cassandra, network separate, all-up: (at least 4|2|0) agent\(s\)/,
    );
    expect(cli.output()).toMatch(
      /3 servers, neighbour none, network shared, all-up: (at least 4|2|0) agent\(s\)/,
    );
    expect(cli.output()).toMatch(/neighbour \d+\.\d MB\/s fsync'd/);
    const [report] = readdirSync(out).filter((name) => name.endsWith("-deployment-two-steps"));
    const folder = join(out, report as string);
    const markdown = readFileSync(join(folder, "index.md"), "utf8");
    expect(markdown).toMatch(/\| 3 \| none \| separate \| none \| all-up \| ≥ 4 \|/);
    expect(markdown).toMatch(/## The neighbour's effect/);
    expect(markdown).toMatch(/## The shared network's effect/);
    expect(markdown).toMatch(
      /- A management network separate from the data path: \*\*(confirmed|contradicted)\*\*/,
    );
    // The page plots latency and expiries against the agent count, a line per size and variant.
    const html = readFileSync(join(folder, "index.html"), "utf8");
    expect(html.match(/<svg /g)?.length).toBe(2);
    expect(html).toContain("3 servers, beside cassandra, separate network");
    expect(html).toContain("3 servers, shared network");
    const json = JSON.parse(readFileSync(join(folder, "deployment.json"), "utf8")) as {
      ramps: {
        neighbour: string;
        network: string;
        steps: { dir: string; neighbour?: { fsyncedMbPerS: number }; dataPathMbPerS?: number }[];
      }[];
    };
    const beside = json.ramps.find((ramp) => ramp.neighbour === "cassandra");
    // Measured, not assumed: the neighbour fsync'd about what it was asked for.
    for (const step of beside?.steps ?? []) {
      expect(step.neighbour?.fsyncedMbPerS).toBeGreaterThan(4);
      expect(step.neighbour?.fsyncedMbPerS).toBeLessThan(20);
    }
    // And the data path filled its 4 MB/s link, beside ZooKeeper's or on its own.
    for (const ramp of json.ramps)
      for (const step of ramp.steps) {
        expect(step.dataPathMbPerS).toBeGreaterThan(2.5);
        expect(step.dataPathMbPerS).toBeLessThan(4.5);
      }
    for (const ramp of json.ramps)
      for (const step of ramp.steps) expect(existsSync(join(step.dir, "report.html"))).toBe(true);
    expectNothingLeft(cli.child.pid as number);
  }, 180_000);

  it("SIGTERM while the neighbour runs: exit 143, the neighbour and its files gone with the servers", async () => {
    await sigtermWhileNeighbourRuns(
      TWO_STEPS.replace("[none, cassandra]", "[cassandra]"),
      1,
      60_000,
    );
  }, 120_000);

  it("a harness killed with SIGKILL: its neighbour notices and goes with its files; the next start reaps the servers", async () => {
    const cli = spawnCli(
      [
        "validate",
        "--deployment",
        deploymentFile(TWO_STEPS.replace("[none, cassandra]", "[cassandra]")),
        "--out",
        join(dir, "out"),
      ],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    const pid = cli.child.pid as number;
    await cli.waitFor(/starting 3 ZooKeeper/, 60_000);
    expect(neighboursOf(pid).length).toBe(1);
    cli.child.kill("SIGKILL");
    await cli.exited;
    const deadline = Date.now() + 10_000;
    while (neighboursOf(pid).length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(neighboursOf(pid)).toEqual([]);
    expect(readdirSync(join(root, "neighbours"))).toEqual([]);
    const reap = spawnCli(["ensemble", "reap"], { ZK_CHAOS_RUNTIME_DIR: root });
    expect(await reap.exited, reap.output()).toBe(0);
    expect(jvmsUnderRoot()).toEqual([]);
  }, 120_000);

  it("a real Cassandra node beside the servers: resolved with Maven, written to and compacting while the step runs, measured, then stopped with its files", async () => {
    const out = join(dir, "out");
    const cli = spawnCli(
      ["validate", "--deployment", deploymentFile(ONE_NODE_STEP), "--out", out, "--seed", "5"],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    const pid = cli.child.pid as number;
    // The neighbour's child and its Cassandra JVM, both marked as this harness's.
    await cli.waitFor(/starting 3 ZooKeeper/, 240_000);
    expect(
      neighboursOf(pid).some((each) =>
        (processArgs(each) ?? []).includes("org.apache.cassandra.service.CassandraDaemon"),
      ),
      cli.output(),
    ).toBe(true);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(
      /3 servers, neighbour cassandra-node, all-up: (at least 2|0) agent\(s\)/,
    );
    const [report] = readdirSync(out).filter((name) => name.endsWith("-deployment-one-node-step"));
    const json = JSON.parse(
      readFileSync(join(out, report as string, "deployment.json"), "utf8"),
    ) as {
      ramps: { steps: { neighbour?: { fsyncedMbPerS: number; fsyncs: number } }[] }[];
    };
    const step = json.ramps[0]?.steps[0];
    // Rows acknowledged after their commit log was fsync'd, measured by the writer itself.
    expect(step?.neighbour?.fsyncedMbPerS, cli.output()).toBeGreaterThan(1);
    expect(step?.neighbour?.fsyncs).toBeGreaterThan(10);
    expectNothingLeft(pid);
  }, 300_000);

  it("SIGTERM while a real Cassandra node runs: exit 143, the node, its writer and their files gone", async () => {
    // The neighbour's child and its Cassandra JVM.
    await sigtermWhileNeighbourRuns(ONE_NODE_STEP, 2, 240_000);
  }, 300_000);

  it("a bad deployment file: exit 2 naming file, line and field; nothing made", async () => {
    const out = join(dir, "out");
    const cli = spawnCli(
      [
        "validate",
        "--deployment",
        deploymentFile("name: bad\nsizes: [3]\nagents: { ramp: [40, 20] }\n"),
        "--out",
        out,
      ],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/plan\.yaml:3: agents\.ramp: ascending agent counts/);
    expect(existsSync(out)).toBe(false);
    const both = spawnCli(["validate", "--deployment", join(dir, "plan.yaml"), "--nodes", "3"]);
    expect(await both.exited).toBe(2);
    expect(both.output()).toMatch(
      /--deployment .* sets the sizes, agents and settings itself: drop --nodes/,
    );
    const neither = spawnCli(["validate"]);
    expect(await neither.exited).toBe(2);
    expect(neither.output()).toMatch(/validate needs --nodes 3,5,7 .* or --deployment FILE/);
  });
});
