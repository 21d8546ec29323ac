/** The history: the only contract between running a scenario and checking it. */

/** invoke starts an operation; ok, fail (certainly not applied) or info (unknown) completes it. */
export type EventType = "invoke" | "ok" | "fail" | "info";

/** Who acted: a worker id, the nemesis (fault actions) or the observer (cluster observations). */
export type ProcessId = number | "nemesis" | "observer";

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
}

/** An event before the recorder numbers and timestamps it. */
export type NewEvent = Omit<HistoryEvent, "index" | "time">;
