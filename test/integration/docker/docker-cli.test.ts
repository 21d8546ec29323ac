import { createServer, type Server } from "node:net";
import { afterEach, beforeEach, expect, it } from "vitest";
import { labelledResources, OWNER_LABEL } from "../../../src/docker/docker-engine.js";
import { processStartTime } from "../../../src/util/process-identity.js";
import { type CliProcess, spawnCli } from "../../helpers/cli.js";
import { describeOnProvider, expectNoDockerLeft } from "../../helpers/provider.js";
import { leakedPortLocks, makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeEach(() => {
  root = makeRuntimeRoot();
});
afterEach(() => removeRuntimeRoot(root));

/** The containers a CLI process owns (its owner label is its pid:starttime token). */
async function containersOf(cli: CliProcess, token?: string): Promise<string[]> {
  const owner = token ?? `${cli.child.pid}:${processStartTime(cli.child.pid as number)}`;
  return (await labelledResources({ [OWNER_LABEL]: owner })).containers;
}

const up = (extra: string[] = []) =>
  spawnCli(["ensemble", "up", "--provider", "docker", "--network", "--nodes", "3", ...extra], {
    ZK_CHAOS_RUNTIME_DIR: root,
  });

describeOnProvider("the CLI on the docker provider: interrupted and killed", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s during `ensemble up` removes every container (3 servers and Toxiproxy)",
    async (signal) => {
      const cli = up();
      await cli.waitFor(/running until Ctrl-C/, 60_000);
      expect(cli.output()).toMatch(/Toxiproxy container \w+ \(zk-chaos\/toxiproxy:local\)/);
      expect(await containersOf(cli)).toHaveLength(4);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(0);
      await expectNoDockerLeft();
      expect(leakedPortLocks()).toEqual([]);
    },
  );

  it("SIGINT in the middle of `zk-chaos run` stops it and leaves nothing", async () => {
    const cli = spawnCli(
      [
        "run",
        "scenarios/kill-leader.yaml",
        "--provider",
        "docker",
        "--duration",
        "30s",
        "--out",
        root,
      ],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    await cli.waitFor(/\| running \|/, 60_000);
    const token = `${cli.child.pid}:${processStartTime(cli.child.pid as number)}`;
    expect(await containersOf(cli, token)).toHaveLength(4);
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    expect(cli.output()).toMatch(/interrupted \(SIGINT\): stopped after 1 run/);
    // A late heal must not bring containers back after the teardown.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await containersOf(cli, token)).toEqual([]);
    await expectNoDockerLeft();
  });

  it("a CLI killed with SIGKILL leaves containers that `ensemble reap` removes", async () => {
    const cli = up();
    await cli.waitFor(/running until Ctrl-C/, 60_000);
    const token = `${cli.child.pid}:${processStartTime(cli.child.pid as number)}`;
    const orphans = await containersOf(cli, token);
    expect(orphans).toHaveLength(4);
    cli.child.kill("SIGKILL");
    expect(await cli.exited).toBe("SIGKILL");
    expect(await containersOf(cli, token)).toHaveLength(4);
    const reap = spawnCli(["ensemble", "reap"], { ZK_CHAOS_RUNTIME_DIR: root });
    expect(await reap.exited).toBe(0);
    // Any zk-chaos start reaps orphans too (another docker test file may run in parallel and
    // get there first): reap names only orphans, and afterwards none is left.
    const named = [...reap.output().matchAll(/removed orphan container (\w+)/g)].map((m) => m[1]);
    for (const id of named) expect(orphans).toContain(id);
    expect(await containersOf(cli, token)).toEqual([]);
    await expectNoDockerLeft();
  });

  it("a client port already taken is a clear input error (exit 2) and starts nothing", async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const cli = up(["--client-port", String(port)]);
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toMatch(
        new RegExp(
          `port ${port} on 127\\.0\\.0\\.1 is already taken: server i listens on client port ${port} \\+ i - 1`,
        ),
      );
      await expectNoDockerLeft();
      expect(leakedPortLocks()).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it("says clearly when no engine answers (exit 2)", async () => {
    const cli = spawnCli(["ensemble", "up", "--provider", "docker", "--nodes", "1"], {
      ZK_CHAOS_RUNTIME_DIR: root,
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/no Docker engine reachable .*set DOCKER_HOST.*--provider local/);
  });
});
