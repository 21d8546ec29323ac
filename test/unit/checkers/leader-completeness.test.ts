import { describe, expect, it } from "vitest";
import {
  checkLeaderCompleteness,
  explainByIncompleteLeaders,
  findIncompleteLeaders,
} from "../../../src/checkers/zookeeper/leader-completeness.js";
import { checkGeneralLinearizability } from "../../../src/checkers/zookeeper/zookeeper-checker.js";
import { formatZxid, type HistoryEvent } from "../../../src/history/event.js";
import { classifyServerLogLine, proposedZxid } from "../../../src/history/server-log.js";

// Lines as 3.8.0 wrote them in a rolling restart under load (docker, 3 servers): server 1
// stepped down mid-sync with its DIFF unwritten, then won on its newer epoch from 0x1:0x25.
const ELECTION_1 =
  "2026-11-29 19:30:41,393 [myid:1] INFO  [QuorumPeer[myid=1](plain=127.0.0.1:24639)(secure=disabled):FastLeaderElection@946] - New election. My id = 1, proposed zxid=0x100000025";
const SUPPORTERS_1 =
  "2026-11-29 19:30:41,763 [myid:1] INFO  [QuorumPeer[myid=1](plain=127.0.0.1:24639)(secure=disabled):Leader@1519] - Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x300000000";
const ELECTION_3 =
  "2026-11-29 19:30:40,103 [myid:3] INFO  [QuorumPeer[myid=3](plain=127.0.0.1:24645)(secure=disabled):FastLeaderElection@946] - New election. My id = 3, proposed zxid=0x10000006d";
const SUPPORTERS_3 =
  "2026-11-29 19:30:40,400 [myid:3] INFO  [QuorumPeer[myid=3](plain=127.0.0.1:24645)(secure=disabled):Leader@1519] - Have quorum of supporters, sids: [[1, 3]]; starting up and setting last processed zxid: 0x200000000";

let index = 0;
const logEvent = (server: number, line: string): HistoryEvent => ({
  index: index++,
  time: index * 1e6,
  process: `server-${server}`,
  type: "info",
  f: "log",
  value: { kind: classifyServerLogLine(line), line },
});
const write = (worker: number, value: number, zxid: bigint): HistoryEvent => ({
  index: index++,
  time: index * 1e6,
  process: worker,
  type: "ok",
  f: "write",
  value: { register: 0, value },
  stat: { czxid: "4294967297", mzxid: zxid.toString(), version: 1 },
});
const settings = (version: string): HistoryEvent => ({
  index: index++,
  time: 0,
  process: "observer",
  type: "ok",
  f: "settings",
  value: {
    tickTime: 2000,
    initLimit: 5,
    syncLimit: 2,
    sessionTimeoutMs: 4000,
    zooKeeperVersion: version,
  },
});

function rollingRestartHistory(version: string): HistoryEvent[] {
  index = 0;
  return [
    settings(version),
    write(0, 10, 0x100000025n),
    write(1, 11, 0x100000040n),
    write(2, 12, 0x10000006dn),
    logEvent(3, ELECTION_3),
    logEvent(3, SUPPORTERS_3),
    write(0, 13, 0x200000003n),
    logEvent(1, ELECTION_1),
    logEvent(1, SUPPORTERS_1),
    write(1, 14, 0x300000002n),
    {
      index: index++,
      time: index * 1e6,
      process: 4,
      type: "invoke",
      f: "write",
      value: { key: 0 },
    },
    write(4, 15, 0x100000050n),
  ];
}

