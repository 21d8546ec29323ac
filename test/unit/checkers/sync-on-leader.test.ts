import { describe, expect, it } from "vitest";
import type { Anomaly } from "../../../src/checkers/verdict.js";
import { explainSyncsOnLeaders } from "../../../src/checkers/zookeeper/sync-on-leader.js";
import type { HistoryEvent } from "../../../src/history/event.js";

const role = (index: number, time: number, server: number, kind: string): HistoryEvent => ({
  index,
  time,
  process: `server-${server}`,
  type: "info",
  f: "log",
  value: { kind, line: kind.toUpperCase() },
});
const op = (index: number, time: number, type: "invoke" | "ok", server?: number): HistoryEvent => ({
  index,
  time,
  process: 2,
  type,
  f: "read",
  value: { key: 1, value: null, synced: true },
  ...(server !== undefined ? { server } : {}),
});
const stale = (read: number, done: number): Anomaly => ({
  kind: "stale-read-after-sync",
  message: "a read of register 1 after a sync returned an older zxid",
  events: [read, done, 90, 91],
});

describe("a stale read after sync that a leader served: ZOOKEEPER-1675, proven by its role lines", () => {
  const events = [
    role(0, 10, 3, "looking"),
    role(1, 20, 3, "leading"),
    role(2, 20, 1, "following"),
    op(3, 30, "invoke"),
    op(4, 40, "ok", 3),
    op(5, 50, "invoke"),
    op(6, 60, "ok", 1),
    role(7, 70, 3, "looking"),
    op(8, 80, "invoke"),
    op(9, 85, "ok", 3),
  ];

  it("blames the bug when the serving server's last role line before the read says LEADING", () => {
    const [explained] = explainSyncsOnLeaders([stale(3, 4)], events);
    expect(explained?.cause?.knownBugs).toEqual(["ZOOKEEPER-1675"]);
    expect(explained?.cause?.events).toEqual([1]);
    expect(explained?.cause?.message).toMatch(/server 3 served the read while it led/);
  });

  it("blames nothing when a follower served it, or the leader had stepped down, or another cause is known", () => {
    const [onFollower, afterStepDown] = explainSyncsOnLeaders([stale(5, 6), stale(8, 9)], events);
    expect(onFollower?.cause).toBeUndefined();
    expect(afterStepDown?.cause).toBeUndefined();
    const known: Anomaly = { ...stale(3, 4), cause: { message: "a wipe", events: [] } };
    expect(explainSyncsOnLeaders([known], events)[0]?.cause?.message).toBe("a wipe");
  });

  it("knows the leader elected before the history began from the observer's status poll", () => {
    const status = (index: number, time: number, modes: Record<string, string>): HistoryEvent => ({
      index,
      time,
      process: "observer",
      type: "ok",
      f: "status",
      value: {
        statuses: Object.fromEntries(
          Object.entries(modes).map(([id, mode]) => [id, { state: "serving", mode }]),
        ),
      },
    });
    const polled = [
      status(0, 5, { "1": "follower", "5": "leader" }),
      op(1, 30, "invoke"),
      op(2, 40, "ok", 5),
      op(3, 50, "invoke"),
      op(4, 60, "ok", 1),
      role(5, 70, 5, "looking"),
      op(6, 80, "invoke"),
      op(7, 85, "ok", 5),
    ];
    const [onLeader, onFollower, afterStepDown] = explainSyncsOnLeaders(
      [stale(1, 2), stale(3, 4), stale(6, 7)],
      polled,
    );
    expect(onLeader?.cause?.knownBugs).toEqual(["ZOOKEEPER-1675"]);
    expect(onLeader?.cause?.events).toEqual([0]);
    expect(onLeader?.cause?.message).toMatch(/srvr said Mode: leader, event 0/);
    expect(onFollower?.cause).toBeUndefined();
    expect(afterStepDown?.cause).toBeUndefined();
  });
});
