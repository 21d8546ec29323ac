/**
 * Key moments in a ZooKeeper server's log, as history events: elections,
 * roles, synchronisation (DIFF/TRUNC/SNAP, NEWLEADER, UPTODATE), truncation,
 * lost quorum, shutdown and failures (full disk, a database that will not
 * load, an internal error). Pure: a line in, a kind (or nothing) out. The
 * phrases are the ones every release from 3.4 to 3.9 logs.
 */

/** What a key log line says happened. */
export type ServerLogKind =
  | "election-started"
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
  | "shutdown"
  | "unrecoverable-error"
  | "disk-full"
  | "load-failed"
  | "internal-error";

/** The process name of server `id` in the history. */
export function serverProcess(id: number): `server-${number}` {
  return `server-${id}`;
}

/** FastLeaderElection's first line: the server's own last zxid, which it stands on. */
const ELECTION_STARTED = /New election\. My id =\s*(\d+), proposed zxid=0x([0-9a-fA-F]+)/;

const PATTERNS: readonly (readonly [ServerLogKind, RegExp])[] = [
  ["election-started", ELECTION_STARTED],
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
  ["unrecoverable-error", /Severe unrecoverable error/],
  ["disk-full", /No space left on device/],
  ["load-failed", /Unable to load database on disk/],
  // A NullPointerException is ZooKeeper's own bug, whatever the faults around it.
  ["internal-error", /\bjava\.lang\.NullPointerException\b/],
];

/** Failure kinds: a server that logs one is in trouble, and may log it in a tight loop. */
export const FAILURE_KINDS: ReadonlySet<ServerLogKind> = new Set([
  "unrecoverable-error",
  "disk-full",
  "load-failed",
  "internal-error",
]);

/**
 * Keeps one failure line per server and kind a second: a server that fails in
 * a loop (e.g. "Unable to load database on disk" every few ms) would flood the
 * history. Every other kind always passes.
 */
export class ServerLogThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs = 1000) {}

  /** True when a line of this kind from this server, seen at `nowMs`, should be recorded. */
  admit(server: number, kind: ServerLogKind, nowMs: number): boolean {
    if (!FAILURE_KINDS.has(kind)) return true;
    const key = `${server}:${kind}`;
    const previous = this.last.get(key);
    if (previous !== undefined && nowMs - previous < this.intervalMs) return false;
    this.last.set(key, nowMs);
    return true;
  }
}

/** The kind of a key line, or undefined for every other line. */
export function classifyServerLogLine(line: string): ServerLogKind | undefined {
  for (const [kind, pattern] of PATTERNS) if (pattern.test(line)) return kind;
  return undefined;
}

/** The last zxid a server stood on when it began an election ("New election ... proposed zxid=0x..."). */
export function proposedZxid(line: string): bigint | undefined {
  const hex = ELECTION_STARTED.exec(line)?.[2];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

/** The zxid a new leader starts its epoch at ("... setting last processed zxid: 0x300000000"). */
export function epochStartZxid(line: string): bigint | undefined {
  const hex = /setting last processed zxid: 0x([0-9a-fA-F]+)/.exec(line)?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

/** The time the server wrote on the line (ISO8601 with a comma, local time), as text. */
export function loggedAt(line: string): string | undefined {
  return /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[,.]\d{3})/.exec(line)?.[1];
}
