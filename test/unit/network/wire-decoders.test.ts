import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeCapture } from "../../../src/network/wire/decode-capture.js";
import { notificationSummary } from "../../../src/network/wire/election-decoder.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "wire");

/** Jute's encoding, written by hand for literal packets. */
const int = (value: number) => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
};
const long = (value: bigint) => {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(value);
  return buffer;
};
const jstring = (text: string) => Buffer.concat([int(Buffer.byteLength(text)), Buffer.from(text)]);
const packet = (type: number, zxid: bigint, data?: Buffer) =>
  Buffer.concat([
    int(type),
    long(zxid),
    data ? int(data.length) : int(-1),
    data ?? Buffer.alloc(0),
    int(-1),
  ]);

describe("Zab packets, written by hand", () => {
  it("a PROPOSAL names its session, cxid and transaction type; COMMIT and ACK their zxids", () => {
    // TxnHeader: clientId, cxid, zxid, time, type (5 = setData), then a body.
    const txn = Buffer.concat([
      long(0x1000abcn),
      int(7),
      long(0x200000005n),
      long(1n),
      int(5),
      Buffer.alloc(40),
    ]);
    const stream = Buffer.concat([
      packet(2, 0x200000005n, txn),
      packet(4, 0x200000005n),
      packet(3, 0x200000005n),
    ]);
    const { messages, undecoded } = decodeCapture("zookeeper-quorum", stream, false, 3);
    expect(undecoded).toBeUndefined();
    expect(messages.map((message) => message.type)).toEqual(["PROPOSAL", "COMMIT", "ACK"]);
    expect(messages[0]?.summary).toEqual({
      session: "0x1000abc",
      cxid: 7,
      txn: "setData",
      bytes: 72,
    });
    expect(messages.map((message) => message.zxid)).toEqual([
      0x200000005n,
      0x200000005n,
      0x200000005n,
    ]);
    expect(messages.map((message) => message.end)).toEqual([92, 112, 132]);
  });

  it("after SNAP, the snapshot (sessions, ACL cache, nodes up to '/', BenWasHere) is one message, then packets go on", () => {
    const stat = Buffer.alloc(60);
    const node = (path: string, data: string) =>
      Buffer.concat([jstring(path), jstring(data), long(-1n), stat]);
    const snapshot = Buffer.concat([
      int(1),
      long(0x42n),
      int(4000), // one session
      int(1),
      long(1n),
      int(1),
      int(31),
      jstring("world"),
      jstring("anyone"), // one ACL list
      node("", ""),
      node("/zookeeper", ""),
      node("/registers", "value"),
      jstring("/"),
      jstring("BenWasHere"),
    ]);
    const stream = Buffer.concat([
      packet(15, 0x100000009n),
      snapshot,
      packet(10, 0x200000000n),
      packet(12, -1n),
    ]);
    const { messages, undecoded } = decodeCapture("zookeeper-quorum", stream, false, 5);
    expect(undecoded).toBeUndefined();
    expect(messages.map((message) => message.type)).toEqual([
      "SNAP",
      "SNAPSHOT",
      "NEWLEADER",
      "UPTODATE",
    ]);
    expect(messages[1]?.summary).toEqual({ nodes: 3, sessions: 1 });
    expect(messages[1]?.size).toBe(snapshot.length);
    // UPTODATE's zxid is -1: no zxid.
    expect(messages[3]?.zxid).toBeUndefined();
  });

  it("an unknown packet type stops decoding at that offset, and says why", () => {
    const stream = Buffer.concat([packet(5, 1n), packet(99, 1n), packet(5, 1n)]);
    const { messages, undecoded } = decodeCapture("zookeeper-quorum", stream, false);
    expect(messages.map((message) => message.type)).toEqual(["PING"]);
    expect(undecoded?.reason).toBe("unknown Zab packet type 99");
    // The offset where decoding stopped: past the header that made no sense (20 + 16).
    expect(undecoded?.offset).toBe(36);
  });
});

