/**
 * Benchmark: how soon a server's log line reaches a trigger.
 *   node dist/bench/trigger-latency.js [restarts=10]
 * A 3-server ensemble; one server is restarted again and again, and every
 * line any server writes is timed from the time written on it (log4j/logback
 * stamp, ms) to its arrival through the ensemble's log stream (Date.now()).
 * Target: lines reach the trigger within 5 ms. Prints median, p90, p99, max.
 */
import { startLocalEnsemble } from "../src/ensemble/local/local-ensemble.js";
import { loggedAt } from "../src/history/server-log.js";
import { median, quantile } from "./stats.js";

const restarts = Number(process.argv[2] ?? 10);
const latencies: number[] = [];
await using ensemble = await startLocalEnsemble({ nodes: 3 });
const unsubscribe = ensemble.onServerLog(({ line }) => {
  const stamp = loggedAt(line);
  if (stamp === undefined) return;
  // The servers stamp local time with millisecond precision.
  const written = new Date(stamp.replace(" ", "T").replace(",", ".")).getTime();
  latencies.push(Date.now() - written);
});
for (let i = 0; i < restarts; i++) {
  const target = ensemble.server((i % 3) + 1);
  await target.restart();
  await ensemble.waitForQuorum();
}
unsubscribe();
console.log(
  `log line -> trigger, ${latencies.length} lines over ${restarts} restarts (ms, stamp precision 1 ms): ` +
    `median ${median(latencies)}, p90 ${quantile(latencies, 0.9)}, p99 ${quantile(latencies, 0.99)}, max ${Math.max(...latencies)}`,
);
