/**
 * Follows a growing text file (a server's log) and hands over each complete
 * line as it is written: inotify wakes us within a millisecond or two, and a
 * slow poll covers file systems where it does not.
 */
import {
  closeSync,
  existsSync,
  type FSWatcher,
  openSync,
  readSync,
  statSync,
  watch,
} from "node:fs";
import { basename, dirname } from "node:path";

/** A line as it arrived, with the monotonic time (ms, performance.now()) it was read. */
export interface TailedLine {
  readonly line: string;
  readonly receivedMs: number;
}

/** Follows one file from its current end (or its start) until closed. */
export class LogTail {
  private offset: number;
  private partial = "";
  private watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private closed = false;

  /** Starts following `file`; `fromStart` reads what is already there too. */
  constructor(
    private readonly file: string,
    private readonly onLine: (line: TailedLine) => void,
    fromStart = false,
  ) {
    this.offset = fromStart || !existsSync(file) ? 0 : statSync(file).size;
    this.arm();
    // inotify misses a file created after we watched its folder on some systems; poll as well.
    this.poll = setInterval(() => this.drain(), 50);
    this.poll.unref();
  }

  private arm(): void {
    try {
      // Watching the folder sees the file appear, grow and be replaced.
      this.watcher = watch(dirname(this.file), (_event, name) => {
        if (name === null || name === basename(this.file)) this.drain();
      });
      this.watcher.unref();
    } catch {
      this.watcher = undefined;
    }
  }

  /** Reads everything appended since the last read and hands over complete lines. */
  drain(): void {
    if (this.closed || !existsSync(this.file)) return;
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return;
    }
    // A file that shrank was replaced: start it again.
    if (size < this.offset) {
      this.offset = 0;
      this.partial = "";
    }
    if (size === this.offset) return;
    const fd = openSync(this.file, "r");
    try {
      const buffer = Buffer.alloc(Math.min(size - this.offset, 4 * 1024 * 1024));
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += read;
      const text = this.partial + buffer.subarray(0, read).toString("utf8");
      const lines = text.split("\n");
      this.partial = lines.pop() ?? "";
      const receivedMs = performance.now();
      for (const line of lines) if (line.length > 0) this.onLine({ line, receivedMs });
    } finally {
      closeSync(fd);
    }
  }

  /** Stops following; reads what was written up to now first. */
  close(): void {
    if (this.closed) return;
    this.drain();
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.poll);
  }
}
