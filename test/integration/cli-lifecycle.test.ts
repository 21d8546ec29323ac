import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import {
  jvmsUnder,
  leakedPortLocks,
  makeRuntimeRoot,
  removeRuntimeRoot,
  startNextRun,
} from "../helpers/runtime.js";

let root: string;
beforeEach(() => {
  root = makeRuntimeRoot();
});
afterEach(() => removeRuntimeRoot(root));

/** JVMs whose config lives under this test's runtime root. */
const jvmsUnderRoot = () => jvmsUnder(root);

function leftovers(): Record<string, string[]> {
  const list = (dir: string) => {
    try {
      return readdirSync(join(root, dir));
    } catch {
      return [];
    }
  };
  return { runs: list("runs"), registry: list("registry"), ports: leakedPortLocks() };
}

const NOTHING = { runs: [], registry: [], ports: [] };

describe("zk-chaos ensemble up", () => {
  it("starts an ensemble, prints its connect string and statuses, stops after --for", async () => {
    const cli = spawnCli(["ensemble", "up", "--nodes", "3", "--for", "1s"], {
      ZK_CHAOS_RUNTIME_DIR: root,
    });
    expect(await cli.exited).toBe(0);
    const output = cli.output();
    expect(output).toMatch(/ensemble of 3 up in .* \(ZooKeeper 3\.8\.0, tickTime 200 ms\)/);
    expect(output).toMatch(/connect string: 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/);
    expect(output.match(/ leader /g)).toHaveLength(1);
    expect(output.match(/ follower /g)).toHaveLength(2);
    expect(output).toMatch(/1\.00 s elapsed: stopping\nstopped; no server left running/);
    expect(jvmsUnderRoot()).toEqual([]);
    expect(leftovers()).toEqual(NOTHING);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s stops every server and removes its folder",
    async (signal) => {
      const cli = spawnCli(["ensemble", "up", "--nodes", "3"], { ZK_CHAOS_RUNTIME_DIR: root });
      await cli.waitFor(/running until Ctrl-C/);
      expect(jvmsUnderRoot()).toHaveLength(3);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(new RegExp(`${signal} received: stopping`));
      expect(jvmsUnderRoot()).toEqual([]);
      expect(leftovers()).toEqual(NOTHING);
    },
  );

  it("a harness killed with SIGKILL leaves servers that the next start reaps", async () => {
    const cli = spawnCli(["ensemble", "up", "--nodes", "3"], { ZK_CHAOS_RUNTIME_DIR: root });
    await cli.waitFor(/running until Ctrl-C/);
    cli.child.kill("SIGKILL");
    expect(await cli.exited).toBe("SIGKILL");
    const orphans = jvmsUnderRoot();
    expect(orphans).toHaveLength(3);
    expect(leftovers().runs).toHaveLength(1);

    const { log } = await startNextRun(root);
    const reaped = log.filter((line) => line.startsWith("reaped orphan ZooKeeper server"));
    expect(reaped).toHaveLength(3);
    for (const pid of orphans) expect(reaped.join("\n")).toContain(`(pid ${pid})`);
    expect(log.some((line) => line.startsWith("removed folder of dead run"))).toBe(true);
    expect(jvmsUnderRoot()).toEqual([]);
    expect(leftovers()).toEqual(NOTHING);
  });

  it("`ensemble reap` says when there is nothing to reap", async () => {
    // No engine: the docker tests' own orphans (running in parallel) are theirs to reap.
    const cli = spawnCli(["ensemble", "reap"], {
      ZK_CHAOS_RUNTIME_DIR: root,
      DOCKER_HOST: "unix:///nonexistent/docker.sock",
    });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toBe("nothing to reap\n");
  });

  it("--client-port on a taken port is a clear input error (exit 2) that starts nothing", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const cli = spawnCli(["ensemble", "up", "--nodes", "3", "--client-port", String(port)], {
        ZK_CHAOS_RUNTIME_DIR: root,
      });
      expect(await cli.exited).toBe(2);
      expect(cli.output()).toMatch(
        new RegExp(
          `port ${port} on 127\\.0\\.0\\.1 is already taken: .*choose another first client port`,
        ),
      );
      expect(jvmsUnderRoot()).toEqual([]);
      expect(leftovers()).toEqual(NOTHING);
    } finally {
      holder.close();
    }
  });

  it("bad input exits with code 2 and starts nothing", async () => {
    const cli = spawnCli(["ensemble", "up", "--nodes", "0"], { ZK_CHAOS_RUNTIME_DIR: root });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/must be an integer from 1 to 9/);
    expect(jvmsUnderRoot()).toEqual([]);
  });
});
