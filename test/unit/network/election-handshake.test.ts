import { describe, expect, it } from "vitest";
import {
  ElectionHandshakeRewriter,
  rewriteElectionHandshake,
  wildcardHosts,
} from "../../../src/network/election-handshake.js";

function handshake(version: bigint, sid: bigint, address: string): Buffer {
  const text = Buffer.from(address);
  const buffer = Buffer.alloc(20 + text.length);
  buffer.writeBigInt64BE(version, 0);
  buffer.writeBigInt64BE(sid, 8);
  buffer.writeInt32BE(text.length, 16);
  text.copy(buffer, 20);
  return buffer;
}

describe("ZooKeeper election handshake rewrite", () => {
  it("replaces every advertised host with the wildcard, keeping ports", () => {
    expect(wildcardHosts("127.0.0.1:3888")).toBe("0.0.0.0:3888");
    expect(wildcardHosts("10.0.0.1:3888|[::1]:3889")).toBe("0.0.0.0:3888|0.0.0.0:3889");
  });

  it("rewrites a complete V2 handshake and keeps what follows it", () => {
    const message = Buffer.concat([handshake(-65535n, 2n, "127.0.0.1:23456"), Buffer.from("rest")]);
    const result = rewriteElectionHandshake(message);
    expect(result.kind).toBe("rewritten");
    if (result.kind !== "rewritten") return;
    expect(result.output).toEqual(handshake(-65535n, 2n, "0.0.0.0:23456"));
    expect(result.consumed).toBe(message.length - 4);
  });

  it("waits for the whole message and leaves other streams alone", () => {
    const message = handshake(-65536n, 1n, "127.0.0.1:1");
    expect(rewriteElectionHandshake(message.subarray(0, 5)).kind).toBe("incomplete");
    expect(rewriteElectionHandshake(message.subarray(0, 22)).kind).toBe("incomplete");
    const oldProtocol = Buffer.alloc(8);
    oldProtocol.writeBigInt64BE(3n);
    expect(rewriteElectionHandshake(oldProtocol).kind).toBe("not-handshake");
  });

  it("streams: holds split bytes, then forwards everything rewritten once", () => {
    const rewriter = new ElectionHandshakeRewriter();
    const message = handshake(-65535n, 5n, "127.0.0.1:30001");
    expect(rewriter.feed(message.subarray(0, 10)).length).toBe(0);
    const out = rewriter.feed(Buffer.concat([message.subarray(10), Buffer.from([1, 2, 3])]));
    expect(out).toEqual(
      Buffer.concat([handshake(-65535n, 5n, "0.0.0.0:30001"), Buffer.from([1, 2, 3])]),
    );
    expect(rewriter.feed(Buffer.from("later"))).toEqual(Buffer.from("later"));
  });

  it("passes 3.4's handshake (the bare 8-byte server id) and what follows byte for byte", () => {
    const rewriter = new ElectionHandshakeRewriter();
    const sid = Buffer.alloc(8);
    sid.writeBigInt64BE(2n);
    // A 3.4 notification follows the id: state, leader, zxid, epoch.
    const notification = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
    const first = rewriter.feed(sid);
    expect(first).toEqual(sid);
    expect(rewriter.feed(notification)).toEqual(notification);
  });
});
