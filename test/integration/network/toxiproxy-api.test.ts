import { Toxiproxy, ToxiproxyError } from "toxiproxy-node-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  startToxiproxyServer,
  type ToxiproxyServer,
} from "../../../src/network/toxiproxy/toxiproxy-server.js";

// Written from the Toxiproxy 2.x API documentation: every endpoint, status
// code and error body, driven by toxiproxy-node-client where it can and by
// fetch where the client cannot (it drops error bodies and has no PATCH or toxic list).

let server: ToxiproxyServer;
let client: Toxiproxy;

beforeEach(async () => {
  server = await startToxiproxyServer({ port: 0 });
  client = new Toxiproxy(server.url);
});
afterEach(() => server.close());

async function raw(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    // Plain text, as Toxiproxy's router and middleware answer.
  }
  return { status: response.status, type: response.headers.get("content-type"), json, text };
}

describe("built-in Toxiproxy API, through toxiproxy-node-client", () => {
  it("creates a proxy (201), picks a free port for listen port 0, and lists it", async () => {
    const created = await raw("POST", "/proxies", {
      name: "zk",
      upstream: "127.0.0.1:2181",
      listen: "127.0.0.1:0",
    });
    expect(created.status).toBe(201);
    expect(created.json?.listen).toMatch(/^127\.0\.0\.1:[1-9]\d+$/);
    expect(created.json).toMatchObject({
      name: "zk",
      upstream: "127.0.0.1:2181",
      enabled: true,
      toxics: [],
    });
    const proxy = await client.createProxy({
      name: "other",
      upstream: "127.0.0.1:2182",
      listen: "127.0.0.1:0",
    });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    const all = await client.getAll();
    expect(Object.keys(all).sort()).toEqual(["other", "zk"]);
    expect((await client.get("zk")).upstream).toBe("127.0.0.1:2181");
  });

  it("answers a duplicate with 409 and a missing proxy with 404, in Toxiproxy's error shape", async () => {
    await client.createProxy({ name: "zk", upstream: "127.0.0.1:2181", listen: "127.0.0.1:0" });
    await expect(
      client.createProxy({ name: "zk", upstream: "127.0.0.1:2181", listen: "127.0.0.1:0" }),
    ).rejects.toBeInstanceOf(ToxiproxyError);
    const duplicate = await raw("POST", "/proxies", { name: "zk", upstream: "127.0.0.1:1" });
    expect(duplicate).toMatchObject({
      status: 409,
      type: "text/plain; charset=utf-8",
      json: { error: "proxy already exists", status: 409 },
    });
    await expect(client.get("nope")).rejects.toThrow(/404/);
    expect((await raw("GET", "/proxies/nope")).json).toEqual({
      error: "proxy not found",
      status: 404,
    });
    expect((await raw("POST", "/proxies", { upstream: "x:1" })).json).toEqual({
      error: "missing required field: name",
      status: 400,
    });
    expect((await raw("POST", "/proxies", { name: "x" })).json).toEqual({
      error: "missing required field: upstream",
      status: 400,
    });
    const bad = await raw("POST", "/proxies", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json?.error).toMatch(/^bad request body: /);
  });

  it("updates (POST and PATCH keep absent fields), disables and deletes (204)", async () => {
    const proxy = await client.createProxy({
      name: "zk",
      upstream: "127.0.0.1:2181",
      listen: "127.0.0.1:0",
    });
    const disabled = await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(disabled.enabled).toBe(false);
    const patched = await raw("PATCH", "/proxies/zk", { enabled: true });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      enabled: true,
      upstream: "127.0.0.1:2181",
      listen: proxy.listen,
    });
    const moved = await raw("PATCH", "/proxies/zk", { upstream: "127.0.0.1:2999" });
    expect(moved.json).toMatchObject({ upstream: "127.0.0.1:2999", enabled: true });
    await proxy.remove();
    expect((await raw("GET", "/proxies/zk")).status).toBe(404);
    expect((await raw("DELETE", "/proxies/zk")).status).toBe(404);
  });

  it("populates: validates all first, keeps identical proxies, replaces changed ones", async () => {
    const first = await client.populate([
      { name: "a", upstream: "127.0.0.1:1001", listen: "127.0.0.1:0" },
      { name: "b", upstream: "127.0.0.1:1002", listen: "127.0.0.1:0" },
    ]);
    expect(Object.keys(first).sort()).toEqual(["a", "b"]);
    const invalid = await raw("POST", "/populate", [
      { name: "c", upstream: "127.0.0.1:1003" },
      { name: "d" },
    ]);
    expect(invalid.status).toBe(400);
    expect(invalid.json?.error).toBe("missing required field: upstream at proxy 2");
    expect((await raw("GET", "/proxies/c")).status).toBe(404);
    const again = await raw("POST", "/populate", [
      { name: "a", upstream: "127.0.0.1:1001", listen: "127.0.0.1:0" },
      { name: "b", upstream: "127.0.0.1:2002", listen: "127.0.0.1:0" },
    ]);
    expect(again.status).toBe(201);
    const proxies = again.json?.proxies as { name: string; upstream: string; listen: string }[];
    expect(proxies.map((p) => p.upstream)).toEqual(["127.0.0.1:1001", "127.0.0.1:2002"]);
    expect(proxies[0]?.listen).toBe(first.a?.listen);
  });

  it("adds (200), reads, updates, lists (upstream first) and removes toxics", async () => {
    const proxy = await client.createProxy({
      name: "zk",
      upstream: "127.0.0.1:2181",
      listen: "127.0.0.1:0",
    });
    const latency = await proxy.addToxic({
      type: "latency",
      attributes: { latency: 100, jitter: 10 },
    } as never);
    expect(latency.name).toBe("latency_downstream");
    expect(latency.stream).toBe("downstream");
    expect(latency.toxicity).toBe(1);
    const added = await raw("POST", "/proxies/zk/toxics", {
      type: "bandwidth",
      stream: "upstream",
      name: "slow",
      toxicity: 0.5,
      attributes: { rate: 10 },
    });
    expect(added).toMatchObject({
      status: 200,
      json: {
        name: "slow",
        type: "bandwidth",
        stream: "upstream",
        toxicity: 0.5,
        attributes: { rate: 10 },
      },
    });
    const list = await raw("GET", "/proxies/zk/toxics");
    expect((list.json as unknown as { name: string }[]).map((t) => t.name)).toEqual([
      "slow",
      "latency_downstream",
    ]);
    const fetched = await proxy.getToxic("latency_downstream");
    expect(fetched.attributes).toEqual({ latency: 100, jitter: 10 });
    const updated = await fetched.update({
      ...fetched.toJson(),
      attributes: { latency: 250 },
    } as never);
    expect(updated.attributes).toMatchObject({ latency: 250 });
    const merged = await raw("PATCH", "/proxies/zk/toxics/latency_downstream", {
      attributes: { jitter: 5 },
    });
    expect(merged.json?.attributes).toEqual({ latency: 250, jitter: 5 });
    expect((await raw("GET", "/proxies/zk")).json?.toxics).toHaveLength(2);
    await fetched.remove();
    expect((await raw("GET", "/proxies/zk/toxics/latency_downstream")).json).toEqual({
      error: "toxic not found",
      status: 404,
    });
  });

  it("rejects bad toxics as Toxiproxy does", async () => {
    await client.createProxy({ name: "zk", upstream: "127.0.0.1:2181", listen: "127.0.0.1:0" });
    expect((await raw("POST", "/proxies/zk/toxics", { type: "down" })).json).toEqual({
      error: "invalid toxic type",
      status: 400,
    });
    expect(
      (await raw("POST", "/proxies/zk/toxics", { type: "latency", stream: "sideways" })).json,
    ).toEqual({
      error: "stream was invalid, can be either upstream or downstream",
      status: 400,
    });
    await raw("POST", "/proxies/zk/toxics", { type: "latency" });
    expect((await raw("POST", "/proxies/zk/toxics", { type: "latency" })).json).toEqual({
      error: "toxic already exists",
      status: 409,
    });
    expect((await raw("POST", "/proxies/nope/toxics", { type: "latency" })).status).toBe(404);
  });

  it("resets (204): every proxy enabled again, every toxic gone", async () => {
    const proxy = await client.createProxy({
      name: "zk",
      upstream: "127.0.0.1:2181",
      listen: "127.0.0.1:0",
    });
    await proxy.addToxic({ type: "timeout", attributes: { timeout: 0 } } as never);
    await proxy.update({ ...proxy.toJson(), enabled: false });
    const reset = await raw("POST", "/reset");
    expect(reset.status).toBe(204);
    expect((await raw("GET", "/proxies/zk")).json).toMatchObject({ enabled: true, toxics: [] });
  });

  it("reports its version as JSON and refuses browsers with 403", async () => {
    expect(JSON.parse(await client.getVersion())).toEqual({ version: "2.12.0" });
    const browser = await raw("GET", "/proxies", undefined, {
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
    });
    expect(browser).toMatchObject({ status: 403, text: "User agent not allowed\n" });
    expect(browser.type).toMatch(/^text\/plain/);
  });

  it("answers 500 with the reason when the listen port is taken", async () => {
    const first = await client.createProxy({
      name: "a",
      upstream: "127.0.0.1:1",
      listen: "127.0.0.1:0",
    });
    const taken = await raw("POST", "/proxies", {
      name: "b",
      upstream: "127.0.0.1:1",
      listen: first.listen,
    });
    expect(taken.status).toBe(500);
    expect(taken.json?.error).toMatch(/EADDRINUSE/);
  });
});