describe("election messages, written by hand", () => {
  it("3.4's bare-sid handshake and its 28- and 36-byte notifications decode; 3.5's protocol handshake names the address", () => {
    const old = Buffer.concat([int(1), long(3n), long(0x100000002n), long(1n), long(1n)]); // 36 bytes, FOLLOWING
    const stream34 = Buffer.concat([long(2n), int(36), old, int(28), old.subarray(0, 28)]);
    const decoded34 = decodeCapture("zookeeper-election", stream34, true, 1);
    expect(decoded34.undecoded).toBeUndefined();
    expect(decoded34.messages.map((message) => message.type)).toEqual([
      "HANDSHAKE",
      "NOTIFICATION",
      "NOTIFICATION",
    ]);
    expect(decoded34.messages[0]?.summary).toEqual({ sid: 2 });
    expect(decoded34.messages[1]?.summary).toEqual({
      state: "FOLLOWING",
      leader: 3,
      electionEpoch: "0x1",
      peerEpoch: "0x1",
    });
    expect(decoded34.messages[2]?.summary).toEqual({
      state: "FOLLOWING",
      leader: 3,
      electionEpoch: "0x1",
    });
    const stream35 = Buffer.concat([long(-65536n), long(2n), jstring("0.0.0.0:3888")]);
    const decoded35 = decodeCapture("zookeeper-election", stream35, true);
    expect(decoded35.messages[0]?.summary).toEqual({
      sid: 2,
      protocol: "-65536",
      addresses: "0.0.0.0:3888",
    });
  });

  it("a version-2 notification carries the configuration's version", () => {
    const config = Buffer.from("server.1=127.0.0.1:1:2:participant\nversion=100000000\n");
    const body = Buffer.concat([
      int(0),
      long(1n),
      long(0n),
      long(2n),
      long(1n),
      int(2),
      int(config.length),
      config,
    ]);
    expect(notificationSummary(body).summary).toEqual({
      state: "LOOKING",
      leader: 1,
      electionEpoch: "0x2",
      peerEpoch: "0x1",
      version: 2,
      configVersion: "100000000",
    });
  });
});

/** Every captured fixture: test/fixtures/wire/<release>/<name>.bin with its expected message list. */
const fixtures = readdirSync(FIXTURES).flatMap((release) =>
  readdirSync(join(FIXTURES, release))
    .filter((file) => file.endsWith(".bin"))
    .map((file) => ({ release, file, path: join(FIXTURES, release, file) })),
);

describe("streams captured from real runs (bench/wire-fixtures.ts)", () => {
  it("has election, DIFF, SNAP and TRUNC captures for every release it covers", () => {
    const releases = [...new Set(fixtures.map((fixture) => fixture.release))];
    expect(releases.length).toBeGreaterThanOrEqual(1);
    for (const release of releases) {
      const types = new Set(
        fixtures
          .filter((fixture) => fixture.release === release)
          .flatMap(
            (fixture) =>
              JSON.parse(readFileSync(`${fixture.path}.json`, "utf8")).messages as string[],
          ),
      );
      for (const wanted of [
        "NOTIFICATION",
        "DIFF",
        "SNAP",
        "SNAPSHOT",
        "TRUNC",
        "NEWLEADER",
        "UPTODATE",
        "ACKEPOCH",
      ])
        expect(types, `${release} ${wanted}`).toContain(wanted);
    }
  });

  it.each(fixtures.map((fixture) => [`${fixture.release}/${fixture.file}`, fixture] as const))(
    "%s decodes to its message list in any chunking, and follows the protocol's order",
    (_name, fixture) => {
      const expected = JSON.parse(readFileSync(`${fixture.path}.json`, "utf8")) as {
        protocol: string;
        dialler: boolean;
        messages: string[];
      };
      const bytes = readFileSync(fixture.path);
      for (const chunk of [bytes.length, 1, 7, 1448]) {
        const decoded = decodeCapture(expected.protocol, bytes, expected.dialler, chunk);
        expect(decoded.undecoded).toBeUndefined();
        expect(decoded.messages.map((message) => message.type)).toEqual(expected.messages);
      }
      const types = expected.messages;
      if (expected.protocol === "zookeeper-election") {
        expect(types.filter((type) => type !== "NOTIFICATION")).toEqual(
          expected.dialler ? ["HANDSHAKE"] : [],
        );
      } else if (expected.dialler) {
        expect(types.slice(0, 2)).toEqual(["FOLLOWERINFO", "ACKEPOCH"]);
      } else {
        expect(types[0]).toBe("LEADERINFO");
        expect(["DIFF", "SNAP", "TRUNC"]).toContain(types[1]);
        if (types[1] === "SNAP") expect(types[2]).toBe("SNAPSHOT");
        // A long DIFF may be cut before NEWLEADER; where UPTODATE is there, NEWLEADER came first.
        if (types.includes("UPTODATE"))
          expect(types.indexOf("UPTODATE")).toBeGreaterThan(types.indexOf("NEWLEADER"));
      }
    },
  );
  it.each(
    fixtures
      .filter(
        (fixture) => fixture.file.startsWith("trunc.") && fixture.file.endsWith("downstream.bin"),
      )
      .map((fixture) => [fixture.release, fixture] as const),
  )(
    "%s: TRUNC names a zxid of an epoch older than the NEWLEADER that follows it",
    (_release, fixture) => {
      const { messages } = decodeCapture("zookeeper-quorum", readFileSync(fixture.path), false);
      const trunc = messages.find((message) => message.type === "TRUNC");
      const newLeader = messages.find((message) => message.type === "NEWLEADER");
      expect(trunc?.zxid).toBeDefined();
      expect(newLeader?.zxid).toBeDefined();
      const epoch = (zxid: bigint | undefined) => Number((zxid ?? 0n) >> 32n);
      expect(epoch(trunc?.zxid)).toBeGreaterThan(0);
      expect(epoch(trunc?.zxid)).toBeLessThan(epoch(newLeader?.zxid));
    },
  );
});

