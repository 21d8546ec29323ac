import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CPU_GROUP_PREFIX,
  capCpu,
  cpuGroupName,
  cpuHierarchy,
  processCpuMs,
} from "../../../src/ensemble/cpu-limit.js";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import {
  expectNothingLeft,
  freshRuntimeRoot,
  killHarness,
  startHarness,
  startNextRun,
} from "../../helpers/runtime.js";

const root = freshRuntimeRoot();

const hierarchy = cpuHierarchy();
const ourGroups = () =>
  hierarchy === undefined
    ? []
    : readdirSync(hierarchy.root).filter((name) => name.startsWith(CPU_GROUP_PREFIX));
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A process that spins for at most `ms`, then exits by itself. */
function spinner(ms: number) {
  return spawn(
    process.execPath,
    ["-e", `const end = Date.now() + ${ms}; while (Date.now() < end) {}`],
    {
      stdio: "ignore",
    },
  );
}

describe.skipIf(hierarchy === undefined)("starve: a server held to a fraction of one core", () => {
  it("a capped process gets its fraction, measured by the kernel; the release lifts the cap and removes the group", async () => {
    const child = spinner(8000);
    try {
      const pid = child.pid as number;
      // Named as a harness names its groups, so a crash here leaves nothing the next run keeps.
      const name = cpuGroupName("capped-spinner", 1);
      const cap = capCpu(pid, name, 0.1);
      await sleep(2000);
      const got = cap.measure();
      // The CFS quota is a ceiling: on a noisy machine it can get less, never more.
      expect(got.share).toBeLessThan(0.16);
      expect(got.throttledPeriods).toBeGreaterThan(5);
      cap.release();
      expect(ourGroups()).not.toContain(name);
      // Free again, the spinner gets far more than its former cap.
      const before = processCpuMs(pid) as number;
      await sleep(1000);
      expect((processCpuMs(pid) as number) - before).toBeGreaterThan(300);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("the nemesis starves the leader, records it slow and what it got, and the heal feeds it", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root() });
    try {
      const history = new MemorySink();
      const recorder = new HistoryRecorder([history]);
      const nemesis = new Nemesis({ ensemble, seed: 1, recorder });
      const fault = await nemesis.start({ kind: "starve", target: "leader", cpu: 0.05 }, "starve");
      const [server] = fault.detail.servers as [number];
      expect(nemesis.view().conditions[server]).toBe("slow");
      expect(String(fault.detail.how)).toMatch(/^cgroup v[12] .*: 5000 µs of CPU every 100000 µs$/);
      await sleep(2000);
      await nemesis.heal("starve");
      expect(nemesis.view().conditions[server]).toBe("up");
      const fed = history.events.find((event) => event.f === "fed");
      expect(fed?.value).toMatchObject({ id: "starve", server, cpu: 0.05 });
      const share = (fed?.value as { share?: number } | undefined)?.share;
      expect(share).toBeLessThan(0.08);
      expect(ourGroups().filter((name) => name.includes(ensemble.runId))).toEqual([]);
    } finally {
      await ensemble.dispose();
    }
    await expectNothingLeft(ensemble, root());
  });

  it("a harness killed with SIGKILL mid-starve leaves a group that the next start removes", async () => {
    const child = await startHarness(
      [
        `const e = await zk.startLocalEnsemble({ nodes: 1, runtimeRoot: ${JSON.stringify(root())} });`,
        "await new zk.Nemesis({ ensemble: e, seed: 1 }).start({ kind: 'starve', target: 1, cpu: 0.2 });",
      ],
      "starved",
    );
    const groups = ourGroups().filter((name) => name.includes(`${child.pid}_`));
    expect(groups).toHaveLength(1);
    await killHarness(child);

    // Any harness that starts next reaps it (groups are machine-wide): here, or a test beside this one.
    const { next } = await startNextRun(root());
    expect(ourGroups().filter((name) => name.includes(`${child.pid}_`))).toEqual([]);
    await expectNothingLeft(next, root());
  });
});
