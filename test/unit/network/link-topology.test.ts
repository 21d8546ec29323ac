import { describe, expect, it } from "vitest";
import { linkTopology, peerProxyState } from "../../../src/network/link-topology.js";
import { parseProcNetTcp } from "../../../src/util/tcp-table.js";

describe("link topology", () => {
  const ports = [1, 2, 3].map((id) => ({
    id,
    client: 1000 * id,
    quorum: 1000 * id + 1,
    election: 1000 * id + 2,
  }));

  it("has a proxy per directed pair and channel, and one per client", () => {
    const mesh = linkTopology("t", ports, () => "127.0.0.1");
    expect(mesh).toHaveLength(2 * 3 * 2 + 3);
    expect(mesh.find((p) => p.name === "t-q-1-2")?.upstream).toBe("127.0.0.1:2001");
    expect(mesh.find((p) => p.name === "t-e-3-1")?.upstream).toBe("127.0.0.1:1002");
    expect(mesh.find((p) => p.name === "t-c-2")?.upstream).toBe("127.0.0.1:2000");
    expect(
      linkTopology(
        "t",
        [...ports, ...[4, 5, 6, 7].map((id) => ({ id, client: id, quorum: id, election: id }))],
        () => "h",
      ),
    ).toHaveLength(91);
  });

  it("names each server's upstream by its own host (servers on a network with DNS names)", () => {
    const mesh = linkTopology("t", ports, (id) => `zk${id}`);
    expect(mesh.find((p) => p.name === "t-q-1-2")?.upstream).toBe("zk2:2001");
    expect(mesh.find((p) => p.name === "t-e-3-1")?.upstream).toBe("zk1:1002");
    expect(mesh.find((p) => p.name === "t-c-3")?.upstream).toBe("zk3:3000");
  });

  it("refuses both directions by disabling, and black-holes one way with a toxic", () => {
    expect(peerProxyState(1, 2, new Map())).toEqual({
      enabled: true,
      blackholeUpstream: false,
      blackholeDownstream: false,
    });
    const both = new Map([
      ["1>2", "refuse" as const],
      ["2>1", "refuse" as const],
    ]);
    expect(peerProxyState(1, 2, both).enabled).toBe(false);
    const oneWay = new Map([["1>2", "refuse" as const]]);
    expect(peerProxyState(1, 2, oneWay)).toEqual({
      enabled: true,
      blackholeUpstream: true,
      blackholeDownstream: false,
    });
    expect(peerProxyState(2, 1, oneWay)).toEqual({
      enabled: true,
      blackholeUpstream: false,
      blackholeDownstream: true,
    });
  });
});

describe("/proc/net/tcp parsing", () => {
  it("reads addresses, ports, states and inodes", () => {
    const text = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 23456 1 0000000000000000 20 4 30 10 -1`;
    expect(parseProcNetTcp(text, false)).toEqual([
      {
        localAddress: "127.0.0.1",
        localPort: 8080,
        remoteAddress: "0.0.0.0",
        remotePort: 0,
        state: "LISTEN",
        inode: 12345,
      },
      {
        localAddress: "127.0.0.1",
        localPort: 54321,
        remoteAddress: "127.0.0.1",
        remotePort: 8080,
        state: "ESTABLISHED",
        inode: 23456,
      },
    ]);
  });
});
