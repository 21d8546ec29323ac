/**
 * A ramp step's measures, from its run's history and verdicts: the writers'
 * acknowledged writes (their latency), the sessions that expired, and across
 * a leader kill how long writes stopped.
 */
import type { HistoryEvent } from "../history/event.js";
import { sortedQuantile } from "../report/quantile.js";
import { consistencyValidity, type ResultsFile } from "../report/results.js";
import type { StepMeasure } from "./ramp.js";

/** The measures of one step: `writers` are the processes below that number (the watching agents come after). */
export function stepMeasure(
  agents: number,
  writers: number,
  events: readonly HistoryEvent[],
  results: Pick<ResultsFile, "verdicts">,
  leaderKill: boolean,
): StepMeasure {
  const open = new Map<number, HistoryEvent>();
  /** Acknowledged writes: when they were invoked and when acknowledged. */
  const acknowledged: { invoked: number; acked: number }[] = [];
  let sessionExpiries = 0;
  let killedAt: number | undefined;
  for (const event of events) {
    if (
      event.f === "session" &&
      (event.value as { event?: string } | undefined)?.event === "expired"
    )
      sessionExpiries++;
    if (
      leaderKill &&
      killedAt === undefined &&
      event.process === "nemesis" &&
      event.f === "kill" &&
      event.type === "info"
    )
      killedAt = event.time;
    if (typeof event.process !== "number" || event.process >= writers || event.f === "session")
      continue;
    if (event.type === "invoke") {
      open.set(event.process, event);
      continue;
    }
    const invoke = open.get(event.process);
    open.delete(event.process);
    if (invoke === undefined || event.type !== "ok" || isRead(event.f)) continue;
    acknowledged.push({ invoked: invoke.time, acked: event.time });
  }
  // A write invoked after the kill had to wait for the new leader; one in flight might not.
  const afterKill =
    killedAt === undefined
      ? undefined
      : acknowledged.find((write) => write.invoked > (killedAt as number))?.acked;
  // Across a leader kill, the writes the election held are judged by how long it held them
  // (electionMs); the latency is that of the others, before and after it.
  const latencies = acknowledged
    .filter(
      (write) =>
        killedAt === undefined ||
        write.acked < killedAt ||
        write.invoked > (afterKill ?? Number.POSITIVE_INFINITY),
    )
    .map((write) => (write.acked - write.invoked) / 1e6)
    .sort((a, b) => a - b);
  return {
    agents,
    p99WriteMs: latencies.length === 0 ? undefined : sortedQuantile(latencies, 0.99),
    okWrites: acknowledged.length,
    sessionExpiries,
    ...(leaderKill
      ? {
          electionMs:
            killedAt === undefined || afterKill === undefined
              ? ("never" as const)
              : (afterKill - killedAt) / 1e6,
        }
      : {}),
    consistent: consistencyValidity(results.verdicts) !== false,
  };
}

/** The topology workload's reads: they are not writes whatever else they are. */
function isRead(f: string): boolean {
  return f.startsWith("read") || f === "watch-read" || f === "watch-probe" || f === "final-read";
}