describe("parity with a real Toxiproxy 2.x server", () => {
  it("refuses an empty or wrongly typed body with 400, as Go's decoder does", async () => {
    await raw("POST", "/proxies", { name: "p", upstream: "127.0.0.1:1", listen: "127.0.0.1:0" });
    expect((await raw("POST", "/proxies", "")).status).toBe(400);
    expect((await raw("POST", "/proxies", { name: 5, upstream: "127.0.0.1:1" })).status).toBe(400);
    expect((await raw("POST", "/proxies/p", { enabled: "false" })).status).toBe(400);
    expect(
      (await raw("POST", "/proxies/p/toxics", { type: "latency", attributes: { latency: 1.5 } }))
        .status,
    ).toBe(400);
    expect(
      (await raw("POST", "/proxies/p/toxics", { type: "latency", toxicity: "1" })).status,
    ).toBe(400);
    expect((await raw("POST", "/populate", { proxies: [] })).status).toBe(400);
  });

  it("answers unknown paths, a trailing slash and unrouted methods as its router does: plain text", async () => {
    const unknown = await raw("GET", "/nothing");
    expect(unknown).toMatchObject({ status: 404, text: "404 page not found\n" });
    expect((await raw("GET", "/proxies/")).status).toBe(404);
    const method = await raw("PUT", "/proxies");
    expect(method).toMatchObject({ status: 405, text: "" });
    // A handler's own error stays JSON.
    expect(await raw("GET", "/proxies/none")).toMatchObject({
      status: 404,
      json: { error: "proxy not found", status: 404 },
    });
  });

  it("an update or populate with the unchanged listen address keeps live connections and toxics", async () => {
    const { createServer, connect } = await import("node:net");
    const upstream = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", () => resolve()));
    const upstreamPort = (upstream.address() as { port: number }).port;
    try {
      const created = await raw("POST", "/proxies", {
        name: "p",
        upstream: `127.0.0.1:${upstreamPort}`,
        listen: "127.0.0.1:0",
      });
      const listen = String(created.json?.listen);
      await raw("POST", "/proxies/p/toxics", { type: "latency", attributes: { latency: 1 } });
      const socket = connect(Number(listen.split(":")[1]), "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      await expect.poll(() => server.connectionCount("p")).toBe(1);
      // What a client posts back after a GET: the proxy as shown, bound port included.
      const updated = await raw("POST", "/proxies/p", { ...created.json, enabled: true });
      expect(updated.status).toBe(200);
      const repopulated = await raw("POST", "/populate", [
        { name: "p", listen, upstream: `127.0.0.1:${upstreamPort}` },
      ]);
      expect(repopulated.status).toBe(201);
      expect(server.connectionCount("p")).toBe(1);
      expect((await raw("GET", "/proxies/p")).json?.toxics).toHaveLength(1);
      socket.destroy();
    } finally {
      upstream.close();
    }
  });
});
