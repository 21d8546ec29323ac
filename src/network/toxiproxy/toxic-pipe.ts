import type { Socket } from "node:net";
import { deriveRandom, type Random } from "../../util/seeded-random.js";
import { type Stream, slicerPieces, type ToxicJson } from "./model.js";

/** End of stream: the source finished sending. */
export const EOF = Symbol("eof");

/** One read from a socket with the time it arrived (toxics count delays from arrival). */
interface Chunk {
  readonly data: Buffer;
  readonly arrival: number;
}

type Item = Chunk | typeof EOF;

/** A toxic as a connection sees it: its current JSON and a version bumped on each change. */
export interface ToxicEntry {
  readonly json: ToxicJson;
  readonly version: number;
}

/** What a pipe needs from its connection. */
export interface LinkControl {
  readonly seed: string;
  readonly proxyName: string;
  readonly sequence: number;
  /** The proxy's toxics in creation order. */
  toxics(): readonly ToxicEntry[];
  /** Closes both sockets (FIN), after what was written is flushed. */
  close(): void;
  /** Resets both sockets (RST). */
  reset(): void;
  readonly closed: boolean;
}

/** Per connection, per stream and per toxic: whether it applies, and its running state. */
interface ToxicState {
  readonly version: number;
  readonly type: string;
  readonly active: boolean;
  readonly random: Random;
  bytes: number;
  timer: NodeJS.Timeout | undefined;
}

type Emit = (item: Item) => Promise<void>;

const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;

/**
 * One direction of a proxied connection: reads chunks from `source`, passes
 * them through the chain of toxics for its stream, in order, and writes what
 * comes out to `dest`. Toxic changes apply to live connections: a waiting
 * toxic wakes up and re-reads its attributes, or steps aside when removed.
 */
