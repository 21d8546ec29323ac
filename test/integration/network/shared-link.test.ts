import { Toxiproxy } from "toxiproxy-node-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DataPath, startDataPath } from "../../../src/network/data-path.js";
import {
  startToxiproxyServer,
  type ToxiproxyServer,
} from "../../../src/network/toxiproxy/toxiproxy-server.js";
import { connectClient, startEchoServer, type TestClient } from "../../helpers/tcp.js";

// The shared_link toxic on real TCP: an echo's small round trips and a bulk
// flow cross one link of 2 MB/s with a 100 ms queue.

const RATE_KB = 2000;
const BUFFER_MS = 100;

let server: ToxiproxyServer;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let api: Toxiproxy;
let echoPort: number;
const open: TestClient[] = [];
let dataPath: DataPath | undefined;

/** A proxy whose streams (both ways) cross the shared link `link`. */
async function linkedProxy(name: string, upstream: number, link: string): Promise<number> {
  const proxy = await api.createProxy({
    name,
    upstream: `127.0.0.1:${upstream}`,
    listen: "127.0.0.1:0",
  });
  for (const stream of ["upstream", "downstream"]) {
    const response = await fetch(`${server.url}/proxies/${name}/toxics`, {
      method: "POST",
      body: JSON.stringify({
        name: `link_${stream}`,
        type: "shared_link",
        stream,
        attributes: { rate: RATE_KB, buffer: BUFFER_MS },
        link,
      }),
    });
    expect(response.status, await response.text()).toBe(200);
  }
  return Number(proxy.listen.split(":")[1]);
}

/** Median ms of `times` 100-byte round trips. */
async function medianRoundTrip(connection: TestClient, times = 9): Promise<number> {
  const took: number[] = [];
  for (let index = 0; index < times; index++) {
    const before = connection.received().length;
    const started = performance.now();
    connection.socket.write(Buffer.alloc(100, 120));
    await connection.waitForBytes(before + 100, 10_000);
    took.push(performance.now() - started);
  }
  return took.sort((a, b) => a - b)[Math.floor(times / 2)] as number;
}

beforeEach(async () => {
  echo = await startEchoServer();
  server = await startToxiproxyServer({ port: 0, seed: 7 });
  api = new Toxiproxy(server.url);
  echoPort = await linkedProxy("echo", echo.port, "network");
});

afterEach(async () => {
  await dataPath?.stop();
  dataPath = undefined;
  for (const connection of open.splice(0)) connection.socket.destroy();
  await server.close();
  await echo.close();
});

describe("a shared network link (shared_link)", () => {
  it("a bulk flow on the same link fills its queue: small round trips wait about the buffer each way, and the flow gets the link's rate", async () => {
    const connection = await connectClient(echoPort);
    open.push(connection);
    const idle = await medianRoundTrip(connection);
    expect(idle).toBeLessThan(40);
    dataPath = await startDataPath(
      (sink) => linkedProxy("data", sink, "network").then((port) => ({ host: "127.0.0.1", port })),
      2,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const loaded = await medianRoundTrip(connection);
    // Out and back: each crossing queues behind about BUFFER_MS of bulk bytes.
    expect(loaded).toBeGreaterThan(1.5 * BUFFER_MS);
    expect(loaded).toBeLessThan(6 * BUFFER_MS);
    const moved = await dataPath.stop();
    // 2 MB/s is the link's; the echo's trickle takes next to none of it.
    expect(moved.mbPerS).toBeGreaterThan(1.4);
    expect(moved.mbPerS).toBeLessThan(2.3);
  });

  it("a bulk flow on a link of its own leaves the echo's link alone", async () => {
    const connection = await connectClient(echoPort);
    open.push(connection);
    dataPath = await startDataPath(
      (sink) =>
        linkedProxy("data", sink, "data-only").then((port) => ({ host: "127.0.0.1", port })),
      2,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await medianRoundTrip(connection)).toBeLessThan(BUFFER_MS);
    expect((await dataPath.stop()).mbPerS).toBeGreaterThan(1.4);
  });

  it("refuses a shared_link toxic without the link's name", async () => {
    const response = await fetch(`${server.url}/proxies/echo/toxics`, {
      method: "POST",
      body: JSON.stringify({ name: "nameless", type: "shared_link", attributes: { rate: 10 } }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/a shared_link toxic needs link/);
  });
});
