import { describe, expect, it } from "vitest";
import { checkConvergence } from "../../../src/checkers/zookeeper/cluster-checks.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { classifyServerLogLine } from "../../../src/history/server-log.js";

const log = (index: number, server: number, line: string): HistoryEvent => ({
  index,
  time: 0,
  process: `server-${server}`,
  type: "info",
  f: "log",
  value: { kind: classifyServerLogLine(line), line },
});

describe("divergent servers after a sync, on a version with documented sync bugs", () => {
  const finalRead = (index: number, server: number, value: string): HistoryEvent => ({
    index,
    time: 0,
    process: "observer",
    type: "ok",
    f: "final-read",
    server,
    value: { nodes: { "/r0": [value, 1, "0x1"] } },
  });
  const events = [
    log(
      0,
      3,
      "2026-12-06 03:45:54,635 [myid:3] WARN  [Learner@599] - Truncating log to get in sync with the leader 0x100000093",
    ),
    log(
      1,
      3,
      "2026-12-06 03:45:54,653 [myid:3] INFO  [Learner@737] - Learner received NEWLEADER message",
    ),
  ];

  it("names the sync lines as the cause, with the version's bugs", () => {
    const { anomalies } = checkConvergence([finalRead(5, 1, "a"), finalRead(6, 3, "b")], events, [
      "ZOOKEEPER-4643",
      "ZOOKEEPER-4785",
    ]);
    expect(anomalies[0]?.cause?.knownBugs).toEqual(["ZOOKEEPER-4643", "ZOOKEEPER-4785"]);
    expect(anomalies[0]?.cause?.events).toEqual([0, 1]);
    expect(anomalies[0]?.cause?.message).toMatch(/^server-3 synced with a leader during the run/);
  });

  it("says nothing of a cause when the nemesis destroyed data", () => {
    const wiped: HistoryEvent = {
      index: 2,
      time: 0,
      process: "nemesis",
      type: "info",
      f: "wipe",
      value: { id: "w", servers: [3] },
    };
    expect(
      checkConvergence(
        [finalRead(5, 1, "a"), finalRead(6, 3, "b")],
        [...events, wiped],
        ["ZOOKEEPER-4643"],
      ).anomalies[0]?.cause,
    ).toBeUndefined();
  });

  it("says nothing of a cause on a version without them, or when neither server synced", () => {
    expect(
      checkConvergence([finalRead(5, 1, "a"), finalRead(6, 3, "b")], events, []).anomalies[0]
        ?.cause,
    ).toBeUndefined();
    expect(
      checkConvergence([finalRead(5, 1, "a"), finalRead(6, 2, "b")], events, ["ZOOKEEPER-4643"])
        .anomalies[0]?.cause,
    ).toBeUndefined();
  });
});
