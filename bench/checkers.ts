/**
 * Benchmark: the general linearizability checker on Porcupine's public histories.
 *   node dist/bench/checkers.js
 * Prints the total for the 102 etcd histories and the slowest file, next to
 * the published figures (Porcupine in Go ~0.4 s in total; Knossos cannot finish six).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CheckModel, checkHistoryFile } from "../src/checkers/check-history.js";
import { casRegisterModel } from "../src/checkers/linearizability/model.js";
import { pairOps } from "../src/checkers/zookeeper/operations.js";
import { checkRegisters } from "../src/checkers/zookeeper/register-checks.js";
import { registerOperations } from "../src/checkers/zookeeper/register-history.js";
import {
  checkRegisterLinearizability,
  type KeyedRegisterModel,
} from "../src/checkers/zookeeper/register-linearizability.js";
import { syntheticHistory } from "../src/testing/synthetic-history.js";
import { benchmarkName, porcupineLogOf, runPorcupine } from "./porcupine-anchor.js";
import { table } from "./stats.js";

const dir = process.argv[2] ?? join("..", "shared", "data", "histories", "porcupine");
const verdictsFile = join(dir, "verdicts.json");
if (!existsSync(verdictsFile)) {
  console.error(
    `no histories at ${dir}: pass the folder of Porcupine's test_data and verdicts.json`,
  );
  process.exit(2);
}
const verdicts = JSON.parse(readFileSync(verdictsFile, "utf8")) as Record<
  string,
  { linearizable: boolean; model: string }
>;
/** Checks every file once; each row has parse + check, and the check alone (the verdict's own time). */
async function checkAll(): Promise<{ file: string; ms: number; checkMs: number; ok: boolean }[]> {
  const rows: { file: string; ms: number; checkMs: number; ok: boolean }[] = [];
  for (const [file, known] of Object.entries(verdicts)) {
    if (file.endsWith("etcd_095.log")) continue;
    const path = join(dir, file);
    const started = performance.now();
    const check = await checkHistoryFile(path, {
      model: known.model.split(" ")[0] as CheckModel,
      timeoutMs: 60_000,
    });
    const verdict = check.verdicts[0] as { valid: unknown; elapsedMs: number };
    rows.push({
      file,
      ms: performance.now() - started,
      checkMs: verdict.elapsedMs,
      ok: verdict.valid === known.linearizable,
    });
  }
  return rows;
}
// Warm, as Porcupine's benchmarks are (Go runs each once before it times it).
await checkAll();
const rows = await checkAll();
// The same synthetic history for both: 100k operations of 10 processes on 10 registers, as one
// etcd log per register (Porcupine's etcd model is one register: the logs are its partitions).
const syntheticDir = mkdtempSync(join(tmpdir(), "zkchaos-bench-synthetic-"));
const syntheticOps = Number(process.env.ZK_CHAOS_BENCH_SEARCH_OPS ?? 100_000);
const REGISTERS = 10;
const syntheticEvents = syntheticHistory({
  seed: 5,
  operations: syntheticOps,
  processes: 10,
  registers: REGISTERS,
}).events;
const syntheticLogs = Array.from({ length: REGISTERS }, (_, key) => {
  const log = join(syntheticDir, `register-${key}.log`);
  writeFileSync(
    log,
    porcupineLogOf(
      syntheticEvents.filter((event) => (event.value as { key?: unknown } | null)?.key === key),
    ),
  );
  return log;
});
const anchor = runPorcupine(3, syntheticLogs);
global.gc?.();
let searchedMs = 0;
let searchedValid = true;
for (const log of syntheticLogs) {
  const check = await checkHistoryFile(log, {
    format: "porcupine-log",
    model: "cas-register",
    timeoutMs: 600_000,
  });
  searchedMs += (check.verdicts[0] as { elapsedMs: number }).elapsedMs;
  searchedValid &&= check.valid === true;
}
rmSync(syntheticDir, { recursive: true, force: true });
const etcd = rows.filter((row) => row.file.includes("etcd_"));
const kv = rows.filter((row) => row.file.includes("/kv/"));
const porcupineMs = (file: string): number | undefined => {
  const name = benchmarkName(file);
  return "times" in anchor && name !== undefined ? anchor.times.get(name) : undefined;
};
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const setRow = (label: string, set: typeof rows): string[] => {
  const ours = sum(set.map((row) => row.checkMs));
  const theirs = set.map((row) => porcupineMs(row.file));
  const known = theirs.every((value) => value !== undefined);
  const porcupine = known ? sum(theirs as number[]) : undefined;
  const slowest = [...set].sort((a, b) => b.checkMs - a.checkMs)[0];
  const slowestTheirs = [...set]
    .map((row) => ({ row, ms: porcupineMs(row.file) ?? 0 }))
    .sort((a, b) => b.ms - a.ms)[0];
  return [
    label,
    String(set.length),
    sum(set.map((row) => row.ms)).toFixed(0),
    ours.toFixed(0),
    porcupine === undefined ? "-" : porcupine.toFixed(0),
    porcupine === undefined ? "-" : `${(ours / porcupine).toFixed(2)}x`,
    slowest ? `${slowest.file.split("/").pop()} ${slowest.checkMs.toFixed(1)}` : "-",
    slowestTheirs && porcupine !== undefined
      ? `${slowestTheirs.row.file.split("/").pop()} ${slowestTheirs.ms.toFixed(1)}`
      : "-",
  ];
};
console.log(
  `general checker, ${rows.length} histories, ${rows.filter((r) => r.ok).length} verdicts as known; ${"times" in anchor ? `anchor: Porcupine's own benchmarks, same run (${anchor.version})` : anchor.missing}`,
);
console.log(
  table(
    [
      "set",
      "files",
      "ours parse+check ms",
      "ours check ms",
      "Porcupine check ms",
      "ratio",
      "our slowest (ms)",
      "Porcupine's slowest (ms)",
    ],
    [setRow("etcd (cas-register)", etcd), setRow("kv (per key)", kv), setRow("all", rows)],
  ),
);
{
  const theirs =
    "times" in anchor
      ? syntheticLogs.reduce(
          (total, _, index) => total + (anchor.times.get(`ZkChaosFile${index}`) ?? Number.NaN),
          0,
        )
      : undefined;
  console.log(
    `\nthe general search on a synthetic history, ${syntheticOps} operations, 10 processes, ${REGISTERS} registers (one etcd log per register, read by both): ours ${searchedMs.toFixed(0)} ms (${searchedValid ? "valid" : "NOT valid"}), Porcupine ${theirs === undefined ? "-" : `${theirs.toFixed(0)} ms, ratio ${(searchedMs / theirs).toFixed(2)}x`}`,
  );
}
if ("times" in anchor) {
  const worst = rows
    .map((row) => ({ row, theirs: porcupineMs(row.file) }))
    .filter(
      (each): each is { row: (typeof rows)[number]; theirs: number } => each.theirs !== undefined,
    )
    .map((each) => ({ ...each, ratio: each.row.checkMs / Math.max(each.theirs, 0.001) }))
    .sort((a, b) => b.ratio - a.ratio)
    .slice(0, 5);
  console.log(
    `largest per-file ratios (ours / Porcupine's check): ${worst.map((each) => `${each.row.file.split("/").pop()} ${each.row.checkMs.toFixed(2)} / ${each.theirs.toFixed(2)} ms`).join(", ")}`,
  );
}

