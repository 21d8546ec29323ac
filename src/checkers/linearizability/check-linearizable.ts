import type { Anomaly, Verdict } from "../verdict.js";
import type { LinOp, Model } from "./model.js";
import { linearizationSearch, type SearchResult } from "./wing-gong.js";

/** Options of checkLinearizable. */
export interface LinearizabilityOptions {
  /** Give up (verdict unknown) after this long; default 10 s. */
  readonly timeoutMs?: number;
}

/**
 * Checks that a history of operations is linearizable against a model, one
 * independent partition at a time. On false, the anomaly names the operations
 * that cannot be linearized and the longest linearizable prefix.
 */
export function checkLinearizable<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly LinOp<I, O>[],
  options: LinearizabilityOptions = {},
): Verdict {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 10_000);
  const partitions = model.partition ? model.partition(ops) : [ops];
  const anomalies: Anomaly[] = [];
  let unknown = 0;
  let steps = 0;
  const byId = new Map(ops.map((op) => [op.id, op]));
  const describe = (id: number) => {
    const op = byId.get(id);
    return op ? `${op.process}: ${model.describe(op.input, op.output)} [${op.id}]` : String(id);
  };
  // Partitions run side by side, a slice each in turn, like Porcupine's
  // goroutines: the first to prove a violation settles the verdict, so a
  // hard but valid partition cannot hide an easy invalid one.
  const running = partitions.map((partition) => ({
    partition,
    search: linearizationSearch(model, partition),
    steps: 0,
  }));
  const results: { partition: readonly LinOp<I, O>[]; result: SearchResult }[] = [];
  let timedOut = false;
  while (running.length > 0 && !results.some(({ result }) => result.valid === false)) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    for (let index = running.length - 1; index >= 0; index--) {
      const entry = running[index] as (typeof running)[number];
      const next = entry.search.next();
      if (next.done) {
        running.splice(index, 1);
        results.push({ partition: entry.partition, result: next.value });
      } else entry.steps = next.value;
    }
  }
  const failed = results.some(({ result }) => result.valid === false);
  if (timedOut && !failed) unknown = running.length;
  // A search stopped by the deadline counts the steps it had made.
  for (const entry of running) steps += entry.steps;
  for (const { partition, result } of results) {
    steps += result.steps;
    if (result.valid === false) {
      anomalies.push({
        kind: "not-linearizable",
        message:
          `no linearization of ${partition.length} operations: after the longest linearizable prefix ` +
          `(${result.longestPrefix.length} operations, ending ${result.longestPrefix.slice(-3).map(describe).join("; ") || "at the start"}), ` +
          `${result.stuck.map(describe).join("; ")} cannot take effect`,
        events: [...result.stuck, ...result.longestPrefix],
      });
    }
  }
  return {
    checker: "linearizability",
    guarantee: `operations are linearizable against the ${model.name} model`,
    valid: anomalies.length > 0 ? false : unknown > 0 ? "unknown" : true,
    anomalies,
    stats: { operations: ops.length, partitions: partitions.length, undecided: unknown, steps },
    elapsedMs: performance.now() - started,
  };
}
