import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkHistoryFile } from "../../src/checkers/check-history.js";
import { CLI, spawnCli, spawnCommand } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-refusals-"));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

const AS_NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];

/** Root can run the CLI as user nobody: setpriv is there and nobody reaches Node and the CLI (a clone in a private folder does not). */
const canDropRoot =
  process.getuid?.() === 0 &&
  spawnSync(
    "setpriv",
    [...AS_NOBODY, process.execPath, "-e", `require("node:fs").accessSync(${JSON.stringify(CLI)})`],
    { encoding: "utf8" },
  ).status === 0;

describe("honest outcomes: what cannot run is refused before anything starts, with the fix", () => {
  it("a server id outside the sizes of --nodes: exit 2 naming file:line and --nodes; no run folder", async () => {
    const file = scenario(
      "target.yaml",
      "name: target\nnodes: [5]\nduration: 3s\nfaults:\n  - { at: 1s, fault: { kind: kill, target: 5 } }\n",
    );
    const out = join(dir, "target-out");
    const cli = spawnCli(["run", file, "--nodes", "3", "--out", out]);
    expect(await cli.exited, cli.output()).toBe(2);
    expect(cli.output()).toMatch(
      /target\.yaml:5: faults\.0\.fault\.target: server 5 does not exist in a 3-node ensemble: .* \(the sizes are --nodes 3\)/,
    );
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("a session timeout ZooKeeper would silently clamp: exit 2 with the bounds and the setting to change", async () => {
    const file = scenario(
      "session.yaml",
      "name: session\nnodes: [3]\nworkload: { kind: registers, sessionTimeout: 1ms }\n",
    );
    const cli = spawnCli(["run", file, "--dry-run"]);
    expect(await cli.exited, cli.output()).toBe(2);
    expect(cli.output()).toMatch(
      /session\.yaml:3: workload\.sessionTimeout: 1 ms is outside what the servers grant \(400-4000 ms with tickTime 200 ms\), so ZooKeeper would silently use 400 ms: use at least 400 ms, or set zookeeper\.minSessionTimeout/,
    );
  });

  it.skipIf(!canDropRoot)(
    "a fault this machine cannot make for this user (slow-fsync without root): exit 2 before any server starts",
    async () => {
      const file = scenario(
        "fsync.yaml",
        "name: fsync\nnodes: [3]\nduration: 4s\nfaults:\n  - { at: 1s, for: 2s, fault: { kind: slow-fsync, target: 1, delay: 100ms } }\n",
      );
      const out = join(dir, "fsync-out");
      mkdirSync(out);
      chmodSync(out, 0o777);
      // The same CLI as user nobody: no root, so no FUSE mount.
      const cli = spawnCommand(
        "setpriv",
        [...AS_NOBODY, process.execPath, CLI, "run", file, "--out", out],
        { HOME: dir },
      );
      expect(await cli.exited, cli.output()).toBe(2);
      expect(cli.output()).toMatch(
        /fsync\.yaml: fault 'slow-fsync' \(f1\) needs root \(it mounts a FUSE file system\), which this machine lacks: give it what it needs \('zk-chaos doctor' says how\) or leave the fault out/,
      );
      expect(cli.output()).not.toMatch(/starting \d+ ZooKeeper/);
    },
  );

  it("a clock fault without libfaketime, and on the docker provider: exit 2 naming the fix, before any server starts", async () => {
    const file = scenario(
      "clock.yaml",
      "name: clock\nnodes: [3]\nduration: 4s\nfaults:\n  - { at: 1s, fault: { kind: clock, target: leader, offset: +1h } }\n",
    );
    const missing = spawnCli(["run", file, "--out", join(dir, "clock-out")], {
      ZK_CHAOS_LIBFAKETIME: join(dir, "no-libfaketime.so"),
    });
    expect(await missing.exited, missing.output()).toBe(2);
    expect(missing.output()).toMatch(
      /clock\.yaml: fault 'clock' \(f1\) needs libfaketime: ZK_CHAOS_LIBFAKETIME names .*no-libfaketime\.so, which does not exist/,
    );
    expect(missing.output()).not.toMatch(/starting \d+ ZooKeeper/);
    const docker = spawnCli(["run", file, "--provider", "docker", "--out", join(dir, "clock-out")]);
    expect(await docker.exited, docker.output()).toBe(2);
    expect(docker.output()).toMatch(
      /clock.*preloads libfaketime into the server's JVM, which the image does not carry: use --provider local/,
    );
  });

  it("a history with no client operation is valid, as Knossos rules, with a note that nothing was checked", async () => {
    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const nemesisOnly = join(dir, "nemesis.jsonl");
    writeFileSync(
      nemesisOnly,
      `${JSON.stringify({ index: 0, time: 0, process: "nemesis", type: "info", f: "start", value: null })}\n`,
    );
    for (const file of [empty, nemesisOnly]) {
      const check = await checkHistoryFile(file);
      expect(check.valid, file).toBe(true);
      expect(check.notes.at(-1)).toMatch(/^no client operation in this history: valid/);
    }
    const cli = spawnCli(["check", empty]);
    expect(await cli.exited, cli.output()).toBe(0);
  });
});
