import { describe, expect, it } from "vitest";
import { outlineOf } from "../../../src/checkers/zookeeper/history-outline.js";
import type { HistoryEvent } from "../../../src/history/event.js";

const EVENTS = [
  { process: 1, type: "invoke", f: "session", value: null },
  { process: 1, type: "ok", f: "session", session: "0a" },
  { process: 1, type: "invoke", f: "write", value: { key: 0, value: 1 } },
  { process: 1, type: "ok", f: "write", value: { key: 0, value: 1 }, session: "0a" },
  { process: 2, type: "ok", f: "read-subtree" },
  { process: "observer", type: "info", f: "status", value: {} },
  { process: "session-2", type: "info", f: "notify", value: {} },
  { process: "observer", type: "invoke", f: "final-read", server: 1 },
  { process: "observer", type: "ok", f: "final-read", server: 1, value: { nodes: {} } },
].map((event, index) => ({ index, time: index, ...event })) as unknown as HistoryEvent[];

describe("a history's outline, in one pass", () => {
  it("collects the workers' events and final reads, and what was invoked and observed", () => {
    const outline = outlineOf(EVENTS);
    expect(outline.workerEvents.map((event) => event.index)).toEqual([0, 1, 2, 3, 4]);
    expect(outline.finalReads.map((event) => event.index)).toEqual([7, 8]);
    // Invocations only, sessions aside: a completion alone (read-subtree) invoked nothing.
    expect([...outline.invoked]).toEqual(["write"]);
    expect([...outline.observed].sort()).toEqual(["final-read", "status"]);
    expect(outline.watches).toBe(true);
    expect(outline.workerSessions).toBe(true);
  });

  it("says no where the history has none", () => {
    const outline = outlineOf(EVENTS.slice(2, 3));
    expect(outline.watches).toBe(false);
    expect(outline.workerSessions).toBe(false);
    expect(outline.finalReads).toEqual([]);
  });
});
