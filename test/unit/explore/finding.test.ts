import { describe, expect, it } from "vitest";
import type { Verdict } from "../../../src/checkers/verdict.js";
import {
  anomalyKey,
  documentedBugsFor,
  documentedKeys,
  faultMadeAnomalies,
  outsideFaultModel,
  sameAnomaly,
} from "../../../src/explore/finding.js";

const verdict = (checker: string, kinds: string[]): Verdict => ({
  checker,
  guarantee: "",
  valid: kinds.length === 0,
  anomalies: kinds.map((kind) => ({ kind, message: kind, events: [] })),
  elapsedMs: 0,
});

describe("findings: what identifies them and which documented bug explains them", () => {
  it("the key is the failing checkers and anomaly kinds, sorted; runs match on any of them", () => {
    const key = anomalyKey([
      verdict("zookeeper-registers", ["read-your-writes", "stale-read-after-sync"]),
      verdict("unique-session-ids", ["shared-session-id"]),
      verdict("availability", []),
    ]);
    expect(key).toEqual([
      "unique-session-ids:shared-session-id",
      "zookeeper-registers:read-your-writes",
      "zookeeper-registers:stale-read-after-sync",
    ]);
    expect(sameAnomaly(key, ["unique-session-ids:shared-session-id"])).toBe(true);
    expect(sameAnomaly(key, ["convergence:diverged"])).toBe(false);
  });

  it("leaves out anomalies the faults made (data the nemesis destroyed) and counts them; another anomaly of the same run still makes a finding", () => {
    const wiped = {
      message: "server 2 led without the writes: this is the wipe, not a ZooKeeper bug",
      events: [7],
      dataDestroyed: true as const,
    };
    const blamed = (checker: string, kind: string): Verdict => ({
      ...verdict(checker, []),
      valid: false,
      anomalies: [{ kind, message: kind, events: [3], cause: wiped }],
    });
    const onlyWipe = [
      blamed("leader-completeness", "leader-lacks-acknowledged-write"),
      blamed("zookeeper-registers", "lost-write"),
    ];
    expect(anomalyKey(onlyWipe)).toEqual([]);
    expect(faultMadeAnomalies(onlyWipe)).toBe(2);
    const withOther = [...onlyWipe, verdict("convergence", ["diverged"])];
    expect(anomalyKey(withOther)).toEqual(["convergence:diverged"]);
    // A documented bug's cause is ZooKeeper's doing: it stays a finding.
    const bug = {
      ...blamed("leader-completeness", "leader-lacks-acknowledged-write"),
      anomalies: [
        {
          kind: "leader-lacks-acknowledged-write",
          message: "",
          events: [3],
          cause: { message: "", events: [7], knownBugs: ["ZOOKEEPER-4643"] },
        },
      ],
    };
    expect(anomalyKey([bug])).toEqual(["leader-completeness:leader-lacks-acknowledged-write"]);
    expect(faultMadeAnomalies([bug])).toBe(0);
  });

  it("shared session ids on 3.4.5 are ZOOKEEPER-1622 first, by the checker its scenario names; on 3.4.6 nothing explains them", () => {
    const key = ["unique-session-ids:shared-session-id", "zookeeper-registers:read-your-writes"];
    const on345 = documentedBugsFor(key, "3.4.5", "scenarios/known-bugs", ["kill"]);
    expect(on345[0]?.jira).toEqual(["ZOOKEEPER-1622"]);
    expect(
      documentedBugsFor(["unique-session-ids:shared-session-id"], "3.4.6", "scenarios/known-bugs"),
    ).toEqual([]);
  });

  it("an internal error names the documented bug whose own words it has: ZOOKEEPER-4394's NullPointerException or ZOOKEEPER-4409's, each in its versions", () => {
    const key = ["internal-errors:internal-error"];
    const pifLine =
      'server-1 hit an internal error: java.lang.NullPointerException: Cannot read field "hdr" because "pif" is null';
    const sockLine =
      'server-2 hit an internal error: java.lang.NullPointerException: Cannot invoke "java.net.Socket.isClosed()" because "this.learner.sock" is null';
    const on = (version: string, line: string) =>
      documentedKeys(documentedBugsFor(key, version, "scenarios/known-bugs", [], [line]));
    expect(on("3.8.0", pifLine)).toEqual(["ZOOKEEPER-4394"]);
    expect(on("3.8.0", sockLine)).toEqual(["ZOOKEEPER-4409"]);
    // 3.6 closes the learner's socket without setting it to null; 3.9.3 has the fix.
    expect(on("3.6.4", sockLine)).toEqual([]);
    expect(on("3.9.5", sockLine)).toEqual([]);
    // Another NullPointerException is neither.
    expect(
      on(
        "3.8.0",
        'server-2 hit an internal error: java.lang.NullPointerException: Cannot invoke "Learner.validateSession(...)" because the return value of "LearnerZooKeeperServer.getLearner()" is null',
      ),
    ).toEqual([]);
  });

  it("lost writes on 3.8.0 name ZOOKEEPER-4643's family; on 3.9.5 nothing (the sync bug open everywhere explains stale reads after a sync, not losses)", () => {
    const key = ["zookeeper-registers:lost-write"];
    const bugs380 = documentedBugsFor(key, "3.8.0", "scenarios/known-bugs", ["kill"]);
    const on380 = documentedKeys(bugs380);
    expect(on380).toContain("ZOOKEEPER-4643");
    // Two scenarios (log triggers, wire triggers) reproduce that family: its keys are named once.
    expect(bugs380.filter((bug) => bug.jira.includes("ZOOKEEPER-4643")).length).toBe(2);
    expect(on380.filter((jira) => jira === "ZOOKEEPER-4643")).toEqual(["ZOOKEEPER-4643"]);
    const on395 = documentedBugsFor(key, "3.9.5", "scenarios/known-bugs").flatMap(
      (bug) => bug.jira,
    );
    expect(on395).toEqual([]);
  });

  it("a stale read after a sync names ZOOKEEPER-1675 on every release; a version gap does not", () => {
    const stale =
      "a read of register 0 after a sync returned zxid 0x2:0x5, though a write with zxid 0x2:0x7 was acknowledged before it began";
    const gap = "register 0 reached version 316, but at most 315 writes to it could have happened";
    const on = (key: string, version: string, message: string) =>
      documentedKeys(documentedBugsFor([key], version, "scenarios/known-bugs", [], [message]));
    expect(on("zookeeper-registers:stale-read-after-sync", "3.9.5", stale)).toEqual([
      "ZOOKEEPER-1675",
    ]);
    expect(on("zookeeper-registers:stale-read-after-sync", "3.4.5", stale)).toContain(
      "ZOOKEEPER-1675",
    );
    expect(on("zookeeper-registers:version-gap", "3.9.5", gap)).toEqual([]);
  });

  it("a scenario that needs a peer message TCP never delivers (twice, or cut from a live stream) is outside ZooKeeper's fault model", () => {
    const match = { types: ["REQUEST"] };
    expect(outsideFaultModel([{ kind: "duplicate-message", match }])).toMatch(/delivered twice/);
    expect(outsideFaultModel([{ kind: "kill" }, { kind: "drop-message", match }])).toMatch(
      /cut from its stream/,
    );
    // A reset connection, a delay or a hold are what TCP can do.
    expect(outsideFaultModel([{ kind: "drop-message", match, mode: "reset" }])).toBeUndefined();
    expect(outsideFaultModel([{ kind: "delay-message", match, delay: 300 }])).toBeUndefined();
    expect(outsideFaultModel([{ kind: "hold-message", match }, { kind: "kill" }])).toBeUndefined();
  });
});
