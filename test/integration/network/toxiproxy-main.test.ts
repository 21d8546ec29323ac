import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGoFlags } from "../../../src/network/toxiproxy/toxiproxy-main.js";
import { spawnNodeScript } from "../../helpers/cli.js";
import { connectClient, startEchoServer } from "../../helpers/tcp.js";

/** The compiled program the Toxiproxy image runs (`npm test` builds it first). */
const MAIN = fileURLToPath(
  new URL("../../../dist/src/network/toxiproxy/toxiproxy-main.js", import.meta.url),
);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-toxiproxy-main-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Go-style flags of the official toxiproxy-server", () => {
  it("reads -name=value, -name value and --name=value", () => {
    expect([...parseGoFlags(["-host=0.0.0.0", "-port", "8474", "--config=/c.json"])]).toEqual([
      ["host", "0.0.0.0"],
      ["port", "8474"],
      ["config", "/c.json"],
    ]);
  });

  it("rejects a flag without a value and a stray argument", () => {
    expect(() => parseGoFlags(["-port"])).toThrow(/flag -port needs a value/);
    expect(() => parseGoFlags(["8474"])).toThrow(/unexpected argument '8474'/);
  });
});

describe("the standalone server the Toxiproxy image runs", () => {
  it("starts with -host/-port, creates the proxies of -config, forwards, and stops on SIGTERM", async () => {
    const echo = await startEchoServer();
    const config = join(dir, "toxiproxy.json");
    writeFileSync(
      config,
      JSON.stringify([{ name: "echo", listen: "127.0.0.1:0", upstream: `127.0.0.1:${echo.port}` }]),
    );
    const server = spawnNodeScript(MAIN, ["-host=127.0.0.1", "-port", "0", `-config=${config}`]);
    try {
      await server.waitFor(/"port":"(\d+)".*Starting Toxiproxy HTTP server/);
      const port = /"port":"(\d+)"/.exec(server.output())?.[1] as string;
      const proxies = (await (await fetch(`http://127.0.0.1:${port}/proxies`)).json()) as Record<
        string,
        { listen: string; upstream: string }
      >;
      expect(proxies.echo?.upstream).toBe(`127.0.0.1:${echo.port}`);
      const listen = Number(proxies.echo?.listen.split(":")[1]);
      const client = await connectClient(listen);
      client.socket.write("ping");
      await client.waitForBytes(4);
      expect(client.received().toString()).toBe("ping");
      client.socket.destroy();
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      await echo.close();
    }
  });

  it("an unknown flag or a bad config file exits 2 naming it", async () => {
    const unknown = spawnNodeScript(MAIN, ["-proxy-metrics=true"]);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toMatch(/unknown flag -proxy-metrics/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    const broken = spawnNodeScript(MAIN, ["-host=127.0.0.1", "-port=0", `-config=${bad}`]);
    expect(await broken.exited).toBe(2);
    expect(broken.output()).toContain(bad);
  });
});