describe("leader completeness from the servers' election lines", () => {
  it("reads the last zxid a server stands on, in 3.8's words and 3.4.5's", () => {
    expect(classifyServerLogLine(ELECTION_1)).toBe("election-started");
    expect(proposedZxid(ELECTION_1)).toBe(0x100000025n);
    const old =
      "2013-01-01 10:00:00,000 [myid:1] - INFO  [QuorumPeer:FastLeaderElection@740] - New election. My id =  1, proposed zxid=0x0";
    expect(proposedZxid(old)).toBe(0n);
    expect(
      classifyServerLogLine(
        "2013-01-01 10:00:01,000 [myid:1] - INFO  [QuorumPeer:Leader@345] - Have quorum of supporters; starting up and setting last processed zxid: 0x100000000",
      ),
    ).toBe("quorum-of-supporters");
    expect(formatZxid(0x10000006dn)).toBe("0x1:0x6d");
  });

  it("a leader that took over behind an acknowledged write is an anomaly naming 3.8.0's documented bugs", () => {
    const events = rollingRestartHistory("3.8.0");
    const { anomalies, leaders } = checkLeaderCompleteness(events);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).toMatchObject({
      server: 1,
      lastZxid: 0x100000025n,
      missingZxid: 0x200000003n,
    });
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.kind).toBe("leader-lacks-acknowledged-write");
    expect(anomalies[0]?.message).toContain(
      "server 1 took over as leader of epoch 0x3 standing on zxid 0x1:0x25",
    );
    expect(anomalies[0]?.cause?.knownBugs).toContain("ZOOKEEPER-4643");
    // The election line, the leader's line and the write it lacks.
    expect(anomalies[0]?.events).toEqual([7, 8, 6]);
  });

  it("with the wire recorded, the proof adds the sync in which it had the write and took the epoch", () => {
    const base = rollingRestartHistory("3.8.0");
    const wire = (type: string, sender: number, receiver: number, zxid: string): HistoryEvent => ({
      index: 0,
      time: 0,
      process: "wire",
      type: "info",
      f: "message",
      value: { channel: "quorum", sender, receiver, connection: 4, type, zxid, size: 40 },
    });
    // Server 1 syncs from leader 3 (its learner connection: 1 dialled 3) before its election.
    const sync = [
      wire("PROPOSAL", 3, 1, "0x2:0x3"),
      wire("PROPOSAL", 3, 2, "0x2:0x3"),
      wire("NEWLEADER", 3, 1, "0x2:0x0"),
      wire("ACK", 2, 3, "0x2:0x0"),
      wire("ACK", 1, 3, "0x2:0x0"),
    ];
    const at = base.findIndex((event) => (event.value as { line?: string }).line === ELECTION_1);
    const events = [...base.slice(0, at), ...sync, ...base.slice(at)].map((event, position) => ({
      ...event,
      index: position,
    }));
    const { anomalies, leaders } = checkLeaderCompleteness(events);
    expect(leaders[0]?.sync).toEqual({
      newLeader: at + 2,
      epochZxid: "0x2:0x0",
      ack: at + 4,
      proposal: at,
    });
    expect(anomalies[0]?.message).toContain(
      `on the wire it received the PROPOSAL of 0x2:0x3 (event ${at}), took epoch 0x2:0x0 on NEWLEADER (event ${at + 2}), ACKed it (event ${at + 4})`,
    );
    expect(anomalies[0]?.events).toEqual(expect.arrayContaining([at, at + 2, at + 4]));
    // Without the wire, the same history proves the same leader from its lines alone.
    expect(checkLeaderCompleteness(base).leaders[0]?.sync).toBeUndefined();
  });

  it("on a release with those bugs fixed it is still an anomaly, and says no documented bug explains it", () => {
    const { anomalies } = checkLeaderCompleteness(rollingRestartHistory("3.9.5"));
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.message).toContain("no documented bug of this version explains it");
    expect(anomalies[0]?.cause?.knownBugs).toBeUndefined();
  });

  it("a leadership handed over without an election (a reconfig) is not judged on a stale election line", () => {
    index = 0;
    const following =
      "2026-11-29 23:45:40,000 [myid:1] INFO  [QuorumPeer[myid=1](plain=127.0.0.1:1)(secure=disabled):QuorumPeer@1537] - FOLLOWING";
    const events = [
      settings("3.8.0"),
      logEvent(1, ELECTION_1),
      logEvent(1, following),
      write(0, 10, 0x100000040n),
      logEvent(1, SUPPORTERS_1),
    ];
    expect(findIncompleteLeaders(events)).toEqual([]);
    // Without the sync in between, the same lines prove an incomplete leader.
    expect(findIncompleteLeaders(events.filter((event) => event !== events[2]))).toHaveLength(1);
  });

  it("a leader holding every earlier write is no anomaly, whatever its own epoch commits later", () => {
    const events = rollingRestartHistory("3.8.0").filter((event) => event.process !== "server-1");
    expect(findIncompleteLeaders(events)).toEqual([]);
  });

  it("the general search alone (the linearizability checker) names the leader behind a register it cannot linearize", () => {
    index = 0;
    const op = (
      process: number,
      f: string,
      invoke: Record<string, unknown>,
      ok: Partial<HistoryEvent>,
    ): HistoryEvent[] => [
      { index: index++, time: index * 1e6, process, type: "invoke", f, value: invoke },
      { index: index++, time: index * 1e6, process, type: "ok", f, ...ok } as HistoryEvent,
    ];
    const stat = (zxid: bigint) => ({ czxid: "4294967297", mzxid: zxid.toString(), version: 1 });
    const events = [
      settings("3.8.0"),
      ...op(
        0,
        "write",
        { key: 0, value: 1 },
        { value: { key: 0, value: 1 }, stat: stat(0x100000010n) },
      ),
      // Acknowledged in epoch 1 after the zxid server 1 will stand on: lost with its election.
      ...op(
        1,
        "write",
        { key: 0, value: 2 },
        { value: { key: 0, value: 2 }, stat: stat(0x100000030n) },
      ),
      logEvent(1, ELECTION_1),
      logEvent(1, SUPPORTERS_1),
      ...op(2, "read", { key: 0, synced: true }, { value: { key: 0, value: 1 } }),
    ];
    const [verdict] = checkGeneralLinearizability(events);
    expect(verdict?.valid).toBe(false);
    expect(verdict?.anomalies).toHaveLength(1);
    expect(verdict?.anomalies[0]?.cause?.message).toContain("server 1 led from 0x1:0x25");
    expect(verdict?.anomalies[0]?.cause?.knownBugs).toContain("ZOOKEEPER-4643");
  });

  it("explains the anomalies whose proof was told of a zxid the leader took over without, and no other", () => {
    const events = rollingRestartHistory("3.8.0");
    const { leaders } = checkLeaderCompleteness(events);
    const explained = explainByIncompleteLeaders(
      [
        { kind: "lost-write", message: "write 11 lost", events: [2] },
        { kind: "duplicate-version", message: "13 and 14 share a version", events: [6, 9] },
        { kind: "stale-read", message: "unrelated", events: [1] },
        { kind: "not-linearizable", message: "named by its invocation", events: [10] },
      ],
      events,
      leaders,
    );
    expect(explained.map((anomaly) => anomaly.cause !== undefined)).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(explained[0]?.cause?.message).toContain("server 1 led from 0x1:0x25");
  });

  it("a server wiped while the vote runs joins the new leader's quorum empty: the wipe is the cause", () => {
    // As explore met it on 3.9.5: 2 paused, 3 (which had the write) wiped 1.4 s into 1's vote.
    index = 0;
    const events: HistoryEvent[] = [settings("3.9.5"), write(1, 63, 0x10000037dn)];
    events.push(
      logEvent(
        1,
        "2026-12-07 11:58:06,096 [myid:] INFO  [QuorumPeer[myid=1](plain=127.0.0.1:22011)(secure=disabled):FastLeaderElection] - New election. My id = 1, proposed zxid=0x100000378",
      ),
    );
    events.push({
      index: index++,
      time: index * 1e6,
      process: "nemesis",
      type: "info",
      f: "wipe",
      value: { id: "x2", servers: [3], damage: "wipe" },
    });
    events.push(
      logEvent(
        1,
        "2026-12-07 11:58:07,502 [myid:] INFO  [QuorumPeer[myid=1](plain=127.0.0.1:22011)(secure=disabled):Leader] - Have quorum of supporters, sids: [[1, 3]]; starting up and setting last processed zxid: 0x200000000",
      ),
    );
    const { anomalies } = checkLeaderCompleteness(events);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]?.message).toContain("server(s) 3 had their data destroyed by the nemesis");
    expect(anomalies[0]?.events).toContain(3);
    expect(anomalies[0]?.cause?.knownBugs).toBeUndefined();
    // A wipe after the leader took over explains nothing of what it lacked then.
    const later = [
      ...events.slice(0, 3),
      events[4] as HistoryEvent,
      { ...(events[3] as HistoryEvent), index: 5 },
    ];
    expect(checkLeaderCompleteness(later).anomalies[0]?.message).toContain(
      "no documented bug of this version explains it",
    );
  });

  it("a wiped quorum that reuses an epoch: the leader lacks that epoch's earlier writes, and the wipe is named as the cause", () => {
    index = 0;
    const wipeEvent: HistoryEvent = {
      index: 3,
      time: 7e9,
      process: "nemesis",
      type: "info",
      f: "wipe",
      value: { id: "reinstall", servers: [2], damage: "wipe" },
    };
    const events: HistoryEvent[] = [
      settings("3.8.0"),
      { ...write(0, 10, 0x2000000ebn), time: 5e9 },
      { ...write(1, 11, 0x2000000f2n), time: 5.5e9 },
    ];
    // A later epoch forgotten too (two elections before the wipe): still not the new leader's.
    events[2] = {
      ...(events[2] as HistoryEvent),
      stat: { czxid: "1", mzxid: String(0x300000004n), version: 1 },
    };
    index = 4;
    events.push(
      wipeEvent,
      {
        ...logEvent(
          3,
          "2026-11-29 20:04:49,100 [myid:3] INFO  [QuorumPeer[myid=3]:FastLeaderElection@946] - New election. My id = 3, proposed zxid=0x10000007c",
        ),
        time: 10e9,
      },
      {
        ...logEvent(
          3,
          "2026-11-29 20:04:49,500 [myid:3] INFO  [QuorumPeer[myid=3]:Leader@1519] - Have quorum of supporters, sids: [[2, 3]]; starting up and setting last processed zxid: 0x200000000",
        ),
        time: 10.4e9,
      },
      { ...write(2, 12, 0x200000001n), time: 10.5e9 },
    );
    const { anomalies, leaders } = checkLeaderCompleteness(events);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).toMatchObject({ missingZxid: 0x300000004n, epochReused: true });
    expect(anomalies[0]?.message).toContain("an epoch an earlier leader had already reached");
    expect(anomalies[0]?.message).toContain("this is the wipe, not a ZooKeeper bug");
    expect(anomalies[0]?.events).toContain(3);
    // Destroyed data is the operator's doing: no ZooKeeper bug is named.
    expect(anomalies[0]?.cause?.knownBugs).toBeUndefined();
    // The new leader's own write of the reused epoch is not counted as missing; the old epoch's is.
    expect(events.find((event) => event.index === 6)?.stat?.mzxid).toBe(String(0x200000001n));
    expect(
      explainByIncompleteLeaders(
        [
          { kind: "x", message: "its own write", events: [6] },
          { kind: "y", message: "the old epoch's", events: [2] },
        ],
        events,
        leaders,
      ).map((anomaly) => anomaly.cause !== undefined),
    ).toEqual([false, true]);
  });
});
