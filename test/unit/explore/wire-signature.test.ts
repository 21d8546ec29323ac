import { describe, expect, it } from "vitest";
import { behaviourSignature } from "../../../src/explore/signature.js";
import { wireSequences } from "../../../src/explore/wire-signature.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { eventCounter } from "../../helpers/history.js";

const events = eventCounter();
const log = events.serverLog;
const wire = (
  sender: number,
  receiver: number,
  type: string,
  channel: "quorum" | "election" = "quorum",
  summary: Record<string, string | number> = {},
): HistoryEvent => ({
  index: events.next(),
  time: 0,
  process: "wire",
  type: "info",
  f: "message",
  value: { channel, sender, receiver, connection: 0, type, size: 20, summary },
});

/** Leader `leader` syncs follower `follower` and commits one write; PINGs between. */
const sync = (leader: number, follower: number): HistoryEvent[] => [
  log(leader, "leading"),
  log(follower, "following"),
  wire(follower, leader, "FOLLOWERINFO"),
  wire(leader, follower, "LEADERINFO"),
  wire(follower, leader, "ACKEPOCH"),
  wire(leader, follower, "PING"),
  wire(leader, follower, "DIFF"),
  wire(leader, follower, "NEWLEADER"),
  wire(follower, leader, "ACK"),
  wire(leader, follower, "PING"),
  wire(leader, follower, "UPTODATE"),
];

describe("the wire's signature", () => {
  it("tells each link's messages by the roles of sender and receiver, PINGs folded", () => {
    const sequences = wireSequences(sync(3, 1));
    expect([...sequences.keys()]).toEqual(["quorum:1-3"]);
    expect(sequences.get("quorum:1-3")).toEqual([
      "follower>leader:FOLLOWERINFO",
      "leader>follower:LEADERINFO",
      "follower>leader:ACKEPOCH",
      "leader>follower:DIFF",
      "leader>follower:NEWLEADER",
      "follower>leader:ACK",
      "leader>follower:UPTODATE",
    ]);
  });

  it("reads a sender's role from its own notification before its log says it", () => {
    const events = [
      wire(2, 1, "NOTIFICATION", "election", { state: "LEADING" }),
      wire(1, 2, "NOTIFICATION", "election", { state: "LOOKING" }),
    ];
    expect(wireSequences(events).get("election:1-2")).toEqual([
      "leader>unknown:NOTIFICATION",
      "looking>leader:NOTIFICATION",
    ]);
  });

  it("is the same whichever servers played the roles, and differs when the sync differs", () => {
    const grams = (events: HistoryEvent[]) =>
      [...behaviourSignature(events)].filter((gram) => gram.startsWith("wire|")).sort();
    expect(grams(sync(3, 1))).toEqual(grams(sync(2, 5)));
    expect(grams(sync(3, 1)).length).toBeGreaterThan(0);
    const bySnapshot = sync(3, 1).map((event) =>
      event.process === "wire" && (event.value as { type: string }).type === "DIFF"
        ? { ...event, value: { ...(event.value as object), type: "SNAP" } }
        : event,
    );
    expect(grams(bySnapshot)).not.toEqual(grams(sync(3, 1)));
  });
});
