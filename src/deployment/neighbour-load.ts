/**
 * A Cassandra-shaped neighbour, run as a child process beside the servers:
 * a commit log written sequentially in 64 KiB blocks and fsync'd every
 * 512 KiB (Cassandra's periodic commit-log sync, made strict), and, at each
 * 32 MiB segment, a compaction-like pass that reads the previous segment and
 * hashes it (disk reads and CPU). Each second it prints what it did as one
 * JSON line. It stops on SIGTERM, when its parent's pipe closes, or after
 * its time limit, and removes its files.
 * Its commit log is paced to a rate (MB/s), as a busy node's would be.
 *   node neighbour-load.js <dir> <limit ms> <MB/s> [markers...]
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

const BLOCK = 64 * 1024;
const SYNC_EVERY = 8;
const SEGMENT_BYTES = 32 * 1024 * 1024;

const [dirArg, limitText, rateText] = process.argv.slice(2);
if (dirArg === undefined || limitText === undefined || rateText === undefined) {
  process.stderr.write("usage: neighbour-load <dir> <limit ms> <MB/s> [markers...]\n");
  process.exit(2);
}
const dir: string = dirArg;
const limitMs = Number(limitText);
const bytesPerMs = (Number(rateText) * 2 ** 20) / 1000;
mkdirSync(dir, { recursive: true });
const block = Buffer.alloc(BLOCK, 0x5a);
const started = performance.now();
let stopping = false;
let segment = 0;
let fd = openSync(join(dir, `commitlog-${segment}.log`), "w");
let inSegment = 0;
let pending = 0;
const totals = { fsyncedBytes: 0, fsyncs: 0, readBytes: 0 };

const stop = () => {
  stopping = true;
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The harness holds our stdin: when it goes (it died), so do we.
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();

const report = setInterval(() => {
  process.stdout.write(
    `${JSON.stringify({ ...totals, elapsedMs: Math.round(performance.now() - started) })}\n`,
  );
}, 1000);

/** Writes, syncs and compacts for a few milliseconds, then yields to the event loop. */
function work(): void {
  if (stopping || performance.now() - started > limitMs) {
    finish();
    return;
  }
  const sliceEnd = performance.now() + 20;
  // Paced: no more than the rate allows since the start.
  const allowed = () => (performance.now() - started) * bytesPerMs;
  while (performance.now() < sliceEnd && totals.fsyncedBytes + pending < allowed()) {
    writeSync(fd, block);
    inSegment += BLOCK;
    pending += BLOCK;
    if (pending >= SYNC_EVERY * BLOCK) {
      fsyncSync(fd);
      totals.fsyncedBytes += pending;
      totals.fsyncs++;
      pending = 0;
    }
    if (inSegment >= SEGMENT_BYTES) {
      closeSync(fd);
      const previous = join(dir, `commitlog-${segment}.log`);
      segment++;
      fd = openSync(join(dir, `commitlog-${segment}.log`), "w");
      inSegment = 0;
      // Compaction: read the finished segment back and hash it, then drop it.
      const data = readFileSync(previous);
      createHash("sha256").update(data).digest();
      totals.readBytes += data.length;
      rmSync(previous, { force: true });
    }
  }
  if (totals.fsyncedBytes + pending >= allowed()) setTimeout(work, 5);
  else setImmediate(work);
}

function finish(): void {
  clearInterval(report);
  try {
    closeSync(fd);
  } catch {
    // Closed already.
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({ ...totals, elapsedMs: Math.round(performance.now() - started), done: true })}\n`,
  );
  process.exit(0);
}

work();
