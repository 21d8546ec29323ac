import type { HistoryEvent } from "../history/event.js";
import type { Anomaly, Verdict } from "./verdict.js";

/** What the recovery check reads beside the history: what the scenario expects of its faults. */
export interface RecoveryCheckOptions {
  /** The scenario expects its faults to cost the quorum for a while. */
  readonly expectUnavailable?: boolean;
  /** The availability verdict on the same history (its windows say whether a quorum was lost). */
  readonly availability?: Verdict;
}

const GUARANTEE =
  "after the last heal the ensemble serves again; the faults had the expected effect";

/**
 * The run as a whole, from the history: after the last heal the observer
 * recorded the ensemble serving again with one leader ("recovered", ok), and
 * the faults had the effect the scenario expects. Each anomaly names the
 * events that prove it; a history that never reached its heal is unknown.
 */
export function checkRunRecovery(
  events: readonly HistoryEvent[],
  options: RecoveryCheckOptions = {},
): Verdict {
  const started = performance.now();
  const recovered = lastWhere(
    events,
    (event) => event.process === "observer" && event.f === "recovered",
  );
  const anomalies: Anomaly[] = [];
  if (recovered !== undefined && recovered.type !== "ok") {
    const error = (recovered.value as { error?: string } | undefined)?.error;
    anomalies.push({
      kind: "did-not-recover",
      message: `after the last heal the ensemble did not serve again with one leader${error ? ` (${error})` : ""}`,
      events: [...lastHeal(events), recovered.index],
    });
  }
  const windows = (options.availability?.stats?.windows ?? []) as { expectedAvailable: boolean }[];
  if (options.expectUnavailable && !windows.some((window) => !window.expectedAvailable)) {
    anomalies.push({
      kind: "fault-without-effect",
      message: "the scenario expects the quorum to be lost, but no window was without one",
      // The faults that were meant to cost the quorum.
      events: faultStarts(events),
    });
  }
  const recoveryMs =
    recovered?.type === "ok" ? (recovered.value as { afterMs?: number }).afterMs : undefined;
  return {
    checker: "recovery",
    guarantee: GUARANTEE,
    valid: anomalies.length > 0 ? false : recovered === undefined ? "unknown" : true,
    anomalies,
    stats:
      recovered === undefined
        ? { recoveryMs, reason: "the history records no recovery after a heal" }
        : { recoveryMs },
    elapsedMs: performance.now() - started,
  };
}

/** The index of the last heal-all the nemesis completed, if any. */
function lastHeal(events: readonly HistoryEvent[]): number[] {
  const heal = lastWhere(
    events,
    (event) => event.process === "nemesis" && event.f === "heal-all" && event.type === "info",
  );
  return heal === undefined ? [] : [heal.index];
}

/** The indexes of every fault the nemesis started (its info records, past their invoke). */
function faultStarts(events: readonly HistoryEvent[]): number[] {
  const invoked = new Set<unknown>();
  const started: number[] = [];
  for (const event of events) {
    if (event.process !== "nemesis") continue;
    const id = (event.value as { id?: unknown; spec?: unknown } | undefined)?.id;
    const isFault = (event.value as { spec?: unknown } | undefined)?.spec !== undefined;
    if (!isFault) continue;
    if (event.type === "invoke") invoked.add(id);
    else if (invoked.delete(id)) started.push(event.index);
  }
  return started;
}

/** The last event that satisfies `test`. */
function lastWhere(
  events: readonly HistoryEvent[],
  test: (event: HistoryEvent) => boolean,
): HistoryEvent | undefined {
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index] as HistoryEvent;
    if (test(event)) return event;
  }
  return undefined;
}