export class ToxicPipe {
  private readonly queue: Item[] = [];
  private queuedBytes = 0;
  private wake: (() => void) | undefined;
  private changed: (() => void)[] = [];
  private readonly states = new Map<string, ToxicState>();
  private ended = false;
  private dropping = false;
  /** An item is between the queue and the destination. */
  private busy = false;
  /** No toxic applies to this stream of this connection: data may skip the queue. */
  private passthrough = true;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly stream: Stream,
    private readonly link: LinkControl,
    /** Rewrites bytes before any toxic sees them (the election handshake). */
    private readonly rewrite?: (data: Buffer) => Buffer,
  ) {
    source.on("data", (raw: Buffer) => {
      const data = this.rewrite ? this.rewrite(raw) : raw;
      if (data.length === 0) return;
      // Fast path: nothing queued, nothing in flight, no toxic: forward at once.
      if (this.passthrough && !this.busy && this.queue.length === 0 && !this.link.closed) {
        this.forward(data);
        return;
      }
      this.push({ data, arrival: performance.now() });
      if (this.queuedBytes > HIGH_WATER) source.pause();
    });
    source.on("end", () => this.pushEof());
    source.on("close", () => this.pushEof());
    this.syncToxics();
  }

  /** Runs until the stream ends or the connection closes. */
  async run(): Promise<void> {
    for (;;) {
      const item = await this.next();
      if (item === undefined) return;
      this.busy = true;
      await this.stage(this.chain(), 0, item);
      this.busy = false;
      if (item === EOF) {
        if (!this.dropping && !this.dest.destroyed) this.dest.end();
        return;
      }
    }
  }

  /** Re-reads the proxy's toxics: new ones start, changed ones restart, removed ones clean up. */
  syncToxics(): void {
    const current = new Map(
      this.link
        .toxics()
        .filter((entry) => entry.json.stream === this.stream)
        .map((entry) => [entry.json.name, entry]),
    );
    for (const [name, state] of this.states) {
      const entry = current.get(name);
      if (entry !== undefined && entry.version === state.version) continue;
      if (state.timer) clearTimeout(state.timer);
      this.states.delete(name);
      // Toxiproxy's timeout toxic closes its connections when it is removed.
      if (entry === undefined && state.active && state.type === "timeout") this.link.close();
    }
    for (const [name, entry] of current) {
      if (this.states.has(name)) continue;
      const random = deriveRandom(
        this.link.seed,
        this.link.proxyName,
        this.link.sequence,
        this.stream,
        name,
        entry.version,
      );
      const state: ToxicState = {
        version: entry.version,
        type: entry.json.type,
        active: random() < entry.json.toxicity,
        random,
        bytes: 0,
        timer: undefined,
      };
      const timeout = entry.json.attributes.timeout ?? 0;
      if (entry.json.type === "timeout" && state.active && timeout > 0) {
        state.timer = setTimeout(() => this.link.close(), timeout);
      }
      // As Toxiproxy's: the reset comes `timeout` ms after the toxic meets the connection
      // (a live one included), whether or not data flows.
      if (entry.json.type === "reset_peer" && state.active) {
        state.timer = setTimeout(() => this.link.reset(), timeout);
      }
      this.states.set(name, state);
    }
    this.passthrough = ![...this.states.values()].some((state) => state.active);
    const waiters = this.changed;
    this.changed = [];
    for (const wake of waiters) wake();
  }

  /** Stops timers; called when the connection closes. */
  dispose(): void {
    for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
    this.states.clear();
    this.wake?.();
  }

  private push(item: Item): void {
    if (this.ended) return;
    this.queue.push(item);
    if (item !== EOF) this.queuedBytes += item.data.length;
    this.wake?.();
  }

  private pushEof(): void {
    if (this.ended) return;
    this.push(EOF);
    this.ended = true;
  }

  private async next(): Promise<Item | undefined> {
    while (this.queue.length === 0) {
      if (this.link.closed) return undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    if (this.link.closed) return undefined;
    const item = this.queue.shift() as Item;
    if (item !== EOF) {
      this.queuedBytes -= item.data.length;
      if (this.queuedBytes < LOW_WATER && this.source.isPaused()) this.source.resume();
    }
    return item;
  }

  /** The active toxics of this stream, in creation order. */
  private chain(): { entry: ToxicEntry; state: ToxicState }[] {
    const chain: { entry: ToxicEntry; state: ToxicState }[] = [];
    for (const entry of this.link.toxics()) {
      if (entry.json.stream !== this.stream) continue;
      const state = this.states.get(entry.json.name);
      if (state?.active && state.version === entry.version) chain.push({ entry, state });
    }
    return chain;
  }

  /** The toxic's current entry while it still applies to this connection. */
  private current(name: string): ToxicEntry | undefined {
    const entry = this.link.toxics().find((candidate) => candidate.json.name === name);
    const state = this.states.get(name);
    if (entry === undefined || state === undefined || !state.active) return undefined;
    return entry;
  }

  /** Sleeps until `target()` (re-read on every toxic change); false when the toxic was removed. */
  private async waitUntil(name: string, target: (entry: ToxicEntry) => number): Promise<boolean> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      if (this.link.closed) return true;
      const entry = this.current(name);
      if (entry === undefined) return false;
      const remaining = target(entry) - performance.now();
      if (remaining <= 0) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, remaining);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.changed.push(done);
      });
    }
    return true;
  }

  private async stage(
    chain: { entry: ToxicEntry; state: ToxicState }[],
    index: number,
    item: Item,
  ): Promise<void> {
    if (this.link.closed) return;
    const link = chain[index];
    if (link === undefined) return this.write(item);
    const emit: Emit = (next) => this.stage(chain, index + 1, next);
    const { entry, state } = link;
    const name = entry.json.name;
    const attr = (e: ToxicEntry, key: string) => e.json.attributes[key] ?? 0;
    switch (entry.json.type) {
      case "latency": {
        if (item === EOF) return emit(item);
        const offset = state.random() * 2 - 1;
        const arrival = item.arrival;
        await this.waitUntil(
          name,
          (e) => arrival + attr(e, "latency") + offset * attr(e, "jitter"),
        );
        return emit(item);
      }
      case "bandwidth": {
        if (item === EOF) return emit(item);
        let data = item.data;
        for (let guard = 0; guard < 1_000_000 && data.length > 0; guard++) {
          const rate = attr(this.current(name) ?? entry, "rate");
          if (rate <= 0 || this.current(name) === undefined) return emit({ ...item, data });
          const slice = rate * 100;
          const piece = data.length > slice ? data.subarray(0, slice) : data;
          const wait = piece.length / rate;
          const start = performance.now();
          await this.waitUntil(name, () => start + wait);
          await emit({ data: piece, arrival: item.arrival });
          data = data.subarray(piece.length);
        }
        return;
      }
      case "slow_close": {
        if (item !== EOF) return emit(item);
        const start = performance.now();
        await this.waitUntil(name, (e) => start + attr(e, "delay"));
        return emit(item);
      }
      case "timeout":
        // A black hole: data (and the end of the stream) is dropped.
        if (item === EOF) this.dropping = true;
        return;
      case "reset_peer": {
        // Data waits for the reset (the toxic reads none of it); removed in time, it passes.
        if (item === EOF) return emit(item);
        // (A day is "until the reset or the removal": timers cannot hold Infinity.)
        const until = performance.now() + 86_400_000;
        const stillThere = await this.waitUntil(name, () => until);
        if (!stillThere) return emit(item);
        return;
      }
      case "slicer": {
        if (item === EOF) return emit(item);
        const average = attr(entry, "average_size");
        if (average <= 0) return emit(item);
        const variation = Math.max(0, attr(entry, "size_variation"));
        let data = item.data;
        const pieces = slicerPieces(data.length, average, variation, state.random);
        for (const [index, size] of pieces.entries()) {
          await emit({ data: data.subarray(0, size), arrival: item.arrival });
          data = data.subarray(size);
          const delayMs = attr(entry, "delay") / 1000;
          if (index < pieces.length - 1 && delayMs > 0) {
            const start = performance.now();
            await this.waitUntil(name, () => start + delayMs);
          }
        }
        return;
      }
      case "limit_data": {
        if (item === EOF) return emit(item);
        const limit = attr(entry, "bytes");
        if (limit <= 0) return emit(item);
        const room = limit - state.bytes;
        const data = item.data.subarray(0, Math.max(0, room));
        state.bytes += data.length;
        if (data.length > 0) await emit({ data, arrival: item.arrival });
        if (state.bytes >= limit) this.link.close();
        return;
      }
    }
  }

  /** Writes straight to the destination, pausing the source while it is full. */
  private forward(data: Buffer): void {
    if (this.dest.destroyed || this.dest.writableEnded) return;
    if (this.dest.write(data)) return;
    this.source.pause();
    this.dest.once("drain", () => {
      if (this.queuedBytes < LOW_WATER) this.source.resume();
    });
  }

  private async write(item: Item): Promise<void> {
    if (item === EOF || this.dest.destroyed || this.dest.writableEnded) return;
    if (this.dest.write(item.data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.dest.off("drain", done);
        this.dest.off("close", done);
        resolve();
      };
      this.dest.once("drain", done);
      this.dest.once("close", done);
    });
  }
}
