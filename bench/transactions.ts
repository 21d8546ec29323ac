/**
 * Benchmark: the transactions checker.
 *   node --expose-gc dist/bench/transactions.js [elle-histories-folder]
 * 1. Synthetic transactions histories (100k and 1M multis and reads, 100
 *    processes), checked by the zxid walk, beside the ZooKeeper register
 *    checker on a register history of the same number of operations (the
 *    anchor: the checker this one must keep pace with). Target: 1M in < 5 s
 *    and < 1 GB.
 * 2. With a folder of Elle's histories (its repository's histories/), each
 *    checked as list-append or rw-register, beside the anomalies Elle's own
 *    tests expect of it.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkHistoryFile } from "../src/checkers/check-history.js";
import { checkTransactions } from "../src/checkers/transactions/check-transactions.js";
import { zkTransactions } from "../src/checkers/transactions/history-txns.js";
import { pairOps } from "../src/checkers/zookeeper/operations.js";
import { checkRegisters } from "../src/checkers/zookeeper/register-checks.js";
import type { HistoryEvent } from "../src/history/event.js";
import { syntheticHistory } from "../src/testing/synthetic-history.js";
import { syntheticTransactions } from "../src/testing/synthetic-transactions.js";
import { table } from "./stats.js";

const sizes = (process.env.ZK_CHAOS_BENCH_SIZES ?? "100000,1000000").split(",").map(Number);
const rows: string[][] = [];
for (const size of sizes) {
  global.gc?.();
  // As `check` holds a history: parsed from JSON lines (objects of the shapes JSON.parse makes).
  const events = syntheticTransactions({
    seed: 5,
    transactions: size,
    processes: 100,
    keys: 100,
    infoRate: 0.01,
  }).map((event) => JSON.parse(JSON.stringify(event)) as HistoryEvent);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let started = performance.now();
  const verdict = checkTransactions(zkTransactions(events));
  const txnSeconds = (performance.now() - started) / 1000;
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  events.length = 0;
  global.gc?.();
  // The anchor: the register checker on as many register operations.
  const registers = syntheticHistory({
    seed: 5,
    operations: size,
    processes: 100,
    registers: 10,
    infoRate: 0.01,
  }).events;
  started = performance.now();
  const found = checkRegisters(
    pairOps(registers),
    registers.filter((event) => event.f === "final-read" && event.type === "ok"),
  );
  const registerSeconds = (performance.now() - started) / 1000;
  rows.push([
    String(size),
    `${txnSeconds.toFixed(2)} s`,
    `${heapMiB.toFixed(0)} MiB`,
    String(verdict.valid),
    `${registerSeconds.toFixed(2)} s`,
    found.anomalies.length === 0 ? "valid" : "INVALID",
    `${(txnSeconds / registerSeconds).toFixed(2)}x`,
  ]);
  process.stderr.write(`${size} done\n`);
}
console.log("synthetic transactions (100 processes, 100 keys, half multis, 1% unknown outcomes)");
console.log(
  table(
    [
      "operations",
      "transactions checker",
      "heap growth",
      "verdict",
      "register checker (anchor)",
      "verdict",
      "ratio",
    ],
    rows,
  ),
);
console.log("target: 1M transactions in < 5 s and < 1 GB");

/** What Elle's own tests expect of its histories (elle/test, at the commit that holds each file). */
const ELLE_EXPECTS: Readonly<
  Record<string, { datatype: "list-append" | "rw-register"; elle: string }>
> = {
  "si-without-g-single.edn": { datatype: "list-append", elle: "G2-item" },
  "huge-scc.edn": {
    datatype: "list-append",
    elle: "G2-item-realtime, cycle-search-timeout (its G-single search timed out)",
  },
  "paper-example.edn": { datatype: "list-append", elle: "(no test)" },
  "cyclic-versions.edn": {
    datatype: "rw-register",
    elle: "cyclic-versions (with version-order assumptions)",
  },
};
const elleDir = process.argv[2];
if (elleDir !== undefined) {
  if (!existsSync(elleDir)) {
    console.error(`no folder ${elleDir}: pass the folder holding Elle's histories/*.edn`);
    process.exit(2);
  }
  const elleRows: string[][] = [];
  for (const file of readdirSync(elleDir)
    .filter((name) => name.endsWith(".edn"))
    .sort()) {
    const expected = ELLE_EXPECTS[file];
    if (expected === undefined) continue;
    const check = await checkHistoryFile(join(elleDir, file), {
      model: expected.datatype,
      timeoutMs: 10_000,
    });
    const verdict = check.verdicts[0];
    elleRows.push([
      file,
      String(check.events),
      ((verdict?.stats?.anomalyTypes as string[] | undefined) ?? []).join(", ") || "valid",
      expected.elle,
      `${check.elapsedMs.toFixed(0)} ms`,
    ]);
  }
  console.log("\nElle's histories");
  console.log(table(["file", "events", "zk-chaos", "Elle's tests", "time"], elleRows));
}