// Synthetic register histories: both checkers, 10k to 1M operations.
const sizes = (process.env.ZK_CHAOS_BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const synthetic: string[][] = [];
for (const operations of sizes) {
  for (const processes of [10, 100]) {
    global.gc?.();
    const { events } = syntheticHistory({
      seed: 7,
      operations,
      processes,
      registers: 10,
      infoRate: 0.01,
    });
    const heapBefore = process.memoryUsage().heapUsed;
    let started = performance.now();
    const ops = pairOps(events);
    const found = checkRegisters(
      ops,
      events.filter((event) => event.f === "final-read" && event.type === "ok"),
    );
    const zkMs = performance.now() - started;
    const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    started = performance.now();
    // As the product runs it: each register's zxid witness, the search only where it does not hold.
    const general = checkRegisterLinearizability(
      casRegisterModel as KeyedRegisterModel,
      registerOperations(events, false, ops),
      60_000,
    );
    const generalMs = performance.now() - started;
    synthetic.push([
      String(operations),
      String(processes),
      `${(zkMs / 1000).toFixed(2)} s`,
      `${heapMiB.toFixed(0)} MiB`,
      found.anomalies.length === 0 ? "valid" : "INVALID",
      `${(generalMs / 1000).toFixed(2)} s`,
      String(general.valid),
    ]);
    process.stderr.write(`${operations} x ${processes} done\n`);
  }
}
console.log("\nsynthetic register histories (10 registers, 1% unknown outcomes)");
console.log(
  table(
    [
      "operations",
      "processes",
      "zookeeper checker",
      "heap growth",
      "verdict",
      "linearizability (witness + search)",
      "verdict",
    ],
    synthetic,
  ),
);
console.log(
  "target: the ZooKeeper-aware checker at >= 1M operations in <= 10 s, memory growing linearly",
);

// End to end: `zk-chaos check` on a history file of a million operations (100 processes), as a user runs it.
const endToEnd = (process.env.ZK_CHAOS_BENCH_E2E ?? "100000,1000000").split(",").map(Number);
const e2eRows: string[][] = [];
for (const operations of endToEnd) {
  const dir = mkdtempSync(join(tmpdir(), "zkchaos-bench-check-"));
  const file = join(dir, "history.jsonl");
  // Written by a child process: this one stays small, so it takes nothing from the measured run.
  const generator = [
    `const { syntheticHistory } = await import(${JSON.stringify(new URL("../src/testing/synthetic-history.js", import.meta.url).href)});`,
    "const { writeFileSync } = await import('node:fs');",
    `const { events } = syntheticHistory({ seed: 11, operations: ${operations}, processes: 100, registers: 10, infoRate: 0.01 });`,
    `writeFileSync(${JSON.stringify(file)}, events.map((event) => JSON.stringify(event)).join("\\n") + "\\n");`,
  ].join("\n");
  const generated = spawnSync(process.execPath, ["--input-type=module", "-e", generator], {
    stdio: "inherit",
  });
  if (generated.status !== 0)
    throw new Error(`could not write the ${operations}-operation history`);
  global.gc?.();
  const started = performance.now();
  const child = spawn(process.execPath, ["bin/zk-chaos.js", "check", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (data: Buffer) => {
    output += data.toString();
  });
  let peakKiB = 0;
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // Gone.
    }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  rmSync(dir, { recursive: true, force: true });
  const verdict = /verdict: (\S+)/.exec(output)?.[1] ?? `exit ${code}`;
  const own = /verdict: \S+ in (.+)$/m.exec(output)?.[1] ?? "-";
  e2eRows.push([
    String(operations),
    `${seconds.toFixed(1)} s`,
    own,
    `${(peakKiB / 1024).toFixed(0)} MiB`,
    verdict,
  ]);
  process.stderr.write(`end to end ${operations} done\n`);
}
console.log(
  "\nzk-chaos check, end to end (read, every ZooKeeper check, availability), 100 processes",
);
console.log(table(["operations", "wall time", "check's own time", "peak RSS", "verdict"], e2eRows));
console.log("target: 1M operations decided in < 5 s with peak memory < 1 GB");
