import type { ResultsFile } from "../../src/report/results.js";

/** A valid run's results.json, as zk-chaos writes it: the literal the report tests start from. */
export const VALID_RESULTS: ResultsFile = {
  schemaVersion: 1,
  scenario: "kill-leader",
  description: "kill the leader",
  nodes: 3,
  seed: 7,
  zooKeeperVersion: "3.8.0",
  valid: true,
  operations: 100,
  events: 230,
  timings: { startMs: 900, runMs: 10_000, recoveryMs: 12, totalMs: 12_000 },
  replay: "zk-chaos run scenarios/kill-leader.yaml --nodes 3 --seed 7 --duration 20s",
  verdicts: [
    { checker: "zookeeper-registers", guarantee: "g", valid: true, anomalies: [], elapsedMs: 3 },
  ],
};
