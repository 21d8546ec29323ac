import { describe, expect, it } from "vitest";
import { TriggerArming } from "../../../src/faults/triggers.js";
import { matchProblem, messageStreams } from "../../../src/network/message-streams.js";
import {
  parseMessageRule,
  RuleBudgets,
  ruleMatches,
} from "../../../src/network/wire/message-rule.js";
import { channelOfTypes } from "../../../src/network/wire/message-types.js";
import { withWire } from "../../../src/runner/run-matrix.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

const key = (stream: { channel: string; dialler: number; dialled: number; stream: string }) =>
  `${stream.channel} ${stream.dialler}->${stream.dialled} ${stream.stream}`;

describe("which proxy streams carry a message", () => {
  it("a message from 3 crosses 3's own dials upstream and the others' dials to 3 downstream", () => {
    expect(messageStreams([1, 2, 3], { types: ["ACK"], from: 3 }).map(key)).toEqual([
      "quorum 1->3 downstream",
      "quorum 2->3 downstream",
      "quorum 3->1 upstream",
      "quorum 3->2 upstream",
    ]);
  });

  it("roles come from the quorum port itself: learners dial, the leader's messages run downstream", () => {
    expect(messageStreams([1, 2], { types: ["COMMIT"], from: "leader" }).map(key)).toEqual([
      "quorum 1->2 downstream",
      "quorum 2->1 downstream",
    ]);
    expect(messageStreams([1, 2, 3], { types: ["ACK"], from: "follower", to: 1 }).map(key)).toEqual(
      ["quorum 2->1 upstream", "quorum 3->1 upstream"],
    );
    // Election messages cross the election port, both ways between any two.
    expect(messageStreams([1, 2], { types: ["NOTIFICATION"], to: 2 }).map(key)).toEqual([
      "election 1->2 upstream",
      "election 2->1 downstream",
    ]);
  });

  it("names what is wrong with a match", () => {
    expect(channelOfTypes(["ACK", "COMMIT"])).toBe("quorum");
    expect(matchProblem({ types: ["ACKK"] })).toMatch(/'ACKK' is no message type; known: .*ACK/);
    expect(matchProblem({ types: ["ACK", "NOTIFICATION"] })).toMatch(
      /both the quorum and the election port/,
    );
    expect(matchProblem({ types: ["ACK"], after: "NOTIFICATION" })).toMatch(/both/);
    expect(matchProblem({ types: ["NOTIFICATION"], from: "leader" })).toMatch(
      /election messages have no leader or follower side/,
    );
    expect(matchProblem({ types: ["ACK"], from: 2, to: 2 })).toMatch(/two servers/);
    expect(matchProblem({ types: ["ACK"], after: "NEWLEADER", from: 3 })).toBeUndefined();
  });
});

