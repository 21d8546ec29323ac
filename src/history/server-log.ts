/**
 * Key moments in a ZooKeeper server's log, as history events: elections,
 * roles, synchronisation (DIFF/TRUNC/SNAP, NEWLEADER, UPTODATE), truncation,
 * lost quorum and shutdown. Pure: a line in, a kind (or nothing) out. The
 * phrases are the ones every release from 3.4 to 3.9 logs.
 */

/** What a key log line says happened. */
export type ServerLogKind =
  | "looking"
  | "leading"
  | "following"
  | "quorum-of-supporters"
  | "diff-from-leader"
  | "snapshot-from-leader"
  | "truncating-log"
  | "newleader-received"
  | "uptodate-received"
  | "sending-diff"
  | "sending-trunc"
  | "sending-snap"
  | "followers-not-synced"
  | "shutdown";

/** The process name of server `id` in the history. */
export function serverProcess(id: number): `server-${number}` {
  return `server-${id}`;
}

const PATTERNS: readonly (readonly [ServerLogKind, RegExp])[] = [
  ["looking", / - LOOKING\s*$/],
  ["leading", / - LEADING\s*$/],
  ["following", / - FOLLOWING\s*$/],
  ["quorum-of-supporters", /Have quorum of supporters/],
  ["diff-from-leader", /Getting a diff from the leader/],
  ["snapshot-from-leader", /Getting a snapshot from leader/],
  ["truncating-log", /Truncating log to get in sync with the leader/],
  ["newleader-received", /Learner received NEWLEADER message/],
  ["uptodate-received", /Learner received UPTODATE message/],
  ["sending-diff", /Sending DIFF/],
  ["sending-trunc", /Sending TRUNC/],
  ["sending-snap", /Sending snapshot|Sending SNAP/],
  ["followers-not-synced", /Not sufficient followers synced/],
  ["shutdown", /Shutdown called|shutdown of request processor complete|Shutting down$/],
];

/** The kind of a key line, or undefined for every other line. */
export function classifyServerLogLine(line: string): ServerLogKind | undefined {
  for (const [kind, pattern] of PATTERNS) if (pattern.test(line)) return kind;
  return undefined;
}

/** The time the server wrote on the line (ISO8601 with a comma, local time), as text. */
export function loggedAt(line: string): string | undefined {
  return /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[,.]\d{3})/.exec(line)?.[1];
}
