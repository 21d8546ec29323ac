import { describe, expect, it } from "vitest";
import { checkInternalErrors } from "../../../src/checkers/internal-errors.js";
import { DEFAULT_CHECKERS } from "../../../src/checkers/registry.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { classifyServerLogLine } from "../../../src/history/server-log.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";

const NPE = 'java.lang.NullPointerException: Cannot read field "hdr" because "pif" is null';

const log = (server: number, line: string): Omit<HistoryEvent, "index"> => ({
  time: 0,
  process: `server-${server}`,
  type: "info",
  f: "log",
  value: { kind: classifyServerLogLine(line), line },
});

const wire = (
  type: string,
  sender: number,
  receiver: number,
  zxid: string,
  connection = 4,
): Omit<HistoryEvent, "index"> => ({
  time: 0,
  process: "wire",
  type: "info",
  f: "message",
  value: { channel: "quorum", sender, receiver, connection, type, zxid, size: 40 },
});

const indexed = (events: readonly Omit<HistoryEvent, "index">[]): HistoryEvent[] =>
  events.map((event, index) => ({ ...event, index }) as HistoryEvent);

describe("internal errors in server logs", () => {
  it("a NullPointerException is an internal error; a server's ordinary failures are not", () => {
    expect(classifyServerLogLine(NPE)).toBe("internal-error");
    expect(
      classifyServerLogLine(
        "2026-12-06 02:13:31,076 [myid:2] ERROR [SyncThread:2:ZooKeeperCriticalThread@49] - Severe unrecoverable error, from thread : SyncThread:2",
      ),
    ).toBe("unrecoverable-error");
    expect(classifyServerLogLine("java.io.EOFException")).toBeUndefined();
  });

  it("one anomaly per server, naming its lines and how often; none without them", () => {
    const verdict = checkInternalErrors(
      indexed([log(2, NPE), log(1, "Learner received NEWLEADER message"), log(2, NPE)]),
    );
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalies).toHaveLength(1);
    expect(verdict.anomalies[0]?.message).toBe(`server-2 hit an internal error (2 times): ${NPE}`);
    expect(verdict.anomalies[0]?.events).toEqual([0, 2]);
    expect(checkInternalErrors(indexed([log(1, "Learner received NEWLEADER message")])).valid).toBe(
      true,
    );
  });

  it("with the wire, the proof names the COMMIT the server met between NEWLEADER and UPTODATE, and its PROPOSAL", () => {
    // Server 1 syncs from leader 3: a PROPOSAL still being voted on, NEWLEADER, then its COMMIT.
    const events = indexed([
      wire("PROPOSAL", 3, 1, "0x1:0x240"),
      wire("PROPOSAL", 3, 2, "0x1:0x240"),
      wire("NEWLEADER", 3, 1, "0x2:0x0"),
      wire("COMMIT", 3, 2, "0x1:0x240"),
      wire("COMMIT", 3, 1, "0x1:0x240"),
      log(1, NPE),
    ]);
    const [anomaly] = checkInternalErrors(events).anomalies;
    expect(anomaly?.message).toContain(
      "on the wire it received NEWLEADER (event 2), then the COMMIT of 0x1:0x240 (event 4) before any UPTODATE; that write's PROPOSAL had come before NEWLEADER (event 0)",
    );
    expect(anomaly?.events).toEqual([0, 2, 4, 5]);
  });

  it("a COMMIT after UPTODATE, or on another connection, proves nothing about the sync", () => {
    const afterUptodate = indexed([
      wire("NEWLEADER", 3, 1, "0x2:0x0"),
      wire("UPTODATE", 3, 1, "0x2:0x0"),
      wire("COMMIT", 3, 1, "0x2:0x1"),
      log(1, NPE),
    ]);
    expect(checkInternalErrors(afterUptodate).anomalies[0]?.message).toBe(
      `server-1 hit an internal error: ${NPE}`,
    );
    const otherConnection = indexed([
      wire("NEWLEADER", 3, 1, "0x2:0x0", 4),
      wire("COMMIT", 3, 1, "0x2:0x1", 5),
      log(1, NPE),
    ]);
    expect(checkInternalErrors(otherConnection).anomalies[0]?.events).toEqual([2]);
  });

  it("is off by default: a scenario names it to run it", () => {
    expect(DEFAULT_CHECKERS).not.toContain("internal-errors");
    const base = "name: x\nnodes: [3]\nduration: 10s\n";
    expect(parseScenario(base, "x.yaml").checkers).not.toContain("internal-errors");
    expect(
      parseScenario(`${base}checkers: [zookeeper, internal-errors]\n`, "x.yaml").checkers,
    ).toEqual(["zookeeper", "internal-errors"]);
  });
});
