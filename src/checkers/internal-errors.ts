/**
 * Internal errors: a server that logs a NullPointerException has hit a bug
 * of its own, whatever the faults around it did (a crash, a cut link, a late
 * message is never a reason for one). Pure: the history's server log events in,
 * a verdict out. Off by default: most releases have such bugs
 * (ZOOKEEPER-4394, ZOOKEEPER-4409), and a scenario or a search names this
 * checker when it looks for them.
 */
import type { HistoryEvent } from "../history/event.js";
import type { Anomaly, Verdict } from "./verdict.js";
import { commitInSync, commitInSyncText } from "./zookeeper/sync-on-wire.js";

const GUARANTEE = "servers hit no internal error (a NullPointerException is ZooKeeper's own bug)";

/** At most this many log events are named as one server's proof. */
const PROOF_EVENTS = 3;

/** One anomaly per server that logged an internal error, naming its lines. */
export function checkInternalErrors(events: readonly HistoryEvent[]): Verdict {
  const started = performance.now();
  const byServer = new Map<string, HistoryEvent[]>();
  for (const event of events) {
    const server = event.process;
    if (event.f !== "log" || typeof server !== "string" || !server.startsWith("server-")) continue;
    if ((event.value as { kind?: string } | undefined)?.kind !== "internal-error") continue;
    byServer.set(server, [...(byServer.get(server) ?? []), event]);
  }
  const anomalies: Anomaly[] = [...byServer].map(([server, lines]) => {
    const firstEvent = lines[0] as HistoryEvent;
    const first = (firstEvent.value as { line?: string } | undefined)?.line?.trim() ?? "";
    // What the server was sent just before, when the wire was recorded: a sync it could not follow.
    const inSync = commitInSync(events, Number(server.slice("server-".length)), firstEvent.index);
    return {
      kind: "internal-error",
      message: `${server} hit an internal error${lines.length > 1 ? ` (${lines.length} times)` : ""}: ${first}${inSync ? `; ${commitInSyncText(inSync)}` : ""}`,
      events: [
        ...(inSync
          ? [inSync.proposal, inSync.newLeader, inSync.commit].filter(
              (index): index is number => index !== undefined,
            )
          : []),
        ...lines.slice(0, PROOF_EVENTS).map((event) => event.index),
      ],
    };
  });
  return {
    checker: "internal-errors",
    guarantee: GUARANTEE,
    valid: anomalies.length === 0,
    anomalies,
    stats: { servers: byServer.size },
    elapsedMs: performance.now() - started,
  };
}
