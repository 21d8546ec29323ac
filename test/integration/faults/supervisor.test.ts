import { describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { expectNothingLeft, freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();

describe("supervisor: any server down for restartAfter is started again, as Exhibitor would", () => {
  it("restarts a killed server while the fault is in force, and a server that died by itself; the heal finds it running", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root() });
    try {
      const history = new MemorySink();
      const nemesis = new Nemesis({ ensemble, seed: 1, recorder: new HistoryRecorder([history]) });
      const stop = nemesis.supervise(1000);
      await nemesis.start({ kind: "kill", target: 2 }, "k");
      expect(nemesis.view().conditions[2]).toBe("down");
      await expect
        .poll(() => ensemble.server(2).processState, { timeout: 10_000, interval: 100 })
        .toBe("running");
      const restarted = history.events.find((event) => event.f === "supervisor-restart");
      expect(restarted?.value).toMatchObject({ server: 2 });
      expect((restarted?.value as { downMs?: number } | undefined)?.downMs).toBeGreaterThanOrEqual(
        1000,
      );
      // The connectivity after the restart is in the history: the checkers see it up again.
      const view = history.events.filter((event) => event.f === "connectivity").at(-1);
      const conditions = (view?.value as { conditions?: Record<number, string> } | undefined)
        ?.conditions;
      expect(conditions?.[2]).toBe("up");
      const pid = ensemble.server(2).pid;
      await nemesis.heal("k");
      expect(ensemble.server(2).pid).toBe(pid);

      // A JVM that dies without the nemesis (an OOM, a crash) is brought back the same way.
      process.kill(ensemble.server(3).pid as number, "SIGKILL");
      await expect
        .poll(() => history.events.filter((event) => event.f === "supervisor-restart").length, {
          timeout: 10_000,
          interval: 100,
        })
        .toBe(2);
      await ensemble.waitForQuorum({ timeoutMs: 30_000 });
      await stop();
      // Stopped, it restarts nothing.
      await nemesis.start({ kind: "kill", target: 1 }, "k2");
      await new Promise((done) => setTimeout(done, 1500));
      expect(ensemble.server(1).processState).toBe("stopped");
      await nemesis.heal("k2");
    } finally {
      await ensemble.dispose();
    }
    await expectNothingLeft(ensemble, root());
  });
});
