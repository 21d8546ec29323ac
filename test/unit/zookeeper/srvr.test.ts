import { describe, expect, it } from "vitest";
import { parseSrvr } from "../../../src/zookeeper/srvr.js";

// Captured from a ZooKeeper 3.8.0 leader and a server without quorum.
const LEADER = `Zookeeper version: 3.8.0-debian--1, built on 2024-06-16 00:00 UTC
Latency min/avg/max: 0/0.5/3
Received: 12
Sent: 11
Connections: 2
Outstanding: 0
Zxid: 0x300000004
Mode: leader
Node count: 7
Proposal sizes last/min/max: 48/48/120
`;

describe("parseSrvr", () => {
  it("reads mode, zxid, epoch and counts", () => {
    const status = parseSrvr(LEADER);
    expect(status).toEqual({
      state: "serving",
      mode: "leader",
      zxid: 0x300000004n,
      epoch: 3,
      nodeCount: 7,
      connections: 2,
      version: "3.8.0-debian--1",
    });
  });

  it("reads a follower", () => {
    const status = parseSrvr(LEADER.replace("Mode: leader", "Mode: follower"));
    expect(status.state === "serving" && status.mode).toBe("follower");
  });

  it("sees a server that answers but does not serve", () => {
    expect(parseSrvr("This ZooKeeper instance is not currently serving requests\n")).toEqual({
      state: "not-serving",
    });
  });

  it("does not take garbage for a status", () => {
    const status = parseSrvr("imok");
    expect(status.state).toBe("unreachable");
    expect(parseSrvr("").state).toBe("unreachable");
  });
});
