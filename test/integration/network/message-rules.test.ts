import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeCapture } from "../../../src/network/wire/decode-capture.js";
import type { WireMessage } from "../../../src/network/wire/wire-message.js";
import { connectClient } from "../../helpers/tcp.js";
import { useWireRig, wireFixture } from "../../helpers/wire-rig.js";

// Message rules (zk_message toxics) on a real TCP echo: a captured 3.8.0 leader stream (DIFF
// sync, then proposals and commits) is sent upstream through a decoding proxy, and what the
// echo sends back is exactly what the rule let through, cut at message boundaries.

const fixture = wireFixture("3.8.0", "diff.q-1-3.0.downstream.bin");
const captured = readFileSync(fixture);
const { messages } = decodeCapture("zookeeper-quorum", captured, false);
// The capture stops mid-message: a proxy that frames holds a partial message until it ends.
const bytes = captured.subarray(0, (messages.at(-1) as WireMessage).end);

const rig = useWireRig();

async function api(path: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${rig().server.url}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function proxy(name: string, decode?: string): Promise<number> {
  const response = await api("/proxies", "POST", {
    name,
    upstream: `127.0.0.1:${rig().echoPort}`,
    listen: "127.0.0.1:0",
    ...(decode ? { decode } : {}),
  });
  expect(response.status).toBe(201);
  return Number(((await response.json()) as { listen: string }).listen.split(":")[1]);
}

async function rule(proxyName: string, name: string, message: unknown): Promise<Response> {
  return api(`/proxies/${proxyName}/toxics`, "POST", {
    name,
    type: "zk_message",
    stream: "upstream",
    message,
  });
}

/** The stream without message `index` (or with it twice). */
function without(index: number): Buffer {
  const message = messages[index] as WireMessage;
  return Buffer.concat([
    bytes.subarray(0, message.end - message.size),
    bytes.subarray(message.end),
  ]);
}

function twice(index: number): Buffer {
  const message = messages[index] as WireMessage;
  return Buffer.concat([
    bytes.subarray(0, message.end),
    bytes.subarray(message.end - message.size),
  ]);
}

const indexOf = (type: string, from = 0) =>
  messages.findIndex((message, index) => index >= from && message.type === type);

/** Sends the stream in uneven pieces; returns the client to read the echo from. */
async function send(port: number) {
  const client = await connectClient(port);
  for (let at = 0; at < bytes.length; at += 1777)
    client.socket.write(bytes.subarray(at, at + 1777));
  return client;
}

describe("message rules on a decoding proxy", () => {
  it("drops the first COMMIT after NEWLEADER whole, and only it", async () => {
    const port = await proxy("q", "zookeeper-quorum");
    expect(
      (await rule("q", "drop", { types: ["COMMIT"], after: "NEWLEADER", action: "drop", count: 1 }))
        .status,
    ).toBe(200);
    const expected = without(indexOf("COMMIT", indexOf("NEWLEADER")));
    const client = await send(port);
    await client.waitForBytes(expected.length, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.received().equals(expected)).toBe(true);
    client.socket.destroy();
    const taken = rig().seen.filter((observation) => observation.rule !== undefined);
    expect(
      taken.map((observation) => [observation.message?.type, observation.rule?.action]),
    ).toEqual([["COMMIT", "drop"]]);
    expect(taken[0]?.stream).toBe("upstream");
  });

  it("duplicates a message, and `after` waits for its type: no ACKEPOCH-gated rule fires on a leader's stream", async () => {
    const port = await proxy("q", "zookeeper-quorum");
    await rule("q", "dup", { types: ["UPTODATE"], action: "duplicate", count: 1 });
    await rule("q", "never", { types: ["PROPOSAL"], after: "ACKEPOCH", action: "drop" });
    const expected = twice(indexOf("UPTODATE"));
    const client = await send(port);
    await client.waitForBytes(expected.length, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.received().equals(expected)).toBe(true);
    client.socket.destroy();
  });

  it("holds a message and what follows it until the rule is removed, then forwards all", async () => {
    const port = await proxy("q", "zookeeper-quorum");
    await rule("q", "gate", { types: ["NEWLEADER"], action: "hold", count: 1 });
    const newLeader = messages[indexOf("NEWLEADER")] as WireMessage;
    const client = await send(port);
    await client.waitForBytes(newLeader.end - newLeader.size, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing of NEWLEADER or after it got through while held.
    expect(client.received().length).toBe(newLeader.end - newLeader.size);
    expect(rig().seen.find((observation) => observation.rule)?.rule).toEqual({
      toxic: "gate",
      action: "hold",
    });
    expect((await api("/proxies/q/toxics/gate", "DELETE")).status).toBe(204);
    await client.waitForBytes(bytes.length, 10_000);
    expect(client.received().equals(bytes)).toBe(true);
    client.socket.destroy();
  });

  it("delays a message by its rule's time, bytes unchanged", async () => {
    const port = await proxy("q", "zookeeper-quorum");
    await rule("q", "late", { types: ["DIFF"], action: "delay", delayMs: 400, count: 1 });
    const started = performance.now();
    const client = await send(port);
    await client.waitForBytes(bytes.length, 10_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(client.received().equals(bytes)).toBe(true);
    client.socket.destroy();
  });

  it("resets the connection at the message: the receiver has exactly what came before it", async () => {
    const port = await proxy("q", "zookeeper-quorum");
    await rule("q", "cut", { types: ["NEWLEADER"], action: "reset" });
    const newLeader = messages[indexOf("NEWLEADER")] as WireMessage;
    const client = await send(port);
    expect(await client.ended).toMatch(/reset|end/);
    // The echo got (and returned) the bytes before NEWLEADER at most.
    expect(client.received().length).toBeLessThanOrEqual(newLeader.end - newLeader.size);
  });

  it("rules of one group share their count across proxies", async () => {
    const first = await proxy("a", "zookeeper-quorum");
    const second = await proxy("b", "zookeeper-quorum");
    for (const name of ["a", "b"])
      await rule(name, "once", { types: ["COMMIT"], action: "drop", count: 1, group: "g" });
    const expected = without(indexOf("COMMIT"));
    const one = await send(first);
    await one.waitForBytes(expected.length, 10_000);
    const two = await send(second);
    await two.waitForBytes(bytes.length, 10_000);
    expect(one.received().equals(expected)).toBe(true);
    expect(two.received().equals(bytes)).toBe(true);
    one.socket.destroy();
    two.socket.destroy();
  });

  it("refuses a rule on a proxy that does not decode, and a rule that is not one", async () => {
    await proxy("plain");
    await proxy("q", "zookeeper-quorum");
    const plain = await rule("plain", "x", { action: "drop" });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/zk_message toxic needs a proxy that decodes/);
    const bad = await rule("q", "y", { action: "explode" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(
      /message.action must be one of drop, delay, duplicate, hold, reset/,
    );
    const missing = await api("/proxies/q/toxics", "POST", { name: "z", type: "zk_message" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/needs a message object/);
  });
});
