/**
 * Starts and stops the co-located neighbour of a ramp step (neighbour-load):
 * its files on the servers' disk, its process marked as this harness's so a
 * crashed run's is reaped by the next, and what it managed measured by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OWNER_MARKER, RUN_MARKER } from "../ensemble/run-registry.js";
import { ZkChaosError } from "../errors.js";
import { selfToken } from "../util/process-identity.js";

/** What the neighbour did while it ran. */
export interface NeighbourThroughput {
  /** Commit-log bytes written and fsync'd, per second (MB/s). */
  readonly fsyncedMbPerS: number;
  readonly fsyncs: number;
  /** Compaction reads, per second (MB/s). */
  readonly readMbPerS: number;
  readonly elapsedMs: number;
}

/** A running neighbour. */
export interface RunningNeighbour {
  readonly pid: number | undefined;
  /** Resolves once it loads the machine (a real node: once it answers); rejects if it died first. */
  readonly ready: Promise<void>;
  /** Stops it and returns what it did. */
  stop(): Promise<NeighbourThroughput>;
}

interface Totals {
  fsyncedBytes: number;
  fsyncs: number;
  readBytes: number;
  elapsedMs: number;
}

/** Each neighbour's child script; a real node's also reads its class path from a file. */
const SCRIPTS = {
  shaped: fileURLToPath(new URL("./neighbour-load.js", import.meta.url)),
  node: fileURLToPath(new URL("./cassandra-node-load.js", import.meta.url)),
} as const;

/** Which load: Cassandra-shaped I/O, or a real node (with the file of its class path). */
export type NeighbourLoad =
  | { readonly kind: "shaped" }
  | { readonly kind: "node"; readonly classpathFile: string };

/**
 * Starts a neighbour writing under `dir` (on the servers' disk) at `mbPerS`,
 * for at most `limitMs`: Cassandra-shaped I/O, or a real Cassandra node.
 */
export function startNeighbour(
  dir: string,
  runId: string,
  limitMs: number,
  mbPerS: number,
  load: NeighbourLoad = { kind: "shaped" },
): RunningNeighbour {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      SCRIPTS[load.kind],
      dir,
      String(limitMs),
      String(mbPerS),
      ...(load.kind === "node" ? [load.classpathFile] : []),
      `${OWNER_MARKER}${selfToken()}`,
      `${RUN_MARKER}${runId}`,
      "-Dzkchaos.server=neighbour",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let last: Totals = { fsyncedBytes: 0, fsyncs: 0, readBytes: 0, elapsedMs: 0 };
  let buffered = "";
  let markReady: () => void = () => {};
  // The shaped load loads from its first instant; a node once it said so.
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    if (load.kind === "shaped") resolve();
    child.once("exit", (code) =>
      reject(
        new ZkChaosError(
          "SERVER_START_FAILED",
          `the Cassandra neighbour ended (exit ${code}) before it was ready: see its lines above`,
        ),
      ),
    );
  });
  ready.catch(() => {});
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as Totals & { ready?: boolean };
        if (parsed.ready === true) markReady();
        else last = parsed;
      } catch {
        // Not ours: ignore.
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid,
    ready,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      const seconds = Math.max(last.elapsedMs, 1) / 1000;
      return {
        fsyncedMbPerS: last.fsyncedBytes / 2 ** 20 / seconds,
        fsyncs: last.fsyncs,
        readMbPerS: last.readBytes / 2 ** 20 / seconds,
        elapsedMs: last.elapsedMs,
      };
    },
  };
}
