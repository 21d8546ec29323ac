import type { HistoryEvent } from "../../history/event.js";

/**
 * What a history holds, found in one pass: which checks have something to
 * judge, and the events several of them take. A pass per question cost half
 * a second on a million operations.
 */
export interface HistoryOutline {
  /** The workers' events (numbered processes), in order. */
  readonly workerEvents: HistoryEvent[];
  /** The observer's final reads (invocations and completions). */
  readonly finalReads: HistoryEvent[];
  /** What the workers invoked (`f` of their invocations, sessions aside). */
  readonly invoked: ReadonlySet<string>;
  /** What the observer recorded (`f` of its events). */
  readonly observed: ReadonlySet<string>;
  /** Whether a watch ended or notified. */
  readonly watches: boolean;
  /** Whether a worker's event names its session. */
  readonly workerSessions: boolean;
}

/** The outline of a history, in one pass over its events. */
export function outlineOf(events: readonly HistoryEvent[]): HistoryOutline {
  const workerEvents: HistoryEvent[] = [];
  const finalReads: HistoryEvent[] = [];
  const invoked = new Set<string>();
  const observed = new Set<string>();
  let watches = false;
  let workerSessions = false;
  for (const event of events) {
    const f = event.f;
    if (f === "watch-end" || f === "notify") watches = true;
    if (typeof event.process === "number") {
      workerEvents.push(event);
      if (event.session !== undefined) workerSessions = true;
      if (event.type === "invoke" && f !== "session") invoked.add(f);
    } else if (event.process === "observer") {
      observed.add(f);
      if (f === "final-read") finalReads.push(event);
    }
  }
  return { workerEvents, finalReads, invoked, observed, watches, workerSessions };
}
