/**
 * Benchmark: what recording costs the workload.
 *   node dist/bench/workload.js [seconds=5]
 * Against one 3-node ensemble, for 1, 10 and 100 workers: writes per second
 * of a bare loop of node-zookeeper-client calls vs the same writes through
 * the harness (recorded sessions appending to history.jsonl), in the same run.
 * Target: recording costs under 10% of throughput.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalEnsemble } from "../src/ensemble/local/local-ensemble.js";
import { HistoryRecorder, JsonlSink } from "../src/history/recorder.js";
import { RecordedSession } from "../src/workload/recorded-session.js";
import { serverResolver } from "../src/workload/run-workload.js";
import { ZkSession } from "../src/workload/zk-session.js";
import { median, table } from "./stats.js";

const seconds = Number(process.argv[2] ?? 5);
const WORKERS = [1, 10, 100];

await using ensemble = await startLocalEnsemble({ nodes: 3 });
const setup = await ZkSession.open(ensemble.connectString());
await setup.create("/bench", "");
for (let i = 0; i < Math.max(...WORKERS); i++) await setup.create(`/bench/w${i}`, "0");
setup.close();

async function bare(workers: number): Promise<number> {
  const sessions = await Promise.all(
    Array.from({ length: workers }, () => ZkSession.open(ensemble.connectString())),
  );
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  await Promise.all(
    sessions.map(async (session, index) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await session.setData(`/bench/w${index}`, String(i));
        ops++;
      }
    }),
  );
  for (const session of sessions) session.close();
  return ops / seconds;
}

async function harness(workers: number, dir: string): Promise<{ rate: number; events: number }> {
  const recorder = new HistoryRecorder([new JsonlSink(join(dir, `history-${workers}.jsonl`))]);
  const serverOf = serverResolver(ensemble);
  const sessions = Array.from(
    { length: workers },
    (_, index) =>
      new RecordedSession({
        process: index,
        connectString: ensemble.connectString(),
        recorder,
        serverOf,
        sessionTimeoutMs: 4000,
        operationTimeoutMs: 5000,
      }),
  );
  // Open every session before the clock starts, as the bare loop does.
  await Promise.all(
    sessions.map((session, index) =>
      session.perform("read", { key: index }, async (s) => ({
        stat: (await s.getData(`/bench/w${index}`)).stat,
      })),
    ),
  );
  const deadline = performance.now() + seconds * 1000;
  let ops = 0;
  await Promise.all(
    sessions.map(async (session, index) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await session.perform("write", { key: index, value: i }, async (s) => ({
          stat: await s.setData(`/bench/w${index}`, String(i)),
        }));
        ops++;
      }
    }),
  );
  for (const session of sessions) session.close();
  recorder.close();
  return { rate: ops / seconds, events: ops * 2 };
}

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-bench-"));
const rows: string[][] = [];
const results: Record<string, unknown>[] = [];
try {
  for (const workers of WORKERS) {
    // Alternate, three times each, so drift on a noisy machine hits both sides.
    const bareRates: number[] = [];
    const harnessRates: number[] = [];
    for (let round = 0; round < 3; round++) {
      bareRates.push(await bare(workers));
      harnessRates.push((await harness(workers, dir)).rate);
    }
    const bareRate = median(bareRates);
    const harnessRate = median(harnessRates);
    const cost = (1 - harnessRate / bareRate) * 100;
    rows.push([
      String(workers),
      bareRate.toFixed(0),
      harnessRate.toFixed(0),
      `${cost.toFixed(1)}%`,
    ]);
    results.push({
      workers,
      bareOpsPerSecond: bareRates,
      harnessOpsPerSecond: harnessRates,
      recordingCostPercent: cost,
    });
    process.stderr.write(`${workers} workers done\n`);
  }
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  throw error;
}
/** CPU time of the recording path alone (invoke + completion to history.jsonl), with a stand-in operation. */
async function recordingMicroseconds(): Promise<number> {
  const recorder = new HistoryRecorder([new JsonlSink(join(dir, "micro.jsonl"))]);
  const session = new RecordedSession({
    process: 0,
    connectString: "",
    recorder,
    serverOf: () => 1,
    sessionTimeoutMs: 1,
    operationTimeoutMs: 1,
  });
  // Stand in for a connected ZooKeeper session: only the recording is timed.
  Object.assign(session, { session: { remote: "127.0.0.1:1", sessionId: "0100002806c50000" } });
  const stat = {
    czxid: 4294967298n,
    mzxid: 4294967299n,
    pzxid: 0n,
    version: 3,
    cversion: 0,
    ephemeralOwner: 0n,
    numChildren: 0,
  };
  const count = 200_000;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await session.perform("write", { key: 1, value: i }, async () => ({ stat }));
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  recorder.close();
  return ((performance.now() - started) * 1000) / count;
}

const micro = await recordingMicroseconds();
rmSync(dir, { recursive: true, force: true });
console.log(
  `writes/s against a 3-node ensemble, ${seconds} s per measurement, median of 3 alternated runs`,
);
console.log(table(["workers", "bare ops/s", "harness ops/s", "recording cost"], rows));
const best = Math.max(...results.map((r) => median(r.bareOpsPerSecond as number[])));
console.log(
  `recording path alone: ${micro.toFixed(2)} us per operation = ${((micro * best) / 1e4).toFixed(1)}% of one core at the best bare rate (${best.toFixed(0)} ops/s)`,
);
const out = join("reports", "bench");
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "workload.json"),
  `${JSON.stringify({ date: new Date().toISOString(), seconds, results, recordingMicrosecondsPerOp: micro }, null, 2)}\n`,
);
console.log(`written: ${join(out, "workload.json")}`);
