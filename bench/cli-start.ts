/**
 * Benchmark: how long the CLI takes to answer, beside the floor of starting
 * Node itself (the anchor), median of N runs each:
 *   node dist/bench/cli-start.js [runs=10]
 * --version, check --help, and check of a 10-operation history. Targets:
 * --version under 150 ms, check under 400 ms. Writes reports/bench/cli-start.json.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, table } from "./stats.js";

const runs = Number(process.argv[2] ?? 10);
const bin = fileURLToPath(new URL("../../bin/zk-chaos.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "zkc-cli-start-"));

/** A register history of 10 operations (5 writes, 5 reads), as Jepsen writes it. */
const history = join(work, "history.edn");
writeFileSync(
  history,
  `${Array.from({ length: 5 }, (_, i) =>
    [
      `{:process ${i}, :type :invoke, :f :write, :value ${i}}`,
      `{:process ${i}, :type :ok, :f :write, :value ${i}}`,
      `{:process ${i}, :type :invoke, :f :read, :value nil}`,
      `{:process ${i}, :type :ok, :f :read, :value ${i}}`,
    ].join("\n"),
  ).join("\n")}\n`,
);

/** Milliseconds of one run of node with `args`, from spawn to exit. */
function timed(args: readonly string[]): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (child.status !== 0)
    throw new Error(`${args.join(" ")} exited ${child.status}: ${child.stderr}`);
  return elapsed;
}

const cases: { label: string; args: string[]; targetMs?: number }[] = [
  { label: "node -e '' (anchor)", args: ["-e", ""] },
  { label: "zk-chaos --version", args: [bin, "--version"], targetMs: 150 },
  { label: "zk-chaos check --help", args: [bin, "check", "--help"] },
  { label: "zk-chaos check (10 ops)", args: [bin, "check", history], targetMs: 400 },
];
try {
  const results = cases.map((entry) => {
    timed(entry.args); // warm the file cache
    const samples = Array.from({ length: runs }, () => timed(entry.args));
    return { ...entry, medianMs: median(samples) };
  });
  const anchor = results[0]?.medianMs ?? Number.NaN;
  console.log(`CLI start, median of ${runs} runs each (ms)`);
  console.log(
    table(
      ["", "median ms", "x node", "target ms"],
      results.map((entry) => [
        entry.label,
        entry.medianMs.toFixed(0),
        (entry.medianMs / anchor).toFixed(1),
        entry.targetMs === undefined ? "-" : `< ${entry.targetMs}`,
      ]),
    ),
  );
  const out = join("reports", "bench");
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, "cli-start.json"),
    `${JSON.stringify({ date: new Date().toISOString(), runs, results }, null, 2)}\n`,
  );
  console.log(`written: ${join(out, "cli-start.json")}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
