/**
 * Benchmark: the watch checker on a synthetic history of about a million
 * events (writers, watching agents' reads, notifications and cache updates).
 *   node dist/bench/watches.js [events]
 * Target: 1M events checked in under 10 s.
 */

import { checkWatches } from "../src/checkers/zookeeper/watch-checks.js";
import { watchMeasurements } from "../src/report/watch-measurements.js";
import { syntheticWatchHistory } from "../src/testing/synthetic-watch-history.js";
import { median, table } from "./stats.js";

const wanted = Number(process.argv[2] ?? 1_000_000);
// About 6.45 events per change with 20% probes.
const events = syntheticWatchHistory({
  agents: 20,
  paths: 200,
  changes: Math.round(wanted / 6.45),
  seed: 1,
});
const rows: string[][] = [];
const checkMs: number[] = [];
for (let round = 0; round < 3; round++) {
  const started = performance.now();
  const found = checkWatches(events);
  checkMs.push(performance.now() - started);
  if (found.anomalies.length > 0) {
    console.error(`the synthetic history is correct, but: ${found.anomalies[0]?.message}`);
    process.exit(1);
  }
  if (round === 0)
    rows.push([
      "check",
      String(events.length),
      String(found.notifications),
      String(found.triggered.length),
    ]);
}
const started = performance.now();
const measured = watchMeasurements(events, []);
const measureMs = performance.now() - started;
console.log(table(["step", "events", "notifications", "tied to their change"], rows));
console.log(
  `watch checker: ${events.length} events, median of 3 ${median(checkMs).toFixed(0)} ms (${checkMs.map((ms) => ms.toFixed(0)).join(", ")}); target under 10000 ms`,
);
console.log(
  `measurements (checker included): ${measureMs.toFixed(0)} ms for ${measured?.staleness.length ?? 0} agents; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
);
