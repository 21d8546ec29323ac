/**
 * Benchmark: how reliably each known-bug scenario reproduces its bug, per
 * ZooKeeper version, and how soon.
 *   node dist/bench/known-bugs.js [seeds=10] [versions=debian,3.9.5] [scenario.yaml ...]
 * "debian" is the local install (3.8.0). For each scenario x version it runs
 * the seeds 1..N and prints the reproduction rate, whether that matches the
 * scenario's expectation, and the median time from the run's start to the
 * first event an anomaly cites. Writes reports/bench/known-bugs.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readHistoryFile } from "../src/history/reader.js";
import { runMatrix } from "../src/runner/run-matrix.js";
import { median, table } from "./stats.js";

const seeds = Number(process.argv[2] ?? 10);
const versions = (process.argv[3] ?? "debian,3.9.5").split(",");
const files =
  process.argv.length > 4
    ? process.argv.slice(4)
    : readdirSync("scenarios/known-bugs")
        .filter((name) => name.endsWith(".yaml"))
        .sort()
        .map((name) => join("scenarios/known-bugs", name));
const out = join("reports", "bench-known-bugs");

interface Cell {
  bug: string;
  version: string;
  reproduced: number;
  runs: number;
  unknown: number;
  expected: string;
  firstAnomalyMs: number[];
}

const cells: Cell[] = [];
for (const file of files) {
  for (const version of versions) {
    let cell: Cell | undefined;
    for (let seed = 1; seed <= seeds; seed++) {
      const { runs } = await runMatrix({
        scenarioFiles: [file],
        seed,
        out,
        ...(version === "debian" ? {} : { versions: [version] }),
      });
      const run = runs[0];
      if (run?.bug === undefined) continue;
      cell ??= {
        bug: run.bug.jira.join(", "),
        version: run.zooKeeperVersion,
        reproduced: 0,
        runs: 0,
        unknown: 0,
        expected: run.bug.expected ?? "-",
        firstAnomalyMs: [],
      };
      cell.runs++;
      if (run.bug.observed === "reproduced") {
        cell.reproduced++;
        const cited = run.verdicts.flatMap((verdict) => verdict.anomalies.flatMap((a) => a.events));
        const dir = join(
          out,
          readdirSync(out)
            .filter((name) => name.endsWith(`-${seed}`) && name.includes(run.scenario))
            .sort()
            .at(-1) ?? "",
        );
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        const first = Math.min(
          ...cited.map((index) => events[index]?.time ?? Number.POSITIVE_INFINITY),
        );
        if (Number.isFinite(first)) cell.firstAnomalyMs.push(first / 1e6);
      } else if (run.bug.observed === "unknown") cell.unknown++;
      process.stderr.write(`${cell.bug} ${cell.version} seed ${seed}: ${run.bug.observed}\n`);
    }
    if (cell) cells.push(cell);
  }
}
console.log(`known bugs: reproduction per version, ${seeds} seeds each`);
console.log(
  table(
    ["bug", "ZooKeeper", "reproduced", "expected", "matches", "median first anomaly"],
    cells.map((cell) => [
      cell.bug,
      cell.version,
      `${cell.reproduced}/${cell.runs}`,
      cell.expected,
      cell.expected === "reproduced"
        ? String(cell.reproduced >= Math.ceil(0.9 * cell.runs))
        : cell.expected === "absent"
          ? String(cell.reproduced === 0)
          : "-",
      cell.firstAnomalyMs.length > 0 ? `${(median(cell.firstAnomalyMs) / 1000).toFixed(1)} s` : "-",
    ]),
  ),
);
mkdirSync(join("reports", "bench"), { recursive: true });
writeFileSync(
  join("reports", "bench", "known-bugs.json"),
  `${JSON.stringify({ date: new Date().toISOString(), seeds, cells }, null, 2)}\n`,
);