describe("message rules", () => {
  it("match by type and by a type seen before on the connection; budgets run out, shared by group", () => {
    const rule = parseMessageRule({ types: ["ACK"], after: "NEWLEADER", action: "hold", count: 1 });
    expect(ruleMatches(rule, "ACK", new Set(["ACKEPOCH"]))).toBe(false);
    expect(ruleMatches(rule, "ACK", new Set(["NEWLEADER"]))).toBe(true);
    expect(ruleMatches(rule, "COMMIT", new Set(["NEWLEADER"]))).toBe(false);
    expect(ruleMatches(parseMessageRule({ action: "drop" }), "PING", new Set())).toBe(true);
    const budgets = new RuleBudgets();
    expect([budgets.take("g", 2), budgets.take("g", 2), budgets.take("g", 2)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(budgets.take("other", 0)).toBe(true);
    expect(() => parseMessageRule({ action: "drop", count: -1 })).toThrow(
      /message.count must be a whole number/,
    );
    expect(() => parseMessageRule({ action: "drop", types: "ACK" })).toThrow(
      /list of message types/,
    );
  });
});

const scenario = (faults: string, network = "") =>
  parseScenario(`name: m\nnodes: [3]\nduration: 10s\n${network}faults:\n${faults}`, "m.yaml");

describe("message faults and wire triggers in a scenario", () => {
  it("parse into a match (type list, after, link ends), and switch the wire on", () => {
    const parsed = scenario(
      "  - { at: 1s, for: 2s, fault: { kind: drop-message, match: { type: COMMIT, after: NEWLEADER }, link: { from: leader, to: 3 }, count: 2 } }\n" +
        "  - { id: t, at: 1s, for: 1s, when: { wire: { type: [ACK], after: NEWLEADER, from: follower } }, fault: { kind: kill, target: logged } }\n",
    );
    const plan = planRun(parsed, 3, 1);
    expect(plan.wire).toBe("summary");
    expect(plan.schedule[0]?.spec).toEqual({
      kind: "drop-message",
      match: { types: ["COMMIT"], after: "NEWLEADER", from: "leader", to: 3 },
      count: 2,
    });
    expect(plan.schedule[1]?.when).toEqual({
      wire: { types: ["ACK"], after: "NEWLEADER", from: "follower" },
    });
    // --wire full is kept; --wire off is refused, naming the faults that need it.
    expect(withWire(plan, "full").wire).toBe("full");
    expect(() => withWire(plan, "off")).toThrow(/f1, t act on single peer messages.*--wire off/);
  });

  it("are refused with the reason: unknown type, mixed channels, wire off, a trigger with two conditions", () => {
    expect(() =>
      scenario("  - { at: 1s, fault: { kind: hold-message, match: { type: ACKK } } }\n"),
    ).toThrow(/'ACKK' is no message type/);
    expect(() =>
      scenario(
        "  - { at: 1s, fault: { kind: duplicate-message, match: { type: [ACK, NOTIFICATION] } } }\n",
      ),
    ).toThrow(/both the quorum and the election port/);
    expect(() =>
      planRun(
        scenario(
          "  - { at: 1s, fault: { kind: delay-message, delay: 200ms, match: { type: PROPOSAL } } }\n",
          "network: { wire: off }\n",
        ),
        3,
        1,
      ),
    ).toThrow(
      /scenario m: f1 acts on single peer messages, which needs the wire: drop network.wire: off/,
    );
    expect(() =>
      scenario("  - { at: 1s, when: { log: x, wire: { type: ACK } }, fault: { kind: kill } }\n"),
    ).toThrow(/one of: a log pattern, a state, or a wire message/);
    expect(() =>
      scenario("  - { at: 1s, when: { server: 2, wire: { type: ACK } }, fault: { kind: kill } }\n"),
    ).toThrow(/wire.from and wire.to, not server/);
  });
});

describe("a wire trigger", () => {
  it("arms its hold at its time, fires on its held message with the sender as `logged`, and releases after the fault started", async () => {
    const calls: string[] = [];
    let hear: ((held: { owner: string; sender: number; description: string }) => void) | undefined;
    const arming = new TriggerArming({
      items: [
        {
          id: "t",
          at: 0,
          durationMs: 0,
          spec: { kind: "kill", target: "logged" },
          when: { wire: { types: ["ACK"], after: "NEWLEADER" } },
        },
      ],
      startedAt: performance.now(),
      wire: {
        arm: async (id, match) => {
          calls.push(`arm ${id} ${match.types.join(",")} after ${match.after}`);
        },
        disarm: async (id) => {
          calls.push(`disarm ${id}`);
        },
        subscribe: (listener) => {
          hear = listener;
          return () => calls.push("unsubscribed");
        },
      },
      fire: async (item, server, line) => {
        calls.push(`fire ${item.id} on ${server}: ${line}`);
      },
      heal: async (id) => {
        calls.push(`heal ${id}`);
      },
      log: (line) => calls.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toEqual(["arm t ACK after NEWLEADER"]);
    hear?.({ owner: "other", sender: 2, description: "not ours" });
    hear?.({ owner: "t", sender: 3, description: "ACK 3 -> 1" });
    hear?.({ owner: "t", sender: 2, description: "a second one" });
    await arming.settled();
    arming.close();
    expect(calls).toEqual([
      "arm t ACK after NEWLEADER",
      "fire t on 3: ACK 3 -> 1",
      "disarm t",
      "heal t",
      "unsubscribed",
    ]);
  });
});
