import type { Socket } from "node:net";
import { deriveRandom, type Random } from "../../util/seeded-random.js";
import {
  cutsBytes,
  DEFAULT_HOLD_MS,
  type RuleBudgets,
  type RuleDecision,
  ruleMatches,
} from "../wire/message-rule.js";
import type { WireMessage } from "../wire/wire-message.js";
import type { WireTap } from "../wire/wire-tap.js";
import { type Stream, slicerPieces, type ToxicJson } from "./model.js";
import type { SharedLinks } from "./shared-link.js";

/** End of stream: the source finished sending. */
export const EOF = Symbol("eof");

/** One read from a socket with the time it arrived (toxics count delays from arrival). */
interface Chunk {
  readonly data: Buffer;
  readonly arrival: number;
  /** A whole decoded message a message rule took, and what it does to it. */
  readonly decision?: RuleDecision;
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
  /** Message types that crossed this connection either way (message rules' `after`). */
  readonly seenTypes: Set<string>;
  /** What message rules may still take (decoding proxies only). */
  readonly budgets?: RuleBudgets;
  /** The links shared_link toxics share. */
  readonly sharedLinks?: SharedLinks;
}

/** What a pipe does besides forwarding: rewrite bytes, decode them. */
export interface PipeOptions {
  /** Rewrites bytes before any toxic or decoder sees them (the election handshake). */
  readonly rewrite?: (data: Buffer) => Buffer;
  /** Decodes the stream; with a zk_message toxic, bytes move as whole messages. */
  readonly tap?: WireTap;
}

/** Per connection, per stream and per toxic: whether it applies, and its running state. */
interface ToxicState {
  readonly version: number;
  readonly type: string;
  readonly active: boolean;
  readonly random: Random;
  bytes: number;
  timer: NodeJS.Timeout | undefined;
  /** shared_link: the last of this stream's chunks on the link (they leave in order). */
  tail?: Promise<void>;
}

type Emit = (item: Item) => Promise<void>;

