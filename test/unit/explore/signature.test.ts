import { describe, expect, it } from "vitest";
import {
  behaviourSignature,
  behaviourTokens,
  newGrams,
  nGrams,
} from "../../../src/explore/signature.js";
import type { HistoryEvent } from "../../../src/history/event.js";

let index = 0;
const log = (server: number, kind: string): HistoryEvent => ({
  index: index++,
  time: index,
  process: `server-${server}`,
  type: "info",
  f: "log",
  value: { kind, line: `... ${kind}` },
});
const fault = (id: string, kind: string, servers: number[]): HistoryEvent[] => [
  {
    index: index++,
    time: index,
    process: "nemesis",
    type: "invoke",
    f: kind,
    value: { id, spec: { kind } },
  },
  {
    index: index++,
    time: index,
    process: "nemesis",
    type: "info",
    f: kind,
    value: { id, spec: { kind }, servers },
  },
];
const heal = (id: string, kind: string): HistoryEvent => ({
  index: index++,
  time: index,
  process: "nemesis",
  type: "info",
  f: "heal",
  value: { id, kind },
});

/** Three servers elect 1; the leader is killed; 2 leads; 1 comes back and syncs by DIFF. */
const run = (leader: number, next: number, other: number): HistoryEvent[] => [
  log(leader, "leading"),
  log(next, "following"),
  log(other, "following"),
  ...fault("f1", "kill", [leader]),
  log(next, "looking"),
  log(other, "looking"),
  log(next, "leading"),
  log(other, "following"),
  heal("f1", "kill"),
  log(leader, "following"),
  log(leader, "diff-from-leader"),
];

describe("behaviour signature: what happened, by role, not by server id", () => {
  it("tokens carry the role a server had before each line, and faults the role of the server they hit", () => {
    const texts = behaviourTokens(run(1, 2, 3)).map((token) => token.text);
    expect(texts).toEqual([
      "unknown:leading",
      "unknown:following",
      "unknown:following",
      "leader:fault:kill",
      "follower:looking",
      "follower:looking",
      "looking:leading",
      "looking:following",
      "heal:kill",
      "leader:following",
      "follower:diff-from-leader",
    ]);
  });

  it("the same story on other server ids has the same signature (symmetry)", () => {
    expect([...behaviourSignature(run(1, 2, 3))].sort()).toEqual(
      [...behaviourSignature(run(3, 1, 2))].sort(),
    );
  });

  it("a different story has grams the first lacks", () => {
    const first = behaviourSignature(run(1, 2, 3));
    const truncating = [...run(1, 2, 3), log(1, "truncating-log")];
    expect(newGrams(behaviourSignature(truncating), first)).toContain(
      "server|follower:diff-from-leader > follower:truncating-log",
    );
    expect(newGrams(first, first)).toEqual([]);
  });

  it("a fault that failed to start, and heal-all records, say nothing", () => {
    const events: HistoryEvent[] = [
      {
        index: 0,
        time: 0,
        process: "nemesis",
        type: "invoke",
        f: "kill",
        value: { id: "f1", spec: { kind: "kill" } },
      },
      {
        index: 1,
        time: 1,
        process: "nemesis",
        type: "info",
        f: "kill",
        value: { id: "f1", spec: { kind: "kill" }, error: "no leader" },
      },
      { index: 2, time: 2, process: "nemesis", type: "invoke", f: "heal-all", value: {} },
    ];
    expect(behaviourTokens(events)).toEqual([]);
  });

  it("n-grams collapse repeats and go up to n", () => {
    expect(nGrams(["a", "a", "b", "c"], 2).sort()).toEqual(["a", "a > b", "b", "b > c", "c"]);
  });
});
