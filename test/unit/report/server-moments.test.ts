import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../../src/history/event.js";
import { momentsAround, serverMoments } from "../../../src/report/server-moments.js";

const events: HistoryEvent[] = [
  {
    index: 0,
    time: 1e9,
    process: "server-1",
    type: "info",
    f: "log",
    value: { kind: "looking", line: "x - LOOKING" },
  },
  {
    index: 1,
    time: 2e9,
    process: "nemesis",
    type: "info",
    f: "trigger",
    value: { id: "t", server: 3, line: "Learner received NEWLEADER message" },
  },
  {
    index: 2,
    time: 3e9,
    process: "server-2",
    type: "info",
    f: "log",
    value: { kind: "truncating-log", line: "Truncating log to get in sync with the leader 0x2" },
  },
  {
    index: 3,
    time: 4e9,
    process: "nemesis",
    type: "info",
    f: "trigger",
    value: { id: "u", fired: false },
  },
];

describe("the server lines beside an anomaly", () => {
  it("lists fired triggers and telling server lines, in order, only when something is wrong", () => {
    const text = serverMoments(true, events);
    expect(text).toContain("## Server log lines around the anomalies");
    expect(text).toContain(
      "2.000 s (event 1) trigger t fired on server 3: `Learner received NEWLEADER message`",
    );
    expect(text).toContain("3.000 s (event 2) server-2 truncating-log");
    expect(text).not.toContain("LOOKING");
    expect(text).not.toContain("trigger u");
    expect(serverMoments(false, events)).toBe("");
  });

  it("picks the telling moments in a margin before an anomaly's events, up to the last of them", () => {
    expect(momentsAround(events, [2], 1.5e9)).toEqual([
      "2.000 s (event 1) trigger t fired on server 3: Learner received NEWLEADER message",
      "3.000 s (event 2) server-2 truncating-log: Truncating log to get in sync with the leader 0x2",
    ]);
    expect(momentsAround(events, [1], 0.5e9)).toHaveLength(1);
    expect(momentsAround(events, [2], 5e9, 1)).toEqual([
      "3.000 s (event 2) server-2 truncating-log: Truncating log to get in sync with the leader 0x2",
    ]);
    expect(momentsAround(events, [99])).toEqual([]);
  });
});
