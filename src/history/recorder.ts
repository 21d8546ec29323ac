import { closeSync, openSync, writeSync } from "node:fs";
import type { HistoryEvent, NewEvent } from "./event.js";

/** A monotonic clock in nanoseconds; tests pass a fake one. */
export type NanoClock = () => bigint;

/** Where recorded events go. */
export interface HistorySink {
  append(event: HistoryEvent): void;
  close(): void;
}

/** Keeps events in memory (for checking in-process and for tests). */
export class MemorySink implements HistorySink {
  readonly events: HistoryEvent[] = [];

  append(event: HistoryEvent): void {
    this.events.push(event);
  }

  close(): void {}
}

/**
 * Appends events to a JSONL file. Lines are gathered during one turn of the
 * event loop and written together, so recording never blocks an operation
 * on disk and a crash loses at most the events of the current turn.
 */
export class JsonlSink implements HistorySink {
  private readonly fd: number;
  private pending: string[] = [];
  private scheduled = false;
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, "a");
  }

  append(event: HistoryEvent): void {
    if (this.closed) return;
    this.pending.push(JSON.stringify(event));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is pending. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.closed) return;
    const text = `${this.pending.join("\n")}\n`;
    this.pending = [];
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Numbers, timestamps and fans out events to its sinks. */
export class HistoryRecorder {
  private next = 0;
  private readonly start: bigint;

  constructor(
    private readonly sinks: readonly HistorySink[],
    private readonly clock: NanoClock = process.hrtime.bigint,
  ) {
    this.start = clock();
  }

  /** Records an event and returns it as written. */
  record(event: NewEvent): HistoryEvent {
    const full: HistoryEvent = {
      index: this.next++,
      time: Number(this.clock() - this.start),
      ...event,
    };
    for (const sink of this.sinks) sink.append(full);
    return full;
  }

  /** Nanoseconds since the run started. */
  now(): number {
    return Number(this.clock() - this.start);
  }

  close(): void {
    for (const sink of this.sinks) sink.close();
  }
}
