import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

// A library caller's process must end by itself once the proxy is closed: a toxic
// that was holding data when its connection went must not leave a timer behind.

const SERVER = resolve("dist/src/network/toxiproxy/toxiproxy-server.js");
const GUARD = resolve("dist/src/cli/exit-guard.js");

/** Runs `body` in a fresh Node process with the proxy server imported; the exit guard names what lingers. */
function inChild(body: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      [
        `const { startToxiproxyServer } = await import(${JSON.stringify(SERVER)});`,
        `const { guardExit } = await import(${JSON.stringify(GUARD)});`,
        'const net = await import("node:net");',
        body,
        "process.exitCode = 0;",
        "guardExit(1000);",
      ].join("\n"),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  return new Promise((done) => child.on("exit", (code) => done({ code, stderr })));
}

describe("a closed proxy lets its process end", () => {
  it("after reset_peer reset a connection whose data it was holding", async () => {
    const run = await inChild(`
const echo = net.createServer((socket) => { socket.on("error", () => {}); socket.pipe(socket); });
await new Promise((r) => echo.listen(0, "127.0.0.1", r));
const server = await startToxiproxyServer({ port: 0, seed: 1 });
const created = await fetch(server.url + "/proxies", { method: "POST", body: JSON.stringify({
  name: "echo", upstream: "127.0.0.1:" + echo.address().port, listen: "127.0.0.1:0" }) });
const proxy = await created.json();
await fetch(server.url + "/proxies/echo/toxics", { method: "POST", body: JSON.stringify({
  type: "reset_peer", stream: "upstream", attributes: { timeout: 300 } }) });
const socket = net.connect(Number(proxy.listen.split(":")[1]), "127.0.0.1");
socket.on("error", () => {});
await new Promise((r) => socket.on("connect", r));
socket.write("held until the reset");
const ended = await new Promise((r) => socket.on("close", () => r("closed")));
if (ended !== "closed") throw new Error("the connection was not reset");
await server.close();
await new Promise((r) => echo.close(r));
`);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
