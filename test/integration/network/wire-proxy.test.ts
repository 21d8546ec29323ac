import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { connectClient } from "../../helpers/tcp.js";
import { useWireRig, wireFixture } from "../../helpers/wire-rig.js";

// A decoding proxy on a real TCP echo: whatever the bytes, they pass unchanged; what it can
// decode it reports, what it cannot it marks undecoded and still forwards.

const rig = useWireRig();

async function decodingProxy(name: string, decode: string): Promise<number> {
  const response = await fetch(`${rig().server.url}/proxies`, {
    method: "POST",
    body: JSON.stringify({
      name,
      upstream: `127.0.0.1:${rig().echoPort}`,
      listen: "127.0.0.1:0",
      decode,
    }),
  });
  expect(response.status).toBe(201);
  const json = (await response.json()) as { listen: string; decode?: string };
  expect(json.decode).toBe(decode);
  return Number(json.listen.split(":")[1]);
}

/** Sends bytes in the given pieces and returns what came back. */
async function echoThrough(port: number, pieces: readonly Buffer[]): Promise<Buffer> {
  const connection = await connectClient(port);
  try {
    for (const piece of pieces) connection.socket.write(piece);
    const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
    await connection.waitForBytes(total, 10_000);
    return connection.received();
  } finally {
    connection.socket.destroy();
  }
}

describe("a decoding proxy", () => {
  it("refuses a protocol it does not know, naming the ones it does", async () => {
    const response = await fetch(`${rig().server.url}/proxies`, {
      method: "POST",
      body: JSON.stringify({ name: "x", upstream: `127.0.0.1:${rig().echoPort}`, decode: "http" }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(
      /unknown decode 'http'.*zookeeper-quorum, zookeeper-election/,
    );
  });

  it("passes random bytes through byte for byte, whatever the protocol, and marks the stream undecoded", async () => {
    const quorum = await decodingProxy("q", "zookeeper-quorum");
    const election = await decodingProxy("e", "zookeeper-election");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 2000 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (pieces, useQuorum) => {
          const buffers = pieces.map((piece) => Buffer.from(piece));
          const back = await echoThrough(useQuorum ? quorum : election, buffers);
          expect(back.equals(Buffer.concat(buffers))).toBe(true);
        },
      ),
      { seed: 27, numRuns: 25 },
    );
    expect(rig().seen.some((observation) => observation.undecoded !== undefined)).toBe(true);
  });

  it("reports a captured leader stream's messages in order, as they pass, and forwards it unchanged", async () => {
    const port = await decodingProxy("leader", "zookeeper-quorum");
    const fixture = wireFixture("3.8.0", "snap.q-1-3.0.downstream.bin");
    const bytes = readFileSync(fixture);
    const expected = JSON.parse(readFileSync(`${fixture}.json`, "utf8")) as { messages: string[] };
    // The client's side of the link is the dialler: its stream is upstream, decoded as the learner's.
    // The leader's stream is what the echo sends back: downstream.
    const back = await echoThrough(port, [bytes.subarray(0, 5000), bytes.subarray(5000)]);
    expect(back.equals(bytes)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const downstream = rig().seen.filter((observation) => observation.stream === "downstream");
    expect(downstream.map((observation) => observation.message?.type)).toEqual(expected.messages);
    expect(
      rig().seen.every(
        (observation) => observation.proxy === "leader" && observation.undecoded === undefined,
      ),
    ).toBe(true);
  });
});