const HIGH_WATER = 1 << 20;
const LOW_WATER = 1 << 18;
/** A message longer than this (a snapshot) is forwarded as it comes: rules can then only delay or hold it. */
const WHOLE_MESSAGE_LIMIT = 1 << 20;

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
  /** A zk_message toxic applies: bytes move as whole messages. */
  private framing = false;
  /** Bytes of the message in progress (framing), and the stream offset of their first. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private partialStart = 0;
  private readonly rewrite: ((data: Buffer) => Buffer) | undefined;
  private readonly tap: WireTap | undefined;

  constructor(
    private readonly source: Socket,
    private readonly dest: Socket,
    private readonly stream: Stream,
    private readonly link: LinkControl,
    options: PipeOptions = {},
  ) {
    this.rewrite = options.rewrite;
    this.tap = options.tap;
    source.on("data", (raw: Buffer) => {
      const data = this.rewrite ? this.rewrite(raw) : raw;
      if (data.length === 0) return;
      const arrival = performance.now();
      if (this.tap !== undefined && !this.tap.undecoded) {
        const start = this.tap.offset;
        const messages = this.tap.feed(data);
        if (this.framing) {
          this.frame(data, start, messages, arrival);
          return;
        }
        for (const message of messages) this.report(message, undefined);
      }
      this.flushPartial();
      // Fast path: nothing queued, nothing in flight, no toxic: forward at once.
      if (this.passthrough && !this.busy && this.queue.length === 0 && !this.link.closed) {
        this.forward(data);
        return;
      }
      this.push({ data, arrival });
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
      if (item === EOF || item.decision === undefined) await this.stage(this.chain(), 0, item);
      else await this.decide(item, item.decision);
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
    const framing = [...this.states.values()].some(
      (state) => state.active && state.type === "zk_message",
    );
    if (this.framing && !framing) this.flushPartial();
    this.framing = framing && this.tap !== undefined && this.link.budgets !== undefined;
    const waiters = this.changed;
    this.changed = [];
    for (const wake of waiters) wake();
  }

  /** Stops timers and wakes every waiting toxic; called when the connection closes. */
  dispose(): void {
    for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
    this.states.clear();
    this.wake?.();
    // A reset_peer holding data sleeps for a day: its timer would keep the process alive.
    const waiters = this.changed;
    this.changed = [];
    for (const wake of waiters) wake();
  }

  /** Tells the tap's observer of a message and remembers its type for `after`. */
  private report(message: WireMessage, decision: RuleDecision | undefined): void {
    this.link.seenTypes.add(message.type);
    this.tap?.report(message, decision);
  }

  /** Framing: queues each message that ended in this chunk whole, with what a rule does to it. */
  private frame(data: Buffer, start: number, messages: readonly WireMessage[], arrival: number) {
    if (this.partialBytes === 0) this.partialStart = start;
    this.partial.push(data);
    this.partialBytes += data.length;
    for (const message of messages) {
      const whole = message.end - message.size >= this.partialStart;
      const decision = this.ruleFor(message, whole);
      this.report(message, decision);
      const bytes = this.takePartial(message.end - this.partialStart);
      this.partialStart = message.end;
      this.push({ data: bytes, arrival, ...(decision ? { decision } : {}) });
    }
    // A stream no longer followed, or a message too long to hold whole, goes on as it comes.
    if (this.tap?.undecoded || this.partialBytes > WHOLE_MESSAGE_LIMIT) this.flushPartial();
    if (this.queuedBytes > HIGH_WATER) this.source.pause();
  }

  /** The first active rule of this stream that takes the message, if any (and spends its budget). */
  private ruleFor(message: WireMessage, whole: boolean): RuleDecision | undefined {
    for (const { entry } of this.chain()) {
      const rule = entry.json.message;
      if (entry.json.type !== "zk_message" || rule === undefined) continue;
      if (!ruleMatches(rule, message.type, this.link.seenTypes)) continue;
      if (cutsBytes(rule.action) && !whole) continue;
      const key = rule.group ?? `${this.link.proxyName}/${entry.json.name}#${entry.version}`;
      if (!this.link.budgets?.take(key, rule.count)) continue;
      return {
        toxic: entry.json.name,
        action: rule.action,
        ...(rule.group !== undefined ? { group: rule.group } : {}),
      };
    }
    return undefined;
  }

  /** The first `size` bytes of the message in progress. */
  private takePartial(size: number): Buffer {
    const all =
      this.partial.length === 1 ? (this.partial[0] as Buffer) : Buffer.concat(this.partial);
    const taken = all.subarray(0, size);
    const rest = all.subarray(size);
    this.partial = rest.length > 0 ? [rest] : [];
    this.partialBytes = rest.length;
    return taken;
  }

  /** Queues the bytes of a message in progress as they are (framing stops, or gives up on it). */
  private flushPartial(): void {
    if (this.partialBytes === 0) return;
    const data = this.takePartial(this.partialBytes);
    this.partialStart += data.length;
    this.push({ data, arrival: performance.now() });
  }

  /** Carries out a rule's decision on a whole message, then sends what is left through the toxics. */
  private async decide(item: Chunk, decision: RuleDecision): Promise<void> {
    const chain = this.chain();
    const plain: Chunk = { data: item.data, arrival: item.arrival };
    const wait = (key: "delayMs" | "holdMs", fallback: number) =>
      this.waitUntil(
        decision.toxic,
        (entry) => item.arrival + (entry.json.message?.[key] ?? fallback),
      );
    switch (decision.action) {
      case "drop":
        return;
      case "reset":
        this.link.reset();
        return;
      case "duplicate":
        await this.stage(chain, 0, plain);
        return this.stage(chain, 0, { ...plain });
      case "delay":
        // Removed (healed) first, the message goes on at once.
        await wait("delayMs", 0);
        return this.stage(this.chain(), 0, plain);
      case "hold":
        await wait("holdMs", DEFAULT_HOLD_MS);
        return this.stage(this.chain(), 0, plain);
    }
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
      case "shared_link": {
        const rate = attr(entry, "rate");
        if (item === EOF || rate <= 0 || this.link.sharedLinks === undefined) {
          await state.tail;
          return emit(item);
        }
        const link = this.link.sharedLinks.get(entry.json.link ?? name);
        const crossed = await link.cross(
          item.data.length,
          rate,
          Math.max(0, attr(entry, "buffer")),
        );
        // Bytes queue behind one another on the link: the next may queue before these have crossed.
        state.tail = (state.tail ?? Promise.resolve())
          .then(() => this.waitUntil(name, () => crossed))
          .then(() => emit(item))
          .catch(() => {});
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
      case "zk_message":
        // Its decisions were carried out before the chain (decide()).
        return emit(item);
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
