import { Toxiproxy } from "toxiproxy-node-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  startToxiproxyServer,
  type ToxiproxyServer,
} from "../../../src/network/toxiproxy/toxiproxy-server.js";
import { connectClient, startEchoServer, type TestClient } from "../../helpers/tcp.js";

// Each toxic's effect, measured on a real TCP echo server through the proxy.

let server: ToxiproxyServer;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let client: Toxiproxy;
let listenPort: number;
const open: TestClient[] = [];

async function addToxic(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${server.url}/proxies/echo/toxics`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function removeToxic(name: string): Promise<void> {
  expect(
    (await fetch(`${server.url}/proxies/echo/toxics/${name}`, { method: "DELETE" })).status,
  ).toBe(204);
}

async function connectProxy(): Promise<TestClient> {
  const connection = await connectClient(listenPort);
  open.push(connection);
  return connection;
}

/** Sends bytes and returns the ms until they all came back. */
async function roundTrip(connection: TestClient, bytes = 16): Promise<number> {
  const before = connection.received().length;
  const started = performance.now();
  connection.socket.write(Buffer.alloc(bytes, 120));
  await connection.waitForBytes(before + bytes, 10_000);
  return performance.now() - started;
}

beforeEach(async () => {
  echo = await startEchoServer();
  server = await startToxiproxyServer({ port: 0, seed: 42 });
  client = new Toxiproxy(server.url);
  const proxy = await client.createProxy({
    name: "echo",
    upstream: `127.0.0.1:${echo.port}`,
    listen: "127.0.0.1:0",
  });
  listenPort = Number(proxy.listen.split(":")[1]);
});

afterEach(async () => {
  for (const connection of open.splice(0)) connection.socket.destroy();
  await server.close();
  await echo.close();
});

describe("toxics on a real TCP echo", () => {
  it("passes data unchanged without toxics", async () => {
    const connection = await connectProxy();
    const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    connection.socket.write(payload);
    await connection.waitForBytes(payload.length);
    expect(connection.received().equals(payload)).toBe(true);
  });

  it("latency adds the delay, within +/- jitter, and applies to live connections", async () => {
    const connection = await connectProxy();
    expect(await roundTrip(connection)).toBeLessThan(100);
    await addToxic({ type: "latency", attributes: { latency: 200, jitter: 0 } });
    const delayed = await roundTrip(connection);
    expect(delayed).toBeGreaterThanOrEqual(195);
    await removeToxic("latency_downstream");
    expect(await roundTrip(connection)).toBeLessThan(100);
    await addToxic({ type: "latency", attributes: { latency: 100, jitter: 60 } });
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) samples.push(await roundTrip(connection));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(35);
    expect(Math.max(...samples) - Math.min(...samples)).toBeGreaterThan(10);
  });

  it("bandwidth caps throughput", async () => {
    await addToxic({ type: "bandwidth", attributes: { rate: 50 } });
    const connection = await connectProxy();
    const elapsed = await roundTrip(connection, 50_000);
    // 50 KB at 50 KB/s: about one second.
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it("timeout 0 black-holes data until removed, which closes the connection", async () => {
    const connection = await connectProxy();
    await addToxic({ type: "timeout", attributes: { timeout: 0 } });
    connection.socket.write("hello");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(connection.received().length).toBe(0);
    await removeToxic("timeout_downstream");
    expect(await connection.ended).toBe("end");
  });

  it("timeout N closes the connection after N ms", async () => {
    await addToxic({ type: "timeout", stream: "upstream", attributes: { timeout: 300 } });
    const started = performance.now();
    const connection = await connectProxy();
    connection.socket.write("lost");
    expect(await connection.ended).toBe("end");
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(connection.received().length).toBe(0);
  });

  it("reset_peer resets a connection its timeout after meeting it, a live and idle one too", async () => {
    const connection = await connectProxy();
    await roundTrip(connection);
    const started = performance.now();
    // Added while the connection lives, with no data flowing: Toxiproxy resets it all the same.
    await addToxic({ type: "reset_peer", stream: "upstream", attributes: { timeout: 100 } });
    expect(await connection.ended).toBe("reset");
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it("limit_data closes after N bytes", async () => {
    await addToxic({ type: "limit_data", attributes: { bytes: 10 } });
    const connection = await connectProxy();
    connection.socket.write(Buffer.alloc(100, 97));
    expect(await connection.ended).toBe("end");
    expect(connection.received().length).toBe(10);
  });

  it("slicer cuts data into small pieces, intact", async () => {
    await addToxic({
      type: "slicer",
      attributes: { average_size: 10, size_variation: 0, delay: 2000 },
    });
    const connection = await connectProxy();
    let reads = 0;
    connection.socket.on("data", () => reads++);
    const payload = Buffer.from("abcdefghij".repeat(10));
    connection.socket.write(payload);
    await connection.waitForBytes(100);
    expect(connection.received().equals(payload)).toBe(true);
    expect(reads).toBeGreaterThanOrEqual(5);
  });

  it("slow_close delays the close", async () => {
    await addToxic({ type: "slow_close", attributes: { delay: 300 } });
    const connection = await connectProxy();
    await roundTrip(connection);
    const started = performance.now();
    connection.socket.end();
    await connection.ended;
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("disabling the proxy drops live connections and refuses new ones", async () => {
    const connection = await connectProxy();
    await roundTrip(connection);
    const proxy = await client.get("echo");
    await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(["end", "reset"]).toContain(await connection.ended);
    await expect(connectClient(listenPort)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await proxy.update({ ...proxy.toJson(), enabled: true });
    expect(await roundTrip(await connectProxy())).toBeLessThan(1000);
  });

  it("toxicity picks connections from the seed: the same seed picks the same ones", async () => {
    async function pattern(seed: number): Promise<boolean[]> {
      await using other = await startToxiproxyServer({ port: 0, seed });
      const response = await fetch(`${other.url}/proxies`, {
        method: "POST",
        body: JSON.stringify({
          name: "echo",
          upstream: `127.0.0.1:${echo.port}`,
          listen: "127.0.0.1:0",
        }),
      });
      const port = Number(((await response.json()) as { listen: string }).listen.split(":")[1]);
      await fetch(`${other.url}/proxies/echo/toxics`, {
        method: "POST",
        body: JSON.stringify({ type: "latency", toxicity: 0.5, attributes: { latency: 300 } }),
      });
      const slow: boolean[] = [];
      for (let i = 0; i < 12; i++) {
        const connection = await connectClient(port);
        slow.push((await roundTrip(connection)) > 200);
        connection.socket.destroy();
      }
      return slow;
    }
    const first = await pattern(7);
    expect(await pattern(7)).toEqual(first);
    expect(first.some(Boolean)).toBe(true);
    expect(first.every(Boolean)).toBe(false);
  });
});
