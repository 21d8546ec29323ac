/**
 * Benchmark: how soon a trigger hears what it waits for, a log line beside a
 * peer message, in the same run.
 *   node dist/bench/trigger-latency.js [restarts=10]
 * A 3-server ensemble behind the built-in proxy decoding the peer links; one
 * server is restarted again and again. Log triggers: every line any server
 * writes is timed from the time written on it (log stamp, ms) to its arrival
 * through the ensemble's log stream. Wire triggers: every ACK after NEWLEADER
 * (what the NEWLEADER known bug triggers on) is taken by a message rule, and
 * timed from its last byte reaching the proxy to the rule's listener, which
 * is where a wire trigger fires. Also, per sync: how long after the
 * follower's "Learner received NEWLEADER" line reaches a log trigger its ACK
 * reaches the proxy (the epoch is written between the two; a log trigger
 * would have to guess this wait). Targets: log lines within 5 ms, wire
 * triggers under 1 ms median.
 */
import { startLocalEnsemble } from "../src/ensemble/local/local-ensemble.js";
import { loggedAt } from "../src/history/server-log.js";
import { FaultNetwork } from "../src/network/fault-network.js";
import { median, quantile } from "./stats.js";

const restarts = Number(process.argv[2] ?? 10);
const logLatencies: number[] = [];
const wireLatencies: number[] = [];
/** performance.now() of each follower's NEWLEADER line arriving, and of its ACK at the proxy. */
const newLeaderLine = new Map<number, number[]>();
const ackAtProxy = new Map<number, number[]>();
const push = (map: Map<number, number[]>, key: number, value: number) =>
  map.set(key, [...(map.get(key) ?? []), value]);

await using network = await FaultNetwork.start({ wire: true });
await using ensemble = await startLocalEnsemble({ nodes: 3, peerLayout: network.peerLayout() });
const stopLog = ensemble.onServerLog(({ server, line }) => {
  const arrived = performance.now();
  if (line.includes("Learner received NEWLEADER")) push(newLeaderLine, server, arrived);
  const stamp = loggedAt(line);
  if (stamp === undefined) return;
  // The servers stamp local time with millisecond precision.
  const written = new Date(stamp.replace(" ", "T").replace(",", ".")).getTime();
  logLatencies.push(Date.now() - written);
});
const stopWire = network.onWire((event) => {
  if (event.ruleOwner !== "bench" || event.message === undefined) return;
  // Listeners run in the order they subscribed: this one sees what a trigger sees, as it would.
  wireLatencies.push(performance.now() - event.atMs);
  const sender = event.stream === "upstream" ? event.from : event.to;
  push(ackAtProxy, sender, event.atMs);
});
// Delay 0: each ACK after NEWLEADER is taken (and reported) and goes on at once.
await network.ruleMessages(
  "bench",
  { types: ["ACK"], after: "NEWLEADER", from: "follower" },
  { action: "delay", count: 0, delayMs: 0 },
);
for (let i = 0; i < restarts; i++) {
  const target = ensemble.server((i % 3) + 1);
  await target.restart();
  await ensemble.waitForQuorum();
}
stopLog();
stopWire();

// The ACK follows the line it is the answer to: pair each ACK with the line before it.
const ackAfterLine: number[] = [];
for (const [server, acks] of ackAtProxy) {
  const lines = newLeaderLine.get(server) ?? [];
  for (const ack of acks) {
    // The latest line before the ACK (a line can arrive a moment after its ACK: allow 5 ms).
    const line = lines.filter((at) => at <= ack + 5 && at >= ack - 1000).at(-1);
    if (line !== undefined) ackAfterLine.push(ack - line);
  }
}

const row = (name: string, values: number[], digits: number) =>
  `${name.padEnd(38)} ${String(values.length).padStart(6)} ${[median(values), quantile(values, 0.9), quantile(values, 0.99), Math.max(...values)].map((v) => v.toFixed(digits).padStart(9)).join(" ")}`;
console.log(
  `trigger latency over ${restarts} restarts (ms)\n${"".padEnd(38)} ${"count".padStart(6)} ${["median", "p90", "p99", "max"].map((h) => h.padStart(9)).join(" ")}`,
);
console.log(row("log line -> log trigger (1 ms stamps)", logLatencies, 1));
console.log(row("peer message -> wire trigger", wireLatencies, 3));
console.log(row("ACK at the proxy after NEWLEADER line", ackAfterLine, 1));
console.log(
  `ratio of medians, wire / log: ${(median(wireLatencies) / Math.max(median(logLatencies), 0.001)).toFixed(4)}`,
);
