/**
 * The general linearizability verdict on a second core: on a million
 * operations the search and the zxid checks take seconds each and need
 * nothing from each other. Small histories, one core, or a build without the
 * worker's compiled file (tests run the sources) stay on this thread.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Verdict } from "../verdict.js";
import { generalVerdictNow, type RegisterOpSource } from "./general-verdict.js";
import type { RegisterOpColumns } from "./register-op-columns.js";

/** Below this many operations a worker's start costs more than it saves. */
export const WORKER_MIN_OPERATIONS = 50_000;

const WORKER_FILE = new URL("./register-linearizability-worker.js", import.meta.url);

/** Whether this build and machine can run the search in a worker thread. */
const workerAvailable = () =>
  availableParallelism() > 1 &&
  WORKER_FILE.protocol === "file:" &&
  existsSync(fileURLToPath(WORKER_FILE));

/**
 * The general verdict, computed in a worker thread when that pays (the
 * promise), else here and now. The operations cross as columns and are not
 * kept here meanwhile; a worker that fails falls back to this thread
 * (making them again), so the verdict never depends on where it ran.
 */
export function generalVerdictSoon(
  source: RegisterOpSource,
  timeoutMs: number,
): Verdict | Promise<Verdict> {
  // A small history is checked here before any columns are made for it.
  if (source.bound < WORKER_MIN_OPERATIONS || !workerAvailable())
    return generalVerdictNow(source, timeoutMs);
  let columns: RegisterOpColumns | undefined;
  try {
    columns = source.columns();
  } catch {
    // Made again where a failure becomes the verdict's.
    return generalVerdictNow(source, timeoutMs);
  }
  if (columns === undefined || columns.count < WORKER_MIN_OPERATIONS)
    return generalVerdictNow(source, timeoutMs);
  const sent = columns;
  return new Promise<Verdict>((resolve) => {
    const worker = new Worker(WORKER_FILE, {
      workerData: { columns: sent, timeoutMs },
      transferList: [sent.numbers.buffer, sent.codes.buffer] as ArrayBuffer[],
    });
    let settled = false;
    const settle = (verdict: Verdict | undefined) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(verdict ?? generalVerdictNow(source, timeoutMs));
    };
    // Said in its stats: where a verdict was reached is worth knowing when its time is read.
    worker.once("message", (verdict: Verdict) =>
      settle({ ...verdict, stats: { ...verdict.stats, worker: true } }),
    );
    worker.once("error", () => settle(undefined));
    worker.once("exit", () => settle(undefined));
  });
}
