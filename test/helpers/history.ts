import type { HistoryEvent } from "../../src/history/event.js";
import { topologyViolations } from "../../src/topology/invariants.js";

/** Per worker: every invoke is followed by exactly one completion of the same f before its next invoke. */
export function unpairedOperations(events: readonly HistoryEvent[]): string[] {
  const open = new Map<string, HistoryEvent>();
  const problems: string[] = [];
  for (const event of events) {
    if (typeof event.process !== "number" || event.f === "session") continue;
    const key = String(event.process);
    const pending = open.get(key);
    if (event.type === "invoke") {
      if (pending)
        problems.push(`worker ${key}: invoke ${event.index} while ${pending.index} is open`);
      open.set(key, event);
    } else {
      if (!pending || pending.f !== event.f)
        problems.push(`worker ${key}: completion ${event.index} without its invoke`);
      open.delete(key);
    }
  }
  for (const [key, pending] of open)
    problems.push(`worker ${key}: invoke ${pending.index} never completed`);
  return problems;
}

/** Invariant violations in every consistent snapshot read of the history. */
export function snapshotViolations(events: readonly HistoryEvent[]): {
  reads: number;
  violations: string[];
} {
  let reads = 0;
  const violations: string[] = [];
  for (const event of events) {
    if (event.f !== "read-subtree" || event.type !== "ok") continue;
    const value = event.value as {
      consistent: boolean;
      nodes: Record<string, [string, number, string]>;
    };
    if (!value.consistent) continue;
    reads++;
    const snapshot = new Map(Object.entries(value.nodes).map(([path, [data]]) => [path, data]));
    for (const violation of topologyViolations(snapshot)) {
      violations.push(
        `event ${event.index}: ${violation.invariant} at ${violation.path}: ${violation.detail}`,
      );
    }
  }
  return { reads, violations };
}

/** Literal history events numbered in order, for tests of pure code over histories. */
export function eventCounter(): {
  next: () => number;
  serverLog: (server: number, kind: string) => HistoryEvent;
} {
  let index = 0;
  const next = () => index++;
  return {
    next,
    serverLog: (server, kind) => {
      const at = next();
      return {
        index: at,
        time: at + 1,
        process: `server-${server}`,
        type: "info",
        f: "log",
        value: { kind, line: `... ${kind}` },
      };
    },
  };
}
