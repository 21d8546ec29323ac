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

/** A server's role at a moment, and the event that shows it. */
interface RoleMark {
  readonly time: number;
  readonly leading: boolean;
  readonly event: HistoryEvent;
}

/**
 * Each server's role marks, in history order: its role log lines, and the
 * observer's status polls (srvr's Mode), which also say who led before the
 * first line the run saw (a leader elected at the start logs LEADING before
 * the history begins).
 */
function roleMarks(events: readonly HistoryEvent[]): Map<string, RoleMark[]> {
  const marks = new Map<string, RoleMark[]>();
  const add = (process: string, mark: RoleMark) => {
    const list = marks.get(process) ?? [];
    list.push(mark);
    marks.set(process, list);
  };
  for (const event of events) {
    if (event.f === "log" && ROLE_KINDS.has(kindOf(event) ?? ""))
      add(String(event.process), { time: event.time, leading: kindOf(event) === "leading", event });
    else if (event.process === "observer" && event.f === "status" && event.type === "ok") {
      const statuses = (event.value as { statuses?: Record<string, { mode?: string }> }).statuses;
      for (const [id, status] of Object.entries(statuses ?? {}))
        if (status.mode !== undefined)
          add(`server-${id}`, { time: event.time, leading: status.mode === "leader", event });
    }
  }
  // Log lines are recorded as they are read, stamped with the line's own time.
  for (const list of marks.values()) list.sort((a, b) => a.time - b.time);
  return marks;
}

/** The mark that says a server was leading at `time`, if that was its role then. */
function leadingAt(marks: readonly RoleMark[], time: number): RoleMark | undefined {
  let last: RoleMark | undefined;
  for (const mark of marks) {
    if (mark.time > time) break;
    last = mark;
  }
  return last?.leading === true ? last : undefined;
}

/** Adds the cause to each stale read after sync that a server served while its log said it led. */
export function explainSyncsOnLeaders(
  anomalies: readonly Anomaly[],
  events: readonly HistoryEvent[],
): Anomaly[] {
  if (!anomalies.some((anomaly) => anomaly.kind === "stale-read-after-sync" && !anomaly.cause))
    return [...anomalies];
  const marks = roleMarks(events);
  return anomalies.map((anomaly) => {
    if (anomaly.kind !== "stale-read-after-sync" || anomaly.cause !== undefined) return anomaly;
    // The anomaly's first two events are the read's invocation and its completion.
    const [invoke, completion] = anomaly.events.slice(0, 2).map((index) => events[index]);
    if (invoke === undefined || completion?.server === undefined) return anomaly;
    const leading = leadingAt(marks.get(`server-${completion.server}`) ?? [], invoke.time);
    if (leading === undefined) return anomaly;
    const shown =
      leading.event.f === "log"
        ? `its LEADING line, event ${leading.event.index}`
        : `srvr said Mode: leader, event ${leading.event.index}`;
    return {
      ...anomaly,
      cause: {
        message: `server ${completion.server} served the read while it led (${shown}): a leader answers its own clients' sync locally, as a read, and may apply a commit after its followers acknowledged it, so sync is not a quorum operation (${SYNC_NOT_QUORUM}, open in every release)`,
        events: [leading.event.index],
        knownBugs: [SYNC_NOT_QUORUM],
      },
    };
  });
}
