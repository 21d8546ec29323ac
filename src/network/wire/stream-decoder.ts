/**
 * The driver of a wire decoder. A decoder is a generator that asks for bytes
 * ("give me exactly n", "skip n") and reports messages; the driver feeds it
 * the chunks a socket delivers, copying only the small reads and never the
 * skipped bodies, so a snapshot of many megabytes costs no buffering. A
 * decoder that meets bytes it cannot follow throws; from then on the stream is
 * undecoded and the driver only counts bytes: decoding never stops a stream.
 */

/**
 * Decodes one whole message straight from a chunk at a message boundary and
 * returns the bytes it took; 0 hands the bytes to the decoder's own read
 * (a message split across chunks, or one the scan leaves to the generator).
 * `offset` is the stream offset of `position`.
 */
export type Scan = (chunk: Buffer, position: number, offset: number) => number;

/**
 * What a decoder asks for next: exactly `read` bytes (with `scan`, whole
 * messages may be taken from the chunk first), or to pass over `skip` bytes.
 */
export type Need = { readonly read: number; readonly scan?: Scan } | { readonly skip: number };

/** A decoder: yields what it needs, is resumed with the bytes it read (empty after a skip). */
export type Decoder = Generator<Need, void, Buffer>;

/** Thrown by a decoder when the stream is not what it expects. */
export class Undecodable extends Error {}

/** The largest single read a decoder may ask for: headers and summaries, never bodies. */
export const MAX_READ_BYTES = 1 << 16;

const EMPTY = Buffer.alloc(0);

/** Why a decoder's request cannot be met, if it cannot. */
function refusal(need: Need): string | undefined {
  const size = "read" in need ? need.read : need.skip;
  if (!Number.isSafeInteger(size) || size < 0) return `bad request of ${size} bytes`;
  if ("read" in need && size > MAX_READ_BYTES)
    return `a field of ${size} bytes is longer than any header`;
  return undefined;
}

/** Why and where a stream stopped being decoded. */
export interface UndecodedAt {
  readonly offset: number;
  readonly reason: string;
}

/** Feeds one direction of a connection to a decoder. Never throws. */
export class StreamDecoder {
  private need: Need | undefined;
  private parts: Buffer[] = [];
  private have = 0;
  private consumed = 0;
  private stopped: UndecodedAt | undefined;

  private readonly decoder: Decoder;

  constructor(
    /** Makes the decoder; it may ask the driver for the stream offset when it reports a message. */
    start: (offset: () => number) => Decoder,
    private readonly onUndecoded: (at: UndecodedAt) => void = () => {},
  ) {
    this.decoder = start(() => this.consumed);
    this.advance(EMPTY);
  }

  /** Bytes of the stream seen so far; a message's end offset is counted in the same bytes. */
  get offset(): number {
    return this.consumed;
  }

  /** Where decoding stopped, if it did. */
  get undecoded(): UndecodedAt | undefined {
    return this.stopped;
  }

  /** Takes the next chunk of the stream. */
  feed(chunk: Buffer): void {
    let position = 0;
    while (position < chunk.length && this.need !== undefined) {
      const need = this.need;
      if ("skip" in need) {
        const take = Math.min(need.skip - this.have, chunk.length - position);
        position += take;
        this.consumed += take;
        this.have += take;
        if (this.have === need.skip) this.advance(EMPTY);
        continue;
      }
      if (need.scan !== undefined && this.have === 0) {
        // The fast path of a busy link: whole short messages, no generator step, no copy.
        const took = this.scanned(need.scan, chunk, position);
        if (took > 0) {
          position += took;
          this.consumed += took;
          continue;
        }
        if (this.need === undefined) break;
      }
      const take = Math.min(need.read - this.have, chunk.length - position);
      this.parts.push(chunk.subarray(position, position + take));
      position += take;
      this.consumed += take;
      this.have += take;
      if (this.have === need.read) {
        const bytes =
          this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
        this.advance(bytes);
      }
    }
    this.consumed += chunk.length - position;
  }

  /** Runs a decoder's scan; a scan that throws stops decoding like the decoder would. */
  private scanned(scan: Scan, chunk: Buffer, position: number): number {
    try {
      return scan(chunk, position, this.consumed);
    } catch (error) {
      this.stop(error instanceof Undecodable ? error.message : `decoder failed: ${String(error)}`);
      return 0;
    }
  }

  /** Resumes the decoder with what it asked for, until it asks for bytes not yet here. */
  private advance(bytes: Buffer): void {
    this.parts = [];
    this.have = 0;
    this.need = undefined;
    try {
      // The generator's first next() ignores its argument: the constructor's empty buffer is harmless.
      let step = this.decoder.next(bytes);
      for (;;) {
        const problem = step.done ? "the decoder ended" : refusal(step.value);
        if (problem !== undefined) {
          this.stop(problem);
          return;
        }
        const need = step.value as Need;
        if (("read" in need ? need.read : need.skip) > 0) {
          this.need = need;
          return;
        }
        step = this.decoder.next(EMPTY);
      }
    } catch (error) {
      this.stop(error instanceof Undecodable ? error.message : `decoder failed: ${String(error)}`);
    }
  }

  private stop(reason: string): void {
    this.need = undefined;
    this.parts = [];
    this.stopped = { offset: this.consumed, reason };
    try {
      this.decoder.return();
    } catch {
      // A decoder's finally blocks are its own business; the stream goes on.
    }
    this.onUndecoded(this.stopped);
  }
}
