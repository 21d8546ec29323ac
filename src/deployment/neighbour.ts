/**
 * Starts and stops the co-located neighbour of a ramp step (neighbour-load):
 * its files on the servers' disk, its process marked as this harness's so a
 * crashed run's is reaped by the next, and what it managed measured by itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { OWNER_MARKER, RUN_MARKER } from "../ensemble/run-registry.js";
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
  /** Stops it and returns what it did. */
  stop(): Promise<NeighbourThroughput>;
}

interface Totals {
  fsyncedBytes: number;
  fsyncs: number;
  readBytes: number;
  elapsedMs: number;
}

const SCRIPT = fileURLToPath(new URL("./neighbour-load.js", import.meta.url));

/** Starts a Cassandra-shaped load writing under `dir` (on the servers' disk) at `mbPerS`, for at most `limitMs`. */
export function startNeighbour(
  dir: string,
  runId: string,
  limitMs: number,
  mbPerS: number,
): RunningNeighbour {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      SCRIPT,
      dir,
      String(limitMs),
      String(mbPerS),
      `${OWNER_MARKER}${selfToken()}`,
      `${RUN_MARKER}${runId}`,
      "-Dzkchaos.server=neighbour",
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let last: Totals = { fsyncedBytes: 0, fsyncs: 0, readBytes: 0, elapsedMs: 0 };
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        last = JSON.parse(line) as Totals;
      } catch {
        // Not ours: ignore.
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid,
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
