/** Operations of a history from invocation to completion, as the report's charts and comparisons use them. */
import type { HistoryEvent } from "../history/event.js";
import type { LatencySummary } from "../results/run-result.js";
import type { LatencyPoint } from "./latency-chart.js";
import { sortedQuantile } from "./quantile.js";

/** Every worker operation that completed, with its invocation and completion times and events. */
export function operationSpans(events: readonly HistoryEvent[]): LatencyPoint[] {
  const open = new Map<number, HistoryEvent>();
  const result: LatencyPoint[] = [];
  for (const event of events) {
    if (typeof event.process !== "number" || event.f === "session") continue;
    if (event.type === "invoke") open.set(event.process, event);
    else {
      const invoke = open.get(event.process);
      open.delete(event.process);
      if (invoke)
        result.push({
          process: event.process,
          start: invoke.time,
          end: event.time,
          type: event.type,
          f: event.f,
          events: [invoke.index, event.index],
        });
    }
  }
  return result;
}

/** The latency quantiles (ms) of a history's successful operations; undefined when none succeeded. */
export function latencySummary(events: readonly HistoryEvent[]): LatencySummary | undefined {
  const sorted = operationSpans(events)
    .filter((span) => span.type === "ok")
    .map((span) => (span.end - span.start) / 1e6)
    .sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const at = (q: number) => sortedQuantile(sorted, q);
  return { okOperations: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
}
