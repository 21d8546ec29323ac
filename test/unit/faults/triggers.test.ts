import { describe, expect, it } from "vitest";
import type { ServerLogLine } from "../../../src/ensemble/ensemble.js";
import type { ScheduledFault } from "../../../src/faults/fault-spec.js";
import { lineMatches, TriggerArming } from "../../../src/faults/triggers.js";
import { classifyServerLogLine, loggedAt } from "../../../src/history/server-log.js";

const NEWLEADER =
  "2026-11-29 13:39:07,457 [myid:] INFO  [QuorumPeer[myid=3](plain=127.0.0.1:24198)(secure=disabled):Learner] - Learner received NEWLEADER message";

describe("server log lines", () => {
  it("classifies the key moments every release logs, and nothing else", () => {
    expect(classifyServerLogLine(NEWLEADER)).toBe("newleader-received");
    expect(
      classifyServerLogLine(
        "2026-11-29 13:44:24,810 [myid:1] INFO  [QuorumPeer[myid=1]/127.0.0.1:25975:QuorumPeer@738] - FOLLOWING",
      ),
    ).toBe("following");
    expect(classifyServerLogLine("... - LEADING")).toBe("leading");
    expect(classifyServerLogLine("... - FOLLOWING - LEADER ELECTION TOOK - 251")).toBeUndefined();
    expect(classifyServerLogLine("... Truncating log to get in sync with the leader 0x2")).toBe(
      "truncating-log",
    );
    expect(classifyServerLogLine("... Sending TRUNC zxid=0x3 for peer sid: 2")).toBe(
      "sending-trunc",
    );
    expect(classifyServerLogLine("... Notification: my state:LOOKING; n.sid:1")).toBeUndefined();
    expect(loggedAt(NEWLEADER)).toBe("2026-11-29 13:39:07,457");
  });

  it("a trigger matches its pattern, its server (id or role as last logged) and its state", () => {
    const newleader = { log: "Learner received NEWLEADER" } as const;
    expect(lineMatches(newleader, /Learner received NEWLEADER/, NEWLEADER, 3, undefined)).toBe(
      true,
    );
    expect(
      lineMatches(
        { ...newleader, server: 2 },
        /Learner received NEWLEADER/,
        NEWLEADER,
        3,
        undefined,
      ),
    ).toBe(false);
    expect(
      lineMatches(
        { ...newleader, server: "follower" },
        /Learner received NEWLEADER/,
        NEWLEADER,
        3,
        "follower",
      ),
    ).toBe(true);
    expect(
      lineMatches(
        { ...newleader, server: "leader" },
        /Learner received NEWLEADER/,
        NEWLEADER,
        3,
        "follower",
      ),
    ).toBe(false);
    expect(lineMatches({ state: "server-synced" }, undefined, NEWLEADER, 3, undefined)).toBe(false);
    expect(
      lineMatches(
        { state: "server-synced" },
        undefined,
        "x - Learner received UPTODATE message",
        3,
        undefined,
      ),
    ).toBe(true);
  });
});

describe("trigger arming", () => {
  const line = (server: number, text: string): ServerLogLine => ({
    server,
    line: text,
    receivedMs: performance.now(),
  });

  it("fires once on the first matching line after arming, then the faults after it, and heals each", async () => {
    let listener: ((line: ServerLogLine) => void) | undefined;
    const fired: string[] = [];
    const healed: string[] = [];
    const items: ScheduledFault[] = [
      {
        id: "t",
        at: 0,
        durationMs: 5,
        spec: { kind: "kill", target: "logged" },
        when: { log: "NEWLEADER", server: 3 },
      },
      { id: "next", at: 10, durationMs: 0, spec: { kind: "kill", target: 1 }, after: "t" },
    ];
    const arming = new TriggerArming({
      items,
      startedAt: performance.now(),
      subscribe: (each) => {
        listener = each;
        return () => {
          listener = undefined;
        };
      },
      fire: async (item, logged) => {
        fired.push(`${item.id}@${logged ?? "-"}`);
      },
      heal: async (id) => {
        healed.push(id);
      },
      log: () => {},
    });
    listener?.(line(2, NEWLEADER));
    listener?.(line(3, "an unrelated line"));
    listener?.(line(3, NEWLEADER));
    listener?.(line(3, NEWLEADER));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await arming.settled();
    expect(fired).toEqual(["t@3", "next@-"]);
    expect(healed.sort()).toEqual(["next", "t"]);
    expect(arming.unfired()).toEqual([]);
    arming.close();
    expect(listener).toBeUndefined();
  });

  it("a trigger whose line never comes stays unfired and is disarmed on close", async () => {
    const arming = new TriggerArming({
      items: [
        {
          id: "never",
          at: 0,
          durationMs: 0,
          spec: { kind: "kill" },
          when: { state: "leader-changed" },
        },
      ],
      startedAt: performance.now(),
      subscribe: () => () => {},
      fire: async () => {
        throw new Error("must not fire");
      },
      heal: async () => {},
      log: () => {},
    });
    await arming.settled();
    expect(arming.unfired()).toEqual(["never"]);
    arming.close();
  });
});
