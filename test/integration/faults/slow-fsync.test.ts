import { closeSync, fsyncSync, openSync, readdirSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { mountsUnder } from "../../../src/ensemble/local/log-disk.js";
import { slowFsyncUnavailable } from "../../../src/ensemble/local/slow-fsync.js";
import { OWNER_MARKER } from "../../../src/ensemble/run-registry.js";
import { logDirOf } from "../../../src/ensemble/server-setup.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { processArgs } from "../../../src/util/process-identity.js";
import { expectWritable } from "../../helpers/faulty-ensemble.js";
import {
  expectNothingLeft,
  freshRuntimeRoot,
  killHarness,
  startHarness,
  startNextRun,
} from "../../helpers/runtime.js";

const root = freshRuntimeRoot();
const unavailable = slowFsyncUnavailable();

/** Live processes a harness (by pid) started and marked as its own. */
function processesOwnedBy(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) =>
      (processArgs(candidate) ?? []).some((arg) => arg.startsWith(`${OWNER_MARKER}${pid}:`)),
    );
}

/** How long one fsync of a fresh file in `dir` takes (ms). */
function fsyncMs(dir: string): number {
  const fd = openSync(join(dir, `probe-${process.pid}`), "w");
  try {
    writeSync(fd, "x");
    const started = performance.now();
    fsyncSync(fd);
    return performance.now() - started;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(unavailable !== undefined)(
  `slow-fsync: a server's log on a FUSE pass-through whose fsync waits${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    it("every fsync of the log waits the delay while the fault is in force, ZooKeeper's among them; the heal restores it; nothing is left", async () => {
      const ensemble = await startLocalEnsemble({ nodes: 3, slowFsync: true, runtimeRoot: root() });
      const logDir = logDirOf(ensemble.dir, 2);
      try {
        expect(mountsUnder(ensemble.dir)).toContain(logDir);
        const history = new MemorySink();
        const nemesis = new Nemesis({
          ensemble,
          seed: 1,
          recorder: new HistoryRecorder([history]),
        });
        await nemesis.start({ kind: "slow-fsync", target: 2, delay: 300 }, "slow");
        // A sleep is never shorter than asked: this bound holds on any machine.
        expect(fsyncMs(logDir)).toBeGreaterThanOrEqual(290);
        for (let i = 0; i < 5; i++) await expectWritable(ensemble, [1]);
        await nemesis.heal("slow");
        const restored = history.events.find((event) => event.f === "fsync-restored");
        expect(restored?.value).toMatchObject({ server: 2 });
        // Server 2 logged the writes and forced them to disk through the pass-through.
        expect(
          (restored?.value as { slowedFsyncs?: number } | undefined)?.slowedFsyncs,
        ).toBeGreaterThan(1);
      } finally {
        await ensemble.dispose();
      }
      expect(mountsUnder(root())).toEqual([]);
      await expectNothingLeft(ensemble, root());
    });

    it("a harness killed with SIGKILL leaves the file systems and their daemons, which the next start removes", async () => {
      const child = await startHarness(
        [
          `await zk.startLocalEnsemble({ nodes: 1, slowFsync: true, runtimeRoot: ${JSON.stringify(root())} });`,
        ],
        "mounted",
      );
      await killHarness(child);
      expect(mountsUnder(root())).toHaveLength(1);
      // The JVM and the file system's daemon outlive their harness...
      expect(processesOwnedBy(child.pid as number).length).toBe(2);
      const { next } = await startNextRun(root());
      // ...until the next start reaps them and unmounts what they served.
      expect(processesOwnedBy(child.pid as number)).toEqual([]);
      expect(mountsUnder(root()).filter((point) => !point.includes(next.runId))).toEqual([]);
      await expectNothingLeft(next, root());
    });
  },
);
