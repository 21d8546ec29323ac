/**
 * A read after sync that a leader served. ZooKeeper's sync is not a quorum
 * operation (ZOOKEEPER-1675, open in every release): a follower forwards it
 * to the leader, but a leader answers its own clients' sync locally, as a
 * read (its CommitProcessor does not match syncs), and the leader sends a
 * COMMIT to its followers before its own pipeline applies it. So a write a
 * follower applied and acknowledged may not be in the leader's tree yet when
 * the leader answers a sync and a read; a leader that lost its quorum and
 * does not know it yet answers from an older epoch altogether. The servers'
 * own role lines prove which server was leading.
 */
import type { HistoryEvent } from "../../history/event.js";
import type { Anomaly } from "../verdict.js";

/** The documented bug that explains it, in every release. */
export const SYNC_NOT_QUORUM = "ZOOKEEPER-1675";

/** Log lines that change what a server is: the last one before a moment says its role then. */
const ROLE_KINDS: ReadonlySet<string> = new Set(["leading", "following", "looking", "shutdown"]);

const kindOf = (event: HistoryEvent) => (event.value as { kind?: string } | undefined)?.kind;

/** Each server's role lines, in history order. */
function roleLines(events: readonly HistoryEvent[]): Map<string, HistoryEvent[]> {
  const lines = new Map<string, HistoryEvent[]>();
  for (const event of events) {
    if (event.f !== "log" || !ROLE_KINDS.has(kindOf(event) ?? "")) continue;
    const process = String(event.process);
    const list = lines.get(process) ?? [];
    list.push(event);
    lines.set(process, list);
  }
  return lines;
}

/** The LEADING line a server last logged before `time`, if leading was its role then. */
function leadingAt(lines: readonly HistoryEvent[], time: number): HistoryEvent | undefined {
  let last: HistoryEvent | undefined;
  for (const line of lines) {
    if (line.time > time) break;
    last = line;
  }
  return last !== undefined && kindOf(last) === "leading" ? last : undefined;
}

/** Adds the cause to each stale read after sync that a server served while its log said it led. */
export function explainSyncsOnLeaders(
  anomalies: readonly Anomaly[],
  events: readonly HistoryEvent[],
): Anomaly[] {
  if (!anomalies.some((anomaly) => anomaly.kind === "stale-read-after-sync" && !anomaly.cause))
    return [...anomalies];
  const lines = roleLines(events);
  return anomalies.map((anomaly) => {
    if (anomaly.kind !== "stale-read-after-sync" || anomaly.cause !== undefined) return anomaly;
    // The anomaly's first two events are the read's invocation and its completion.
    const [invoke, completion] = anomaly.events.slice(0, 2).map((index) => events[index]);
    if (invoke === undefined || completion?.server === undefined) return anomaly;
    const leading = leadingAt(lines.get(`server-${completion.server}`) ?? [], invoke.time);
    if (leading === undefined) return anomaly;
    return {
      ...anomaly,
      cause: {
        message: `server ${completion.server} served the read while it led (its LEADING line, event ${leading.index}): a leader answers its own clients' sync locally, as a read, and may apply a commit after its followers acknowledged it, so sync is not a quorum operation (${SYNC_NOT_QUORUM}, open in every release)`,
        events: [leading.index],
        knownBugs: [SYNC_NOT_QUORUM],
      },
    };
  });
}