describe("the scan of whole packets (the fast path)", () => {
  /** Every field of every message, so the two paths can be compared whole. */
  const fields = (bytes: Buffer, chunk: number) =>
    decodeCapture("zookeeper-quorum", bytes, false, chunk).messages.map((message) => ({
      ...message,
      head: message.head?.toString("hex"),
    }));

  it("gives what the byte-by-byte read gives, on every captured quorum stream", () => {
    const quorum = fixtures.filter((fixture) => fixture.file.includes(".q-"));
    expect(quorum.length).toBeGreaterThan(0);
    for (const fixture of quorum) {
      const bytes = readFileSync(fixture.path);
      // Chunks of one byte never hold a whole header: the generator reads everything.
      expect(fields(bytes, bytes.length), fixture.file).toEqual(fields(bytes, 1));
    }
  });

  it("gives what the byte-by-byte read gives, on packets with and without data and authinfo", () => {
    const withAuth = (type: number, zxid: bigint, data: Buffer | undefined, auth: number) =>
      Buffer.concat([
        int(type),
        long(zxid),
        data ? int(data.length) : int(-1),
        data ?? Buffer.alloc(0),
        int(auth),
        ...Array.from({ length: Math.max(auth, 0) }, () =>
          Buffer.concat([jstring("digest"), jstring("user:secret")]),
        ),
      ]);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            type: fc.constantFrom(1, 2, 3, 4, 5, 8, 10, 11, 12, 13),
            zxid: fc.bigInt({ min: -1n, max: 1n << 40n }),
            data: fc.option(fc.uint8Array({ maxLength: 100 }), { nil: undefined }),
            auth: fc.constantFrom(-1, 0, 0, 1, 2),
          }),
          { maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 200 }),
        (packets, chunk) => {
          const bytes = Buffer.concat(
            packets.map(({ type, zxid, data, auth }) =>
              withAuth(type, zxid, data && Buffer.from(data), auth),
            ),
          );
          expect(fields(bytes, chunk)).toEqual(fields(bytes, 1));
          expect(fields(bytes, chunk)).toHaveLength(packets.length);
        },
      ),
      { seed: 27, numRuns: 300 },
    );
  });
});

describe("bytes that are not the protocol", () => {
  it("never make a decoder throw, and every byte is counted, in any chunking", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom("zookeeper-quorum", "zookeeper-election"),
        fc.boolean(),
        fc.integer({ min: 1, max: 64 }),
        (bytes, protocol, dialler, chunk) => {
          const decoded = decodeCapture(protocol, Buffer.from(bytes), dialler, chunk);
          for (const message of decoded.messages)
            expect(message.end).toBeLessThanOrEqual(bytes.length);
        },
      ),
      { seed: 27, numRuns: 500 },
    );
  });

  it("a captured stream cut anywhere decodes to a prefix of its messages", () => {
    const fixture = fixtures.find(
      (candidate) =>
        candidate.file.startsWith("snap.q-") && candidate.file.endsWith("downstream.bin"),
    );
    if (fixture === undefined) throw new Error("no snap fixture");
    const bytes = readFileSync(fixture.path);
    const whole = decodeCapture("zookeeper-quorum", bytes, false).messages.map(
      (message) => message.type,
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length }), (cut) => {
        const part = decodeCapture("zookeeper-quorum", bytes.subarray(0, cut), false);
        expect(part.undecoded).toBeUndefined();
        expect(part.messages.map((message) => message.type)).toEqual(
          whole.slice(0, part.messages.length),
        );
      }),
      { seed: 27, numRuns: 200 },
    );
  });
});
