/** One message a wire decoder read off a stream. */
import type { WireSummary } from "./zab-packets.js";

/** A decoded message: its type, zxid, size and summary, and where it ends in its stream. */
export interface WireMessage {
  /** Zab's packet name (PROPOSAL, ACK, ...), NOTIFICATION, HANDSHAKE or SNAPSHOT (the stream after SNAP). */
  readonly type: string;
  readonly zxid?: bigint | undefined;
  /** Bytes on the wire, framing included. */
  readonly size: number;
  /** Stream offset just past the message. */
  readonly end: number;
  readonly summary: WireSummary;
  /** The first bytes of the body, kept for `wire: full` (never the whole body). */
  readonly head?: Buffer | undefined;
}

/** Receives each message as its last byte arrives. */
export type WireListener = (message: WireMessage) => void;
