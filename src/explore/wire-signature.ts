/**
 * The wire's part of the behaviour signature (DistFuzz's feedback): per peer
 * link, the sequence of messages as (sender role, receiver role, type), with
 * PINGs folded away (they only mark time) and server ids dropped, so two runs
 * that differ only by which follower did what read the same.
 */
import type { HistoryEvent } from "../history/event.js";
import { WIRE_PROCESS, type WireEventValue } from "../history/wire.js";

/** A server's role as its log last told it, or as its election notifications say. */
type Role = "leader" | "follower" | "looking" | "unknown";

const ROLE_OF_LOG_KIND: Readonly<Record<string, Role>> = {
  leading: "leader",
  following: "follower",
  looking: "looking",
  "election-started": "looking",
};

const ROLE_OF_STATE: Readonly<Record<string, Role>> = {
  LEADING: "leader",
  FOLLOWING: "follower",
  OBSERVING: "follower",
  LOOKING: "looking",
};

/** Messages that say nothing but that time passed. */
const FOLDED: ReadonlySet<string> = new Set(["PING"]);

/** Each peer link's tokens (channel and the pair, ids dropped later), in history order. */
export function wireSequences(events: readonly HistoryEvent[]): Map<string, string[]> {
  const roles = new Map<number, Role>();
  const role = (server: number) => roles.get(server) ?? "unknown";
  const sequences = new Map<string, string[]>();
  for (const event of events) {
    if (
      typeof event.process === "string" &&
      event.process.startsWith("server-") &&
      event.f === "log"
    ) {
      const next = ROLE_OF_LOG_KIND[(event.value as { kind?: string } | undefined)?.kind ?? ""];
      if (next !== undefined) roles.set(Number(event.process.slice("server-".length)), next);
      continue;
    }
    if (event.process !== WIRE_PROCESS) continue;
    const value = event.value as WireEventValue;
    const type = event.f === "undecoded" ? "undecoded" : value.type;
    if (type === undefined || FOLDED.has(type)) continue;
    // A notification says its sender's own state: fresher than its log.
    const state = value.summary?.state;
    if (typeof state === "string" && ROLE_OF_STATE[state] !== undefined)
      roles.set(value.sender, ROLE_OF_STATE[state] as Role);
    const link = `${value.channel}:${Math.min(value.sender, value.receiver)}-${Math.max(value.sender, value.receiver)}`;
    const sequence = sequences.get(link) ?? [];
    sequence.push(`${role(value.sender)}>${role(value.receiver)}:${type}`);
    sequences.set(link, sequence);
  }
  return sequences;
}
