import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../../src/history/event.js";
import { watchMeasurements, watchSection } from "../../../src/report/watch-measurements.js";

const ms = 1_000_000;
const at = (time: number, event: Omit<HistoryEvent, "index" | "time">) => ({ ...event, time });

/** Agent 1 watches /zkchaos/a0; two writes to b1 (one inside a fault), each seen 5 ms and 40 ms later. */
const events: HistoryEvent[] = [
  at(1 * ms, {
    process: 1,
    type: "invoke",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data" },
  }),
  at(2 * ms, {
    process: 1,
    type: "ok",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data", data: "x", version: 0, mzxid: "5" },
    session: "s1",
    zxid: "10",
  }),
  at(10 * ms, {
    process: 0,
    type: "invoke",
    f: "set-mac",
    value: { root: "/zkchaos/a0", ops: [{ op: "set", path: "b1" }] },
  }),
  at(20 * ms, {
    process: 0,
    type: "ok",
    f: "set-mac",
    value: { root: "/zkchaos/a0", ops: [{ op: "set", path: "b1" }] },
    zxid: "12",
  }),
  at(23 * ms, {
    process: "session-1",
    type: "info",
    f: "notify",
    value: { type: "NodeDataChanged", path: "/zkchaos/a0/b1" },
    session: "s1",
  }),
  at(24 * ms, {
    process: 1,
    type: "invoke",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data" },
  }),
  at(25 * ms, {
    process: 1,
    type: "ok",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data", data: "y", version: 1, mzxid: "12" },
    session: "s1",
    zxid: "12",
  }),
  at(25 * ms, {
    process: "session-1",
    type: "info",
    f: "cache",
    value: { path: "/zkchaos/a0/b1", version: 1, mzxid: "12" },
    session: "s1",
  }),
  at(100 * ms, {
    process: 0,
    type: "invoke",
    f: "set-mac",
    value: { root: "/zkchaos/a0", ops: [{ op: "set", path: "b1" }] },
  }),
  at(110 * ms, {
    process: 0,
    type: "ok",
    f: "set-mac",
    value: { root: "/zkchaos/a0", ops: [{ op: "set", path: "b1" }] },
    zxid: "20",
  }),
  at(140 * ms, {
    process: "session-1",
    type: "info",
    f: "notify",
    value: { type: "NodeDataChanged", path: "/zkchaos/a0/b1" },
    session: "s1",
  }),
  at(145 * ms, {
    process: 1,
    type: "invoke",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data" },
  }),
  at(150 * ms, {
    process: 1,
    type: "ok",
    f: "watch-read",
    value: { path: "/zkchaos/a0/b1", watch: "data", data: "z", version: 2, mzxid: "20" },
    session: "s1",
    zxid: "20",
  }),
  at(150 * ms, {
    process: "session-1",
    type: "info",
    f: "cache",
    value: { path: "/zkchaos/a0/b1", version: 2, mzxid: "20" },
    session: "s1",
  }),
  at(200 * ms, {
    process: "session-1",
    type: "info",
    f: "watch-end",
    value: {
      root: "/zkchaos/a0",
      mode: "one-time",
      settled: true,
      connected: true,
      nodes: { "/zkchaos/a0/b1": ["z", 2, "20"] },
    },
    session: "s1",
  }),
].map((event, index) => ({ ...event, index }) as HistoryEvent);

describe("watch measurements", () => {
  const measured = watchMeasurements(events, [{ start: 90 * ms, end: 120 * ms, label: "f1 kill" }]);

  it("measures notification delay from the write's acknowledgement, per fault window", () => {
    expect(measured?.delays).toEqual([
      { label: "no fault in force", count: 1, p50Ms: 3, p99Ms: 3, maxMs: 3 },
      { label: "f1 kill", count: 1, p50Ms: 30, p99Ms: 30, maxMs: 30 },
    ]);
  });

  it("measures each agent's cache staleness per change, for the report's table and chart", () => {
    expect(measured?.staleness).toEqual([
      {
        agent: 1,
        root: "/zkchaos/a0",
        reflected: 2,
        unreflected: 0,
        p50Ms: 40,
        p99Ms: 40,
        maxMs: 40,
        points: [
          [0.02, 5],
          [0.11, 40],
        ],
      },
    ]);
    const html = watchSection(measured as NonNullable<typeof measured>, 200 * ms);
    expect(html).toContain("<td>f1 kill</td><td>1</td><td>30.0</td>");
    expect(html.match(/<circle /g)).toHaveLength(2);
  });

  it("has nothing to say of a run without watching agents", () => {
    expect(watchMeasurements(events.slice(0, 5), [])).toBeUndefined();
  });
});
