/** The history: the only contract between running a scenario and checking it. */

/** invoke starts an operation; ok, fail (certainly not applied) or info (unknown) completes it. */
export type EventType = "invoke" | "ok" | "fail" | "info";

/**
 * Who acted: a worker id, the nemesis (fault actions), the observer (cluster
 * observations), a server speaking through its log (`server-N`), or a
 * worker's ZooKeeper session (`session-N`: opened, disconnected, expired).
 * The wire (`wire`) is the peer messages the fault network decoded.
 * Session events have a process of their own because in Jepsen's contract an
 * `info` on a worker completes that worker's pending operation.
 */
export type ProcessId =
  | number
  | "nemesis"
  | "observer"
  | "wire"
  | `server-${number}`
  | `session-${number}`;

/** Operations of watching agents: reads (with or without a watch) and watch registrations; they write nothing. */
export const WATCH_OPERATIONS: ReadonlySet<string> = new Set([
  "watch-read",
  "watch-probe",
  "add-watch",
]);

/** The process of worker `worker`'s session events. */
export function sessionProcess(worker: number): `session-${number}` {
  return `session-${worker}`;
}

/** ZooKeeper's Stat with zxids as decimal strings (they are 64-bit). */
export interface StatRecord {
  readonly czxid: string;
  readonly mzxid: string;
  readonly pzxid?: string;
  readonly version: number;
  readonly cversion?: number;
  readonly ephemeralOwner?: string;
}

/** One event of the history. */
export interface HistoryEvent {
  /** Position in the history, from 0. */
  readonly index: number;
  /** Nanoseconds since the run started, from a monotonic clock. */
  readonly time: number;
  readonly process: ProcessId;
  readonly type: EventType;
  /** The operation or action, e.g. "write", "kill", "partition". */
  readonly f: string;
  readonly value?: unknown;
  /** The server the session was connected to. */
  readonly server?: number;
  /** The ZooKeeper session id (hex). */
  readonly session?: string;
  /** ZooKeeper error code or harness error name. */
  readonly error?: string | number;
  readonly stat?: StatRecord;
  /** An ok reply's zxid (decimal): a write's own zxid, or the server's state when it answered a read. */
  readonly zxid?: string;
}

/** An event before the recorder numbers and timestamps it. */
export type NewEvent = Omit<HistoryEvent, "index" | "time">;

/**
 * The value of the observer's "settings" event, recorded once a run's
 * ensemble is up: the bounds a checker needs to judge the history without
 * knowing the harness that made it.
 */
export interface RunSettingsRecord {
  readonly tickTime: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  /** The workers' session timeout (ms). */
  readonly sessionTimeoutMs: number;
  /** The bound on election notifications (ms), when the servers were given one. */
  readonly maxNotificationIntervalMs?: number;
  /** ZooKeeper's version as the servers reported it. */
  readonly zooKeeperVersion?: string;
}

/** The settings a history carries (the observer's "settings" event), if any. */
export function recordedSettings(events: readonly HistoryEvent[]): RunSettingsRecord | undefined {
  const event = events.find(
    (candidate) => candidate.process === "observer" && candidate.f === "settings",
  );
  const value = event?.value as Partial<RunSettingsRecord> | undefined;
  if (
    typeof value?.tickTime !== "number" ||
    typeof value.initLimit !== "number" ||
    typeof value.syncLimit !== "number" ||
    typeof value.sessionTimeoutMs !== "number"
  )
    return undefined;
  return value as RunSettingsRecord;
}

/** A zxid as the checks compare it: a number where exact (below 2^53, every epoch below 2^21), a bigint beyond. */
export type Zxid = number | bigint;

/** Parses a zxid written as a decimal string; the same text always gives the same representation. */
export function parseZxid(text: string): Zxid {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** A zxid as ZooKeeper people read it: epoch and counter in hex, e.g. 0x1:0x4c. */
export function formatZxid(zxid: Zxid): string {
  const value = BigInt(zxid);
  return `0x${(value >> 32n).toString(16)}:0x${(value & 0xffffffffn).toString(16)}`;
}
