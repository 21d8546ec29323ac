/**
 * Wire events: the peer messages the fault network decoded (process
 * "wire"). Each names the link it crossed, who sent it and who received it,
 * its Zab or election type, its zxid as epoch:counter and a summary of its
 * body, never the body itself.
 */
import type { HistoryEvent } from "./event.js";

/** How much of the wire a run records: nothing, message summaries, or summaries with each body's first bytes. */
export type WireMode = "off" | "summary" | "full";

/** The process of wire events. */
export const WIRE_PROCESS = "wire";

/** The value of a wire event (`f: "message"`, or `f: "undecoded"` when a stream can no longer be followed). */
export interface WireEventValue {
  readonly channel: "quorum" | "election";
  readonly sender: number;
  readonly receiver: number;
  /** The connection's number on its link: a reconnect is a new one. */
  readonly connection: number;
  /** PROPOSAL, ACK, NEWLEADER, ... NOTIFICATION, HANDSHAKE, SNAPSHOT. */
  readonly type?: string;
  /** epoch:counter, e.g. 0x2:0x1f. */
  readonly zxid?: string;
  readonly size?: number;
  readonly summary?: Readonly<Record<string, string | number>>;
  /** `full` only: the first bytes of the body in hex. */
  readonly head?: string;
  /** What a message fault or wire trigger did to it (drop, delay, duplicate, hold, reset), and whose it was. */
  readonly action?: string;
  readonly by?: string;
  /** Undecoded: the stream offset and why. */
  readonly offset?: number;
  readonly reason?: string;
}

/** A wire event with its value typed. */
export type WireEvent = HistoryEvent & { readonly value: WireEventValue };

/** The wire messages of a history, in order. */
export function wireMessages(events: readonly HistoryEvent[]): WireEvent[] {
  return events.filter(
    (event): event is WireEvent =>
      event.process === WIRE_PROCESS && event.f === "message" && typeof event.value === "object",
  );
}
