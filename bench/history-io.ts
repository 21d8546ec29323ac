/**
 * Benchmark: recording and reading back a history of 1 million events.
 *   node dist/bench/history-io.js [events=1000000]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHistoryFile } from "../src/history/reader.js";
import { HistoryRecorder, JsonlSink } from "../src/history/recorder.js";

const count = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "zk-chaos-history-bench-"));
const file = join(dir, "history.jsonl");
try {
  const recorder = new HistoryRecorder([new JsonlSink(file)]);
  const started = performance.now();
  // Record as a workload does: a burst per event-loop turn, then yield.
  for (let i = 0; i < count; i += 2) {
    const process = i % 100;
    recorder.record({ process, type: "invoke", f: "write", value: { key: i % 5, value: i } });
    recorder.record({
      process,
      type: "ok",
      f: "write",
      value: { key: i % 5, value: i },
      server: 1 + (i % 3),
      session: "0100002806c50000",
      stat: {
        czxid: "4294967298",
        mzxid: String(4294967298 + i),
        version: i,
        cversion: 0,
        ephemeralOwner: "0",
      },
    });
    if (i % 2000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  recorder.close();
  const recordMs = performance.now() - started;
  const size = statSync(file).size;
  const readStarted = performance.now();
  const events = await readHistoryFile(file);
  const readMs = performance.now() - readStarted;
  console.log(
    `recorded ${count} events (${(size / 1e6).toFixed(0)} MB) in ${(recordMs / 1000).toFixed(2)} s: ${((recordMs * 1000) / count).toFixed(2)} us per event`,
  );
  console.log(
    `read back and validated ${events.length} events in ${(readMs / 1000).toFixed(2)} s; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
