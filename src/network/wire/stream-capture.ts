/**
 * Raw bytes of one stream of one proxied connection, written to a file as
 * they pass (capped), for decoder fixtures and for reporting a stream the
 * decoder could not follow. Writing is asynchronous: the link never waits.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";

/** Bytes kept per stream: enough for elections, syncs and a snapshot of a small tree. */
export const CAPTURE_LIMIT_BYTES = 1 << 20;

/** The file name of a captured stream: proxy, connection and direction. */
export function captureFileName(where: {
  readonly proxy: string;
  readonly connection: number;
  readonly stream: string;
}): string {
  return `${where.proxy}.${where.connection}.${where.stream}.bin`;
}

/** Appends one stream's bytes to its file until the cap. */
export class StreamCapture {
  private readonly out: WriteStream;
  private written = 0;

  constructor(
    dir: string,
    where: { readonly proxy: string; readonly connection: number; readonly stream: string },
    private readonly limit = CAPTURE_LIMIT_BYTES,
  ) {
    mkdirSync(dir, { recursive: true });
    this.out = createWriteStream(join(dir, captureFileName(where)));
    // A capture that cannot be written is lost, never the link.
    this.out.on("error", () => {});
  }

  /** Keeps what fits under the cap. */
  write(data: Buffer): void {
    if (this.written >= this.limit) return;
    const part = data.subarray(0, this.limit - this.written);
    this.written += part.length;
    this.out.write(Buffer.from(part));
  }

  close(): void {
    this.out.end();
  }
}
