import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { settingsFromOptions } from "../../../src/cli/ensemble-command.js";
import { describeFailure, main } from "../../../src/cli/main.js";
import { BadInputError } from "../../../src/errors.js";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

describe("zk-chaos CLI parsing", () => {
  it("prints help and version with exit code 0", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: zk-chaos/);
    expect(help.out).toMatch(/ensemble/);
    const version = await run("--version");
    expect(version.code).toBe(0);
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([["0"], ["10"], ["three"], ["2.5"], ["-1"]])(
    "rejects --nodes %s with exit code 2",
    async (nodes) => {
      const result = await run("ensemble", "up", "--nodes", nodes);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(
        /--nodes <n>' argument '.*' is invalid\. must be an integer from 1 to 9/,
      );
    },
  );

  it("rejects unknown flags, commands and bad values with exit code 2", async () => {
    expect((await run("ensemble", "up", "--bogus")).err).toMatch(/unknown option '--bogus'/);
    expect((await run("ensemble", "up", "--bogus")).code).toBe(2);
    expect((await run("explode")).code).toBe(2);
    const badFor = await run("ensemble", "up", "--for", "soon");
    expect(badFor.code).toBe(2);
    expect(badFor.err).toMatch(/must be a duration like/);
    const badProfile = await run("ensemble", "up", "--profile", "turbo");
    expect(badProfile.err).toMatch(/Allowed choices are fast, production/);
    expect((await run("ensemble", "up", "--zk-config", "noequals")).err).toMatch(/key=value/);
    // A bad version list says why (it once exited 2 in silence).
    const badVersions = await run("zookeeper", "fetch", "3.x");
    expect(badVersions.code).toBe(2);
    expect(badVersions.err).toMatch(/'3\.x' is invalid .* written x\.y\.z/);
  });

  it("fails cleanly, before starting anything, on a bad setting or install", async () => {
    const setting = await run("ensemble", "up", "--nodes", "1", "--zk-config", "dataDir=/x");
    expect(setting.code).toBe(2);
    expect(setting.err).toMatch(/zk-chaos: error: zoo.cfg key 'dataDir' is set by zk-chaos/);
    const java = await run("ensemble", "up", "--nodes", "1", "--java", "/nonexistent/java");
    expect(java.code).toBe(2);
    expect(java.err).toMatch(/Java not found at '\/nonexistent\/java'/);
    const zk = await run("ensemble", "up", "--nodes", "1", "--zk-home", "/nonexistent");
    expect(zk.code).toBe(2);
    expect(zk.err).toMatch(/ZooKeeper not found.*apt-get install -y zookeeper/);
  });

  it("run --dry-run prints each run's plan, starts nothing and writes no folder", async () => {
    const out = join(tmpdir(), `zk-chaos-dry-${process.pid}`);
    const dry = await run(
      "run",
      "scenarios/kill-leader.yaml",
      "-n",
      "3,5",
      "--seed",
      "3",
      "--duration",
      "10",
      "--dry-run",
      "--out",
      out,
    );
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(
      "kill-leader n=3 seed=3 (scenarios/kill-leader.yaml): 10.00 s on local",
    );
    expect(dry.out).toMatch(/ {2}f1 at 2\.50 s: kill \{"target":"leader"\} for 3\.00 s/);
    expect(dry.out).toContain("2 run(s), 20.00 s of workload in all; nothing started\n");
    expect(dry.err).toBe("");
    expect(existsSync(out)).toBe(false);
    // What the provider can never make is refused in a dry run too, as the run would.
    const clock = await run(
      "run",
      "scenarios/clock-jump.yaml",
      "--provider",
      "docker",
      "--seed",
      "1",
      "--dry-run",
    );
    expect(clock.code).toBe(2);
    expect(clock.err).toMatch(
      /scenarios\/clock-jump.yaml: fault 'clock' \(f1\) preloads libfaketime .*the docker provider cannot make it/,
    );
  });

  it("turns only the flags given into setting overrides", () => {
    expect(
      settingsFromOptions({
        nodes: 3,
        profile: "fast",
        tickTime: 2000,
        zkConfig: ["snapCount=10", "tickTime=500"],
      }),
      // The dedicated flag wins over a zoo.cfg entry.
    ).toEqual({ tickTime: 2000, extraConfig: { snapCount: "10" } });
  });
});

describe("how a command's failure is told", () => {
  it("bad input is exit 2 with its message; a bug in zk-chaos is exit 4, its stack only under --debug", () => {
    expect(describeFailure(new BadInputError("no such file"), false)).toEqual({
      text: "zk-chaos: error: no such file\n",
      code: 2,
    });
    const bug = new TypeError("cannot read properties of undefined");
    const plain = describeFailure(bug, false);
    expect(plain.code).toBe(4);
    expect(plain.text).toMatch(
      /internal error: cannot read properties of undefined\n.*run again with --debug/,
    );
    expect(plain.text).not.toMatch(/ at /);
    expect(describeFailure(bug, true).text).toMatch(
      /TypeError: cannot read properties of undefined\n\s+at /,
    );
  });

  it("--debug is accepted anywhere and changes nothing else", async () => {
    const result = await run("--debug", "--version");
    expect(result.code).toBe(0);
    expect((await run("ensemble", "up", "--nodes", "0", "--debug")).code).toBe(2);
  });
});
