import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import { spawnCli } from "../../helpers/cli.js";
import { freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();
const runFolder = (output: string) => /reports -> (\S+)/.exec(output)?.[1] as string;

describe("--connect: checking an ensemble that already runs", () => {
  it("learns it from srvr, runs client-side faults only, writes only under its root and removes it; never touches a server", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root() });
    try {
      const connect = ensemble.connectString();
      {
        await using session = await ZkSession.open(connect);
        await session.create("/theirs", "keep");
      }
      const pids = ensemble.servers.map((server) => (server as { pid?: number }).pid);
      const out = join(root(), "reports");

      // Not confirmed, no terminal: refused before anything is written.
      const unconfirmed = spawnCli([
        "run",
        "scenarios/baseline.yaml",
        "--connect",
        connect,
        "--out",
        out,
      ]);
      expect(await unconfirmed.exited).toBe(2);
      expect(unconfirmed.output()).toContain("WARNING: --connect writes to the existing ensemble");
      expect(unconfirmed.output()).toContain("add --yes to confirm");

      // A server fault is refused up front, naming it.
      const killer = spawnCli([
        "run",
        "scenarios/kill-leader.yaml",
        "--connect",
        connect,
        "--yes",
        "--out",
        out,
      ]);
      expect(await killer.exited).toBe(2);
      expect(killer.output()).toMatch(
        /fault 'kill' \(f1\) acts on servers; with --connect only client-side faults run/,
      );

      const run = spawnCli(
        [
          "run",
          "scenarios/client-partition.yaml",
          "--connect",
          connect,
          "--yes",
          "--duration",
          "12s",
          "--seed",
          "5",
          "--out",
          out,
        ],
        { ZK_CHAOS_RUNTIME_DIR: root() },
      );
      expect(await run.exited, run.output()).toBe(0);
      const results = JSON.parse(
        readFileSync(join(runFolder(run.output()), "results.json"), "utf8"),
      );
      expect(results).toMatchObject({ nodes: 3, zooKeeperVersion: "3.8.0", valid: true });
      const history = readFileSync(join(runFolder(run.output()), "history.jsonl"), "utf8");
      expect(history).toMatch(/"f":"client-isolate"/);

      // Only the run's own root was written, and it is gone; their znode and servers are as they were.
      await using session = await ZkSession.open(connect);
      expect((await session.getChildren("/")).children.sort()).toEqual(["theirs", "zookeeper"]);
      expect((await session.getData("/theirs")).data.toString()).toBe("keep");
      expect(ensemble.servers.map((server) => (server as { pid?: number }).pid)).toEqual(pids);
      expect(ensemble.servers.every((server) => server.processState === "running")).toBe(true);
      expect(readdirSync(out).length).toBeGreaterThan(0);

      // Interrupted mid-run: its root is removed all the same.
      const interrupted = spawnCli(
        [
          "run",
          "scenarios/client-partition.yaml",
          "--connect",
          connect,
          "--yes",
          "--duration",
          "30s",
          "--out",
          out,
        ],
        { ZK_CHAOS_RUNTIME_DIR: root() },
      );
      await interrupted.waitFor(/\| running \|.*[1-9]\d* ops/, 60_000);
      expect((await session.getChildren("/")).children.length).toBe(3);
      interrupted.child.kill("SIGTERM");
      expect(await interrupted.exited, interrupted.output()).toBe(143);
      expect((await session.getChildren("/")).children.sort()).toEqual(["theirs", "zookeeper"]);
    } finally {
      await ensemble.dispose();
    }
  });
});
