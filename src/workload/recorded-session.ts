import { type NewEvent, type StatRecord, sessionProcess } from "../history/event.js";
import type { HistoryRecorder } from "../history/recorder.js";
import {
  type SessionEvent,
  type WatchNotification,
  ZkOperationError,
  ZkSession,
  type ZkStat,
} from "./zk-session.js";

/** Converts a Stat to its history form (zxids as decimal strings). */
export function statRecord(stat: ZkStat): StatRecord {
  return {
    czxid: stat.czxid.toString(),
    mzxid: stat.mzxid.toString(),
    pzxid: stat.pzxid.toString(),
    version: stat.version,
    cversion: stat.cversion,
    ephemeralOwner: stat.ephemeralOwner.toString(16),
  };
}

/** What an operation returns for its completion event. */
export interface OpResult {
  readonly value?: unknown;
  readonly stat?: ZkStat;
}

/** How a worker reaches ZooKeeper and where it records. */
export interface RecordedSessionOptions {
  readonly process: number;
  readonly connectString: string;
  readonly recorder: HistoryRecorder;
  /** Maps the session's socket address to a server id (direct or through a client proxy). */
  readonly serverOf: (remote: string | undefined) => number | undefined;
  readonly sessionTimeoutMs: number;
  readonly operationTimeoutMs: number;
  readonly connectTimeoutMs?: number;
  /** Called when the session expired (the model forgets its ephemeral znodes). */
  readonly onExpired?: () => void;
  /** Called on every session state change after it is recorded (watching agents re-read on reconnects). */
  readonly onSessionEvent?: (event: SessionEvent | "opened") => void;
  /** Called for every watch notification of the session, in wire order. */
  readonly onNotification?: (notification: WatchNotification, session: string) => void;
}

/**
 * A worker's ZooKeeper session that records every operation in the history:
 * invoke, then exactly one of ok, fail (a definite ZooKeeper error) or info
 * (timeout, connection loss: unknown). Session events are recorded too, and
 * an expired session is replaced by a new one on the next operation.
 */
export class RecordedSession {
  private session: ZkSession | undefined;
  private expired = false;
  private closed = false;

  constructor(private readonly options: RecordedSessionOptions) {}

  /** The live session's id (hex), if there is one. */
  get sessionId(): string | undefined {
    return this.session?.sessionId;
  }

  /** The server the session is connected to now, if known. */
  get server(): number | undefined {
    return this.options.serverOf(this.session?.remote);
  }

  private record(event: Omit<NewEvent, "process">): void {
    // Session events on the session's own process: they complete no operation of the worker.
    const process =
      event.f === "session" ? sessionProcess(this.options.process) : this.options.process;
    this.options.recorder.record({ process, ...event });
  }

  private onEvent = (event: SessionEvent, session: ZkSession): void => {
    if (session !== this.session) return;
    if (event === "expired") this.expired = true;
    this.record({
      type: "info",
      f: "session",
      value: { event },
      session: session.sessionId,
      ...(this.server !== undefined ? { server: this.server } : {}),
    });
    if (event === "expired") this.options.onExpired?.();
    this.options.onSessionEvent?.(event);
  };

  /** The live session, opening a new one if there is none or it expired. */
  private async current(): Promise<ZkSession> {
    if (this.closed) throw new ZkOperationError(-4, "worker closed");
    if (this.session !== undefined && !this.expired) return this.session;
    this.session?.close();
    this.session = undefined;
    this.expired = false;
    const session = await ZkSession.open(this.options.connectString, {
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      operationTimeoutMs: this.options.operationTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs ?? this.options.operationTimeoutMs,
      onEvent: this.onEvent,
      ...(this.options.onNotification
        ? {
            onNotification: (notification: WatchNotification, from: ZkSession) => {
              // A replaced session's late notification is not this worker's any more.
              if (from === this.session)
                this.options.onNotification?.(notification, from.sessionId);
            },
          }
        : {}),
    });
    if (this.closed) {
      session.close();
      throw new ZkOperationError(-4, "worker closed");
    }
    this.session = session;
    this.record({
      type: "info",
      f: "session",
      value: { event: "opened" },
      session: session.sessionId,
      ...this.serverField(),
    });
    this.options.onSessionEvent?.("opened");
    return session;
  }

  private serverField(): { server?: number } {
    const server = this.server;
    return server === undefined ? {} : { server };
  }

  /**
   * Runs one operation and records it. Returns the result, or undefined when
   * it failed (fail) or its outcome is unknown (info); `onOutcome` tells which.
   */
  async perform(
    f: string,
    value: unknown,
    run: (session: ZkSession, settle: (result: OpResult) => void) => Promise<OpResult>,
  ): Promise<
    { type: "ok"; result: OpResult } | { type: "fail" | "info"; error: ZkOperationError }
  > {
    this.record({ type: "invoke", f, value });
    let session: ZkSession | undefined;
    try {
      session = await this.current();
    } catch (caught) {
      // No session, so nothing was sent: the operation certainly did not happen.
      const error =
        caught instanceof ZkOperationError ? caught : new ZkOperationError(-4, String(caught));
      this.record({ type: "fail", f, value, error: "no-session" });
      return { type: "fail", error };
    }
    let settled = false;
    const open = session;
    // Recorded at the reply when `run` settles inside the library's callback: then it is in wire order with notifications.
    const settle = (result: OpResult): void => {
      if (settled) return;
      settled = true;
      // The server that answered: a session that moved mid-operation got its reply from its new server.
      const server = this.server;
      const zxid = open.lastReplyZxid;
      this.record({
        type: "ok",
        f,
        value: result.value === undefined ? value : result.value,
        session: open.sessionId,
        ...(server !== undefined ? { server } : {}),
        ...(result.stat ? { stat: statRecord(result.stat) } : {}),
        ...(zxid !== undefined && zxid > 0n ? { zxid: zxid.toString() } : {}),
      });
    };
    try {
      const result = await run(session, settle);
      settle(result);
      return { type: "ok", result };
    } catch (caught) {
      if (settled) throw caught;
      settled = true;
      const error =
        caught instanceof ZkOperationError ? caught : new ZkOperationError(-4, String(caught));
      const type = error.definite ? "fail" : "info";
      this.record({
        type,
        f,
        value,
        error: error.code,
        ...(session ? { session: session.sessionId } : {}),
        ...this.serverField(),
      });
      return { type, error };
    }
  }

  /** Opens the session now rather than at the first operation; false when it could not. */
  async open(): Promise<boolean> {
    try {
      await this.current();
      return true;
    } catch {
      return false;
    }
  }

  /** Ends this session as an agent that restarts would; the next operation opens a new one. */
  renew(): void {
    const session = this.session;
    if (session === undefined || this.closed) return;
    this.session = undefined;
    this.record({
      type: "info",
      f: "session",
      value: { event: "closed" },
      session: session.sessionId,
    });
    session.close();
  }

  /** Closes the session (its ephemeral znodes go). */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  /** Closes the session and waits (bounded) until the server has removed its ephemeral znodes. */
  async closeAndWait(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    await session?.closeAndWait(timeoutMs);
  }
}
