import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { lingering } from "../../src/cli/exit-guard.js";

const GUARD = resolve("dist/src/cli/exit-guard.js");

/** Runs a Node process that arms the guard after `body`; resolves with its code, stderr and time. */
function guarded(body: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { guardExit } = await import(${JSON.stringify(GUARD)});\n${body}\nprocess.exitCode = 3;\nguardExit(300);`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  return new Promise((done) =>
    child.on("exit", (code) => done({ code, stderr, ms: performance.now() - started })),
  );
}

describe("the CLI's exit guard", () => {
  it("ends a process whose command left a listener and a timer open, naming them, with the command's exit code", async () => {
    const run = await guarded(
      'const { createServer } = await import("node:net");\ncreateServer().listen(0, "127.0.0.1");\nsetInterval(() => {}, 1000);',
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /zk-chaos: warning: the command finished 0.3 s ago but (TCPServerWrap, Timeout|Timeout, TCPServerWrap) kept the process alive; exiting/,
    );
  });

  it("stays out of the way of a process that ends by itself", async () => {
    const run = await guarded("");
    expect(run.code).toBe(3);
    expect(run.stderr).toBe("");
    // The guard's timer does not hold the process for its grace period.
    expect(run.ms).toBeLessThan(5000);
  });

  it("counts what is left by kind and leaves stdio out", () => {
    expect(lingering(["TTYWrap", "Timeout", "TCPSocketWrap", "Timeout", "PipeWrap"])).toEqual([
      "2 x Timeout",
      "TCPSocketWrap",
    ]);
    expect(lingering(["TTYWrap", "PipeWrap"])).toEqual([]);
  });
});
