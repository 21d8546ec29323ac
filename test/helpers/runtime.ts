import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { type LocalEnsemble, startLocalEnsemble } from "../../src/ensemble/local/local-ensemble.js";
import { RUN_MARKER } from "../../src/ensemble/run-registry.js";
import type { ResultsFile } from "../../src/report/results.js";
import { runMatrix } from "../../src/runner/run-matrix.js";
import { canListen, portLockDir } from "../../src/util/port-reservation.js";
import { isTokenAlive, processArgs, selfToken } from "../../src/util/process-identity.js";

/** A private runtime root per test file, so leak checks see only this file's runs. */
export function makeRuntimeRoot(): string {
  return mkdtempSync(join(tmpdir(), "zk-chaos-test-"));
}

/** Removes a test runtime root. */
export function removeRuntimeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Pids of live JVMs whose arguments name a path under `root` (a test's runtime root). */
export function jvmsUnder(root: string): number[] {
  return jvmPidsOfRun().filter((pid) =>
    (processArgs(pid) ?? []).some((arg) => arg.startsWith(root)),
  );
}

/** Pids of live JVMs started for a run (all our runs when runId is omitted). */
export function jvmPidsOfRun(runId?: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const args = processArgs(Number(name));
    if (args === undefined) continue;
    const marker = args.find((arg) => arg.startsWith(RUN_MARKER));
    if (marker === undefined) continue;
    if (runId === undefined || marker === `${RUN_MARKER}${runId}`) pids.push(Number(name));
  }
  return pids;
}

function listIfExists(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Asserts a disposed ensemble left no JVM, listening port, folder, registry entry or port lock. */
export async function expectNothingLeft(ensemble: LocalEnsemble, root: string): Promise<void> {
  expect(jvmPidsOfRun(ensemble.runId), "JVMs of this run still alive").toEqual([]);
  const ports = ensemble.ports.flatMap((server) => [server.client, server.quorum, server.election]);
  const busy: number[] = [];
  // A freed port may at once be reserved and bound by another ensemble (a parallel test file): that is not ours.
  const reservedNow = new Set(listIfExists(portLockDir()).map(Number));
  for (const port of ports)
    if (!(await canListen("127.0.0.1", port)) && !reservedNow.has(port)) busy.push(port);
  expect(busy, "ports still bound").toEqual([]);
  const ours = ports.filter((port) => {
    try {
      return readFileSync(join(portLockDir(), String(port)), "utf8") === selfToken();
    } catch {
      return false;
    }
  });
  expect(ours, "port reservations left").toEqual([]);
  expect(listIfExists(join(root, "runs")), "run folders left").toEqual([]);
  expect(listIfExists(join(root, "registry")), "registry entries left").toEqual([]);
}

/** Port locks that leak: held by this process, or by one that is gone. */
export function leakedPortLocks(): string[] {
  return listIfExists(portLockDir()).filter((name) => {
    try {
      const owner = readFileSync(join(portLockDir(), name), "utf8");
      return owner === selfToken() || !isTokenAlive(owner);
    } catch {
      return false;
    }
  });
}

/** Starts (and disposes) a 1-server ensemble under `root`, as the next run would: it reaps what dead runs left. Returns its log lines and the ensemble. */
export async function startNextRun(root: string): Promise<{ log: string[]; next: LocalEnsemble }> {
  const log: string[] = [];
  const next = await startLocalEnsemble({
    nodes: 1,
    runtimeRoot: root,
    log: (line) => log.push(line),
  });
  await next.dispose();
  return { log, next };
}

/** A fresh runtime root for each test of the file, removed after it: call at the top of the file, read with root(). */
export function freshRuntimeRoot(): () => string {
  let root = "";
  beforeEach(() => {
    root = makeRuntimeRoot();
  });
  afterEach(() => removeRuntimeRoot(root));
  return () => root;
}

/** A fresh temp folder for each test of the file, removed after it: call at the top of the file, read with folder(). */
export function freshFolder(prefix: string): () => string {
  let folder = "";
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  return () => folder;
}

/** A harness in a process of its own (a module script over the built library), once it printed `ready`. */
export async function startHarness(lines: readonly string[], ready: string): Promise<ChildProcess> {
  const entry = resolve("dist/src/index.js");
  const script = [
    `const zk = await import(${JSON.stringify(entry)});`,
    ...lines,
    `console.log(${JSON.stringify(ready)});`,
    "setInterval(() => {}, 1000);",
  ].join("\n");
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((done, fail) => {
    child.stdout?.on("data", (data: Buffer) => {
      if (data.toString().includes(ready)) done();
    });
    child.once("exit", (code) => fail(new Error(`the harness exited early (${code})`)));
  });
  return child;
}

/** Kills a harness with SIGKILL (no cleanup of its own) and waits for it to be gone. */
export async function killHarness(child: ChildProcess): Promise<void> {
  const gone = new Promise((done) => child.once("exit", done));
  child.kill("SIGKILL");
  await gone;
}

/**
 * Runs one scenario file at one size through runMatrix with its runtime root,
 * hands its results and folder to `check`, and removes the reports after.
 */
export async function checkScenarioRun(
  runtimeRoot: string,
  file: string,
  nodes: number,
  seed: number,
  check: (run: ResultsFile, dir: string) => Promise<void>,
): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "zk-chaos-scenario-"));
  const previous = process.env.ZK_CHAOS_RUNTIME_DIR;
  process.env.ZK_CHAOS_RUNTIME_DIR = runtimeRoot;
  try {
    const { runs } = await runMatrix({ scenarioFiles: [file], nodes: [nodes], seed, out });
    const [run] = runs;
    if (run === undefined) throw new Error(`${file}: no run`);
    const folder = readdirSync(out).find((name) => name.includes(`-${run.scenario}-n${nodes}-`));
    await check(run, join(out, folder as string));
  } finally {
    if (previous === undefined) delete process.env.ZK_CHAOS_RUNTIME_DIR;
    else process.env.ZK_CHAOS_RUNTIME_DIR = previous;
    rmSync(out, { recursive: true, force: true });
  }
}
