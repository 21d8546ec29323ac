import { describe, expect, it } from "vitest";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { expectNothingLeft, freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();

describe("a fault whose target is the server of a fault that has not hit one", () => {
  it("is skipped, and so are the faults after it; the rest of the schedule runs and heals", async () => {
    const ensemble = await startLocalEnsemble({ nodes: 1, runtimeRoot: root() });
    try {
      const history = new MemorySink();
      const lines: string[] = [];
      const nemesis = new Nemesis({
        ensemble,
        seed: 1,
        recorder: new HistoryRecorder([history]),
        log: (line) => lines.push(line),
      });
      // x1 names x2, which starts later: nothing to hit the same way yet (explore drew this).
      await nemesis.run([
        { id: "x1", at: 0, durationMs: 200, spec: { kind: "pause", target: { "same-as": "x2" } } },
        { id: "x3", after: "x1", at: 0, durationMs: 200, spec: { kind: "pause", target: 1 } },
        { id: "x2", at: 300, durationMs: 200, spec: { kind: "pause", target: 1 } },
      ]);
      expect(lines).toContain(
        "nemesis: x1 skipped: target same-as x2: that fault has not hit a server (yet)",
      );
      const started = history.events
        .filter((event) => event.f === "pause" && event.type === "info")
        .map((event) => event.value as { id: string; error?: string; servers?: number[] });
      expect(started).toEqual([
        expect.objectContaining({ id: "x1", error: expect.stringContaining("has not hit") }),
        expect.objectContaining({ id: "x2", servers: [1] }),
      ]);
      expect(history.events).toContainEqual(
        expect.objectContaining({ f: "trigger", value: { id: "x3", fired: false } }),
      );
      expect(nemesis.activeFaults()).toEqual([]);
      expect(ensemble.server(1).processState).toBe("running");
    } finally {
      await ensemble.dispose();
    }
    await expectNothingLeft(ensemble, root());
  });
});
