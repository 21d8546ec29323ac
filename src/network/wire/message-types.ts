/** Which peer channel carries each message type a decoder reports: what a rule or a trigger may name. */
import { ZAB_MESSAGE_NAMES } from "./zab-packets.js";

/** The two peer channels: Zab on the quorum port, Fast Leader Election on the election port. */
export type WireChannel = "quorum" | "election";

/** Every message type by the channel that carries it. */
export const WIRE_MESSAGE_CHANNELS: ReadonlyMap<string, WireChannel> = new Map<string, WireChannel>(
  [
    ...ZAB_MESSAGE_NAMES.map((name) => [name, "quorum"] as const),
    // The snapshot stream that follows SNAP, decoded as one message.
    ["SNAPSHOT", "quorum"],
    ["HANDSHAKE", "election"],
    ["NOTIFICATION", "election"],
  ],
);

/**
 * The one channel that carries all of `types`, or why there is none: an
 * unknown type (naming the known ones), or types of both channels.
 */
export function channelOfTypes(types: readonly string[]): WireChannel | string {
  const channels = new Set<WireChannel>();
  for (const type of types) {
    const channel = WIRE_MESSAGE_CHANNELS.get(type);
    if (channel === undefined)
      return `'${type}' is no message type; known: ${[...WIRE_MESSAGE_CHANNELS.keys()].join(", ")}`;
    channels.add(channel);
  }
  if (channels.size > 1)
    return `${types.join(", ")} cross both the quorum and the election port: match the types of one`;
  return [...channels][0] ?? "quorum";
}
