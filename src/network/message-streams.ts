/**
 * Which proxy streams carry the peer messages a match names. A message from A
 * to B crosses the proxy A dials B through (its upstream) or the one B dials
 * A through (its downstream). On the quorum port learners dial the leader, so
 * the wire itself says who leads: the leader's messages run downstream.
 */
import type { Stream } from "./toxiproxy/model.js";
import { channelOfTypes, type WireChannel } from "./wire/message-types.js";

/** One end of a peer message: any server, the quorum port's leader or learner side, or a server id. */
export type WireParty = "any" | "leader" | "follower" | number;

/** Which peer messages a message fault or a wire trigger takes. */
export interface MessageMatch {
  /** Message types (PROPOSAL, ACK, COMMIT, NEWLEADER, NOTIFICATION, ...), all of one channel. */
  readonly types: readonly string[];
  /** Only once a message of this type crossed the same connection (either way). */
  readonly after?: string;
  readonly from?: WireParty;
  readonly to?: WireParty;
}

/** A proxy stream: the proxy of `dialler` -> `dialled` on a channel, one direction. */
export interface MessageStream {
  readonly channel: WireChannel;
  readonly dialler: number;
  readonly dialled: number;
  readonly stream: Stream;
}

/** Why a match cannot be, if it cannot (for the scenario loader's errors). */
export function matchProblem(match: MessageMatch): string | undefined {
  if (match.types.length === 0) return "name at least one message type";
  const channel = channelOfTypes([...match.types, ...(match.after ? [match.after] : [])]);
  if (channel !== "quorum" && channel !== "election") return channel;
  const roles = [match.from, match.to].filter(
    (party) => party === "leader" || party === "follower",
  );
  if (channel === "election" && roles.length > 0)
    return "election messages have no leader or follower side: name server ids or any";
  if (typeof match.from === "number" && match.from === match.to)
    return "a message's sender and receiver are two servers";
  return undefined;
}

function partyIs(party: WireParty | undefined, id: number, leads: boolean): boolean {
  if (party === undefined || party === "any") return true;
  if (party === "leader") return leads;
  if (party === "follower") return !leads;
  return party === id;
}

/** The streams of an ensemble of `ids` that carry the messages `match` names. */
export function messageStreams(ids: readonly number[], match: MessageMatch): MessageStream[] {
  const channel = channelOfTypes(match.types);
  if (channel !== "quorum" && channel !== "election") throw new Error(channel);
  const streams: MessageStream[] = [];
  for (const dialler of ids)
    for (const dialled of ids) {
      if (dialler === dialled) continue;
      for (const stream of ["upstream", "downstream"] as const) {
        const [sender, receiver] = stream === "upstream" ? [dialler, dialled] : [dialled, dialler];
        // Quorum roles: the dialled side leads. (Election links have none: matchProblem refuses roles there.)
        const senderLeads = stream === "downstream";
        if (!partyIs(match.from, sender, senderLeads)) continue;
        if (!partyIs(match.to, receiver, !senderLeads)) continue;
        streams.push({ channel, dialler, dialled, stream });
      }
    }
  return streams;
}
