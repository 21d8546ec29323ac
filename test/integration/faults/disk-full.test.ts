import { readFileSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { mountedLogDisks } from "../../../src/ensemble/local/log-disk.js";
import { logDirOf } from "../../../src/ensemble/server-setup.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import {
  expectNothingLeft,
  killHarness,
  makeRuntimeRoot,
  removeRuntimeRoot,
  startHarness,
  startNextRun,
} from "../../helpers/runtime.js";

let root: string;
beforeEach(() => {
  root = makeRuntimeRoot();
});
afterEach(() => removeRuntimeRoot(root));

const freeBytes = (dir: string) => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

const mountsUnderRoot = () => mountedLogDisks().filter((point) => point.startsWith(root));

describe("disk-full: a server's transaction log on a small disk of its own", () => {
  it("the full disk returns ENOSPC to the server; the heal frees it; dispose unmounts it", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 1, logDiskMb: 8, runtimeRoot: root });
    try {
      const logDir = logDirOf(ensemble.dir, 1);
      expect(mountsUnderRoot()).toEqual([logDir]);
      expect(readFileSync(join(ensemble.dir, "server-1", "conf", "zoo.cfg"), "utf8")).toContain(
        `dataLogDir=${logDir}`,
      );
      const nemesis = new Nemesis({ ensemble, seed: 1 });
      const fault = await nemesis.start({ kind: "disk-full", target: 1 }, "full");
      expect(fault.detail).toMatchObject({ servers: [1] });
      expect(freeBytes(logDir)).toBe(0);
      // A new session is a transaction: logging it, the server gets ENOSPC and says so.
      await ZkSession.open(ensemble.connectString(), {
        operationTimeoutMs: 3000,
        connectTimeoutMs: 3000,
      })
        .then(
          (session) => session.create("/filler-test", "x").finally(() => session.close()),
          () => undefined,
        )
        .catch(() => undefined);
      await expect
        .poll(() => readFileSync(ensemble.servers[0]?.logFile as string, "utf8"), {
          timeout: 10_000,
        })
        .toMatch(/No space left on device/);
      await nemesis.heal("full");
      expect(freeBytes(logDir)).toBeGreaterThan(7 * 1024 * 1024);
    } finally {
      await ensemble.dispose();
    }
    expect(mountsUnderRoot()).toEqual([]);
    await expectNothingLeft(ensemble, root);
  });

  it("a harness killed with SIGKILL leaves a mounted log disk that the next start unmounts", async () => {
    const child = await startHarness(
      [
        `await zk.startLocalEnsemble({ nodes: 1, logDiskMb: 8, runtimeRoot: ${JSON.stringify(root)} });`,
      ],
      "up",
    );
    await killHarness(child);
    expect(mountsUnderRoot()).toHaveLength(1);

    const { log, next } = await startNextRun(root);
    expect(mountsUnderRoot()).toEqual([]);
    expect(log.some((line) => line.startsWith("removed folder of dead run"))).toBe(true);
    await expectNothingLeft(next, root);
  });

  it("an ensemble started without log disks refuses the fault, naming why", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 1, runtimeRoot: root });
    try {
      const nemesis = new Nemesis({ ensemble, seed: 1 });
      await expect(nemesis.start({ kind: "disk-full", target: 1 })).rejects.toThrow(
        /server 1 has no log disk of its own to fill: start the ensemble with logDiskMb/,
      );
    } finally {
      await ensemble.dispose();
    }
  });
});
