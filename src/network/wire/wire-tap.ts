/**
 * The proxy's view of the wire: which protocol a proxy decodes (a registry by
 * name) and the observations its connections report, each stream of each
 * connection through its own decoder.
 */
import { electionDecoder } from "./election-decoder.js";
import type { RuleDecision } from "./message-rule.js";
import { quorumDecoder } from "./quorum-decoder.js";
import { type Decoder, StreamDecoder, type UndecodedAt } from "./stream-decoder.js";
import type { WireListener, WireMessage } from "./wire-message.js";

/** Which way a stream runs: upstream from the side that dialled, downstream back to it. */
export type WireStream = "upstream" | "downstream";

type DecoderStart = (emit: WireListener, offset: () => number, dialler: boolean) => Decoder;

/** The protocols a proxy can decode, by the name its API body gives (`decode`). */
export const WIRE_PROTOCOLS: Readonly<Record<string, DecoderStart>> = {
  "zookeeper-quorum": (emit, offset) => quorumDecoder(emit, offset),
  "zookeeper-election": (emit, offset, dialler) => electionDecoder(emit, offset, dialler),
};

/** True for a protocol name the proxy can decode. */
export function isWireProtocol(name: unknown): name is string {
  return typeof name === "string" && Object.hasOwn(WIRE_PROTOCOLS, name);
}

/** What one connection's stream reported: a message, or that it can no longer be followed. */
export interface WireObservation {
  readonly proxy: string;
  /** The connection's number within its proxy. */
  readonly connection: number;
  readonly stream: WireStream;
  /** performance.now() when the message's last byte arrived at the proxy. */
  readonly atMs: number;
  readonly message?: WireMessage;
  /** What a message rule does to it (drop, delay, hold, ...), when one took it. */
  readonly rule?: RuleDecision | undefined;
  readonly undecoded?: UndecodedAt;
}

/** Receives every observation of every decoding proxy. */
export type WireObserver = (observation: WireObservation) => void;

/** One stream's decoder as its pipe uses it. */
export interface WireTap {
  /** Decodes a chunk; returns the messages whose last byte it held, in order. */
  feed(chunk: Buffer): readonly WireMessage[];
  /** Stream bytes fed so far (message ends count in the same bytes). */
  readonly offset: number;
  /** True once the stream can no longer be followed. */
  readonly undecoded: boolean;
  /** Tells the observer of a message and what a rule does to it. */
  report(message: WireMessage, rule?: RuleDecision): void;
}

/** A decoder for one stream of one connection, reporting to `observe`. */
export function streamTap(
  protocol: string,
  where: { readonly proxy: string; readonly connection: number; readonly stream: WireStream },
  observe: WireObserver,
): WireTap {
  const start = WIRE_PROTOCOLS[protocol];
  if (start === undefined) throw new Error(`no wire protocol '${protocol}'`);
  let ended: WireMessage[] = [];
  const decoder = new StreamDecoder(
    (offset) => start((message) => ended.push(message), offset, where.stream === "upstream"),
    (undecoded) => observe({ ...where, atMs: performance.now(), undecoded }),
  );
  return {
    feed(chunk) {
      decoder.feed(chunk);
      const messages = ended;
      ended = [];
      return messages;
    },
    get offset() {
      return decoder.offset;
    },
    get undecoded() {
      return decoder.undecoded !== undefined;
    },
    report(message, rule) {
      // One literal shape per call: spreading here cost a third of a busy link's time.
      observe({
        proxy: where.proxy,
        connection: where.connection,
        stream: where.stream,
        atMs: performance.now(),
        message,
        rule,
      });
    },
  };
}
