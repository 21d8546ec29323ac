/** Decodes a whole captured stream at once: the decoders as tests and tools use them on files. */
import { StreamDecoder, type UndecodedAt } from "./stream-decoder.js";
import type { WireMessage } from "./wire-message.js";
import { WIRE_PROTOCOLS } from "./wire-tap.js";

/** What a captured stream decodes to. */
export interface DecodedCapture {
  readonly messages: readonly WireMessage[];
  readonly undecoded?: UndecodedAt;
}

/** Decodes `bytes` as one direction of a `protocol` connection, fed in chunks of `chunk` bytes. */
export function decodeCapture(
  protocol: string,
  bytes: Buffer,
  dialler: boolean,
  chunk = bytes.length,
): DecodedCapture {
  const start = WIRE_PROTOCOLS[protocol];
  if (start === undefined) throw new Error(`no wire protocol '${protocol}'`);
  const messages: WireMessage[] = [];
  const decoder = new StreamDecoder((offset) =>
    start((message) => messages.push(message), offset, dialler),
  );
  for (let at = 0; at < bytes.length; at += Math.max(1, chunk))
    decoder.feed(bytes.subarray(at, at + Math.max(1, chunk)));
  return { messages, ...(decoder.undecoded ? { undecoded: decoder.undecoded } : {}) };
}
