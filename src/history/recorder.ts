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

/** How long lines may wait before they are written, in ms. */
const FLUSH_INTERVAL_MS = 10;
/** Write at once when this much is pending. */
const FLUSH_BYTES = 256 * 1024;

/**
 * Appends events to a JSONL file. Lines are gathered for at most 10 ms (or
 * 256 KB) and written in one call, so recording costs an operation a few
 * microseconds and a crash of the harness loses at most the last 10 ms.
 */
export class JsonlSink implements HistorySink {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(path: string) {
    this.fd = openSync(path, "a");
  }

  append(event: HistoryEvent): void {
    if (this.closed) return;
    const line = JSON.stringify(event);
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Writes what is pending. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.closed) return;
    const text = `${this.pending.join("\n")}\n`;
    this.pending = [];
    this.pendingBytes = 0;
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
