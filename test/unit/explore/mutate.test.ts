import { describe, expect, it } from "vitest";
import {
  candidateScenario,
  type ExploreCandidate,
  faultStartMs,
} from "../../../src/explore/candidate.js";
import { MUTATIONS, type MutationContext, mutate } from "../../../src/explore/mutate.js";
import {
  candidateArbitrary,
  drawWith,
  explorableKinds,
  observedMoments,
} from "../../../src/explore/vocabulary.js";

const context: MutationContext = {
  nodes: 3,
  provider: "local",
  maxDurationMs: 15_000,
  maxFaults: 3,
  kinds: [
    "kill",
    "pause",
    "isolate",
    "partition",
    "latency",
    "slow-fsync",
    "one-way",
    "corrupt",
    "starve",
  ],
};

const base: ExploreCandidate = {
  nodes: 3,
  durationMs: 12_000,
  workload: { workers: 4, rate: 20, registers: 3 },
  faults: [
    { id: "x1", atMs: 2000, forMs: 3000, spec: { kind: "kill", target: "leader" } },
    {
      id: "x2",
      atMs: 6000,
      forMs: 2000,
      spec: { kind: "pause", target: { "same-as": "x1" } },
      when: { state: "new-leader-serving", delayMs: 100 },
    },
  ],
};

const target = { provider: "local" as const, zookeeperVersion: "3.8.0" };

describe("explore mutations", () => {
  it("the same seed makes the same mutation; another seed another one somewhere", () => {
    expect(mutate(base, context, 42)).toEqual(mutate(base, context, 42));
    const made = new Set(Array.from({ length: 40 }, (_, seed) => mutate(base, context, seed).how));
    expect(made.size).toBeGreaterThan(5);
  });

  it("every mutation of every seed is a scenario the schema accepts", () => {
    for (let seed = 0; seed < 60; seed++) {
      const { candidate, how } = mutate(base, context, seed);
      expect(() => candidateScenario(candidate, "m", how, target), how).not.toThrow();
      expect(candidate.faults.length).toBeGreaterThanOrEqual(1);
      expect(candidate.faults.length).toBeLessThanOrEqual(context.maxFaults);
    }
  });

  it("dropping a fault drops the faults that name it, and never the last one", () => {
    // x2 targets same-as x1: dropping x1 would leave nothing, so only x2 can go.
    for (let seed = 0; seed < 20; seed++)
      expect(
        drawWith(MUTATIONS.drop.arbitrary(base), seed).faults.map((fault) => fault.id),
      ).toEqual(["x1"]);
    const named: ExploreCandidate = {
      ...base,
      faults: [
        ...base.faults,
        { id: "x3", atMs: 9000, forMs: 1000, spec: { kind: "latency", latency: 50, jitter: 0 } },
      ],
    };
    const kept = new Set(
      Array.from({ length: 30 }, (_, seed) =>
        drawWith(MUTATIONS.drop.arbitrary(named), seed)
          .faults.map((fault) => fault.id)
          .join(","),
      ),
    );
    expect([...kept].sort()).toEqual(["x1,x2", "x1,x3", "x3"]);
  });

  it("chains a fault after another without closing a loop, and unchains it at the same moment", () => {
    // x2 follows x1 (so x1 may not follow x2); x3 may follow either.
    const chained: ExploreCandidate = {
      ...base,
      faults: [
        { id: "x1", atMs: 2000, forMs: 3000, spec: { kind: "kill", target: 3 } },
        { id: "x2", atMs: 1500, forMs: 2000, spec: { kind: "kill", target: 2 }, after: "x1" },
        { id: "x3", atMs: 8000, forMs: 1000, spec: { kind: "kill", target: 1 } },
      ],
    };
    const links = new Set<string>();
    for (let seed = 0; seed < 80; seed++) {
      const next = drawWith(MUTATIONS.chain.arbitrary(chained), seed);
      const afters = next.faults.map((fault) => `${fault.id}>${fault.after ?? ""}`).join(" ");
      links.add(afters);
      expect(afters).not.toMatch(/x1>x2.*x2>x1/);
      const moved = next.faults.find((fault, at) => fault !== chained.faults[at]);
      expect(moved?.atMs).toBeLessThanOrEqual(3000);
      // The scenario file says it the same way: `after` and a time from that fault's start.
      const scenario = candidateScenario(next, "c", "chain", target);
      expect(scenario.faults.map((fault) => fault.after)).toEqual(
        next.faults.map((fault) => fault.after),
      );
    }
    expect([...links].sort()).toEqual([
      "x1> x2>x1 x3>x1",
      "x1> x2>x1 x3>x2",
      "x1> x2>x3 x3>",
      "x1>x3 x2>x1 x3>",
    ]);
    expect(faultStartMs(chained, chained.faults[1] as ExploreCandidate["faults"][number])).toBe(
      3500,
    );
    const unchained = drawWith(MUTATIONS.unchain.arbitrary(chained), 1);
    expect(unchained.faults[1]).toEqual({
      id: "x2",
      atMs: 3500,
      forMs: 2000,
      spec: { kind: "kill", target: 2 },
    });
    expect(MUTATIONS.unchain.applies(unchained)).toBe(false);
  });

  it("an added fault often follows one already there; the same seed adds the same", () => {
    const added = Array.from(
      { length: 60 },
      (_, seed) => drawWith(MUTATIONS.add.arbitrary(base, context), seed).faults[2],
    );
    const following = added.filter((fault) => fault?.after !== undefined);
    expect(following.length).toBeGreaterThan(8);
    expect(following.length).toBeLessThan(40);
    for (const fault of following) {
      expect(["x1", "x2"]).toContain(fault?.after);
      expect(fault?.atMs).toBeLessThanOrEqual(3000);
    }
    expect(drawWith(MUTATIONS.add.arbitrary(base, context), 7)).toEqual(
      drawWith(MUTATIONS.add.arbitrary(base, context), 7),
    );
  });

  it("message faults are drawn with a match a sender of that side sends, and write a scenario that reads back the same", () => {
    const kinds = ["drop-message", "delay-message", "duplicate-message", "hold-message"] as const;
    const wired = { ...target, wire: "summary" as const };
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const candidate = drawWith(candidateArbitrary(kinds, { ...context, maxFaults: 1 }), seed);
      const spec = candidate.faults[0]?.spec as {
        kind: string;
        match: { types: string[]; from: string };
      };
      seen.add(spec.kind);
      const scenario = candidateScenario(candidate, "m", "", wired);
      // Back from the YAML: the same match, its link included.
      expect(scenario.faults[0]?.fault).toEqual(spec);
      const type = spec.match.types[0] as string;
      if (["PROPOSAL", "COMMIT", "NEWLEADER", "UPTODATE"].includes(type))
        expect(spec.match.from).toBe("leader");
      if (["ACK", "ACKEPOCH", "FOLLOWERINFO", "REQUEST"].includes(type))
        expect(spec.match.from).toBe("follower");
    }
    expect([...seen].sort()).toEqual([...kinds].sort());
  });

  it("with the wire recorded a trigger may wait for a peer message (the sender is the logged server); without it, never", () => {
    const wired = { ...target, wire: "summary" as const };
    const onWire: ExploreCandidate["faults"][number][] = [];
    for (let seed = 0; seed < 120; seed++) {
      const candidate = drawWith(candidateArbitrary(["kill"], { ...context, wire: true }), seed);
      const scenario = candidateScenario(candidate, "w", "", wired);
      candidate.faults.forEach((fault, at) => {
        if (fault.when?.wire === undefined) return;
        onWire.push(fault);
        // Back from the YAML: the same message, the same sending side.
        expect(scenario.faults[at]?.when?.wire).toEqual(fault.when.wire);
      });
      for (const fault of drawWith(candidateArbitrary(["kill"], context), seed).faults)
        expect(fault.when?.wire).toBeUndefined();
    }
    expect(onWire.length).toBeGreaterThan(5);
    expect(onWire.some((fault) => (fault.spec as { target: unknown }).target === "logged")).toBe(
      true,
    );
    // Taking the trigger away leaves no fault aimed at a "logged" server nothing names.
    for (let seed = 0; seed < 40; seed++) {
      const triggered = drawWith(
        MUTATIONS.trigger.arbitrary(base, { ...context, wire: true }),
        seed,
      );
      for (const fault of triggered.faults)
        if ((fault.spec as { target?: unknown }).target === "logged")
          expect(fault.when?.log ?? fault.when?.wire).toBeDefined();
    }
  });

  it("a target may name other faults (same server, or one none of them hit), never itself or a loop", () => {
    const named = (fault: ExploreCandidate["faults"][number]) => {
      const target = (fault.spec as { target?: unknown }).target;
      if (typeof target !== "object" || target === null) return [];
      const { "same-as": same, "other-than": others } = target as {
        "same-as"?: string;
        "other-than"?: string[];
      };
      return same !== undefined ? [same] : (others ?? []);
    };
    const seen = new Set<string>();
    for (let seed = 0; seed < 80; seed++) {
      const fresh = drawWith(candidateArbitrary(["kill"], { ...context, maxFaults: 4 }), seed);
      fresh.faults.forEach((fault, at) => {
        // Only the faults drawn before it.
        for (const id of named(fault))
          expect(fresh.faults.slice(0, at).map((f) => f.id)).toContain(id);
        const target = (fault.spec as { target?: unknown }).target;
        if (typeof target === "object" && target !== null)
          seen.add(Object.keys(target)[0] as string);
      });
      for (const how of ["retarget", "change-kind"] as const) {
        const next = drawWith(MUTATIONS[how].arbitrary(base, context), seed);
        for (const fault of next.faults) {
          expect(named(fault)).not.toContain(fault.id);
          for (const id of named(fault))
            expect(
              named(next.faults.find((f) => f.id === id) as (typeof next.faults)[number]),
            ).not.toContain(fault.id);
        }
      }
    }
    expect([...seen].sort()).toEqual(["other-than", "same-as"]);
  });

  it("reads the parent's peer-message moments from its grams and strikes at them (at-moment)", () => {
    const grams = [
      "wire|leader>follower:NEWLEADER > follower>leader:ACK",
      "wire|follower>leader:ACK > leader>follower:UPTODATE",
      "wire|leader>follower:PROPOSAL > leader>follower:PROPOSAL",
      "wire|looking>follower:NOTIFICATION > follower>looking:NOTIFICATION",
      "wire|leader>follower:NEWLEADER",
      "log|follower:newleader > follower:uptodate",
    ];
    const moments = observedMoments(grams);
    // Election traffic, repeats of one type, 1-grams and log grams say no message moment.
    expect(moments).toEqual([
      { types: ["ACK"], after: "NEWLEADER", from: "follower", to: "leader" },
      { types: ["UPTODATE"], after: "ACK", from: "leader", to: "follower" },
    ]);
    const wired = { ...context, wire: true, moments };
    expect(MUTATIONS["at-moment"].applies(base, wired)).toBe(true);
    expect(MUTATIONS["at-moment"].applies(base, { ...wired, moments: [] })).toBe(false);
    expect(MUTATIONS["at-moment"].applies(base, { ...wired, wire: false })).toBe(false);
    let chained = 0;
    for (let seed = 0; seed < 60; seed++) {
      const next = drawWith(MUTATIONS["at-moment"].arbitrary(base, wired), seed);
      const struck = next.faults[2];
      expect(moments).toContainEqual(struck?.when?.wire);
      if (struck?.after !== undefined) {
        chained++;
        expect(["x1", "x2"]).toContain(struck.after);
        expect(struck.atMs).toBe(0);
      }
      expect(() =>
        candidateScenario(next, "m", "at-moment", { ...target, wire: "summary" }),
      ).not.toThrow();
    }
    expect(chained).toBeGreaterThan(15);
  });

  it("without the wire, message faults are left out, saying why", () => {
    const { kinds, skipped } = explorableKinds("local", ["kill", "delay-message"], false);
    expect(kinds).toEqual(["kill"]);
    expect(skipped["delay-message"]).toMatch(/needs the wire/);
    expect(explorableKinds("local", ["kill", "delay-message"], true).kinds).toEqual([
      "kill",
      "delay-message",
    ]);
  });

  it("fresh candidates are valid scenarios within the bounds", () => {
    for (let seed = 0; seed < 30; seed++) {
      const candidate = drawWith(candidateArbitrary(context.kinds, context), seed);
      expect(candidate.durationMs).toBeLessThanOrEqual(context.maxDurationMs);
      expect(candidate.faults.length).toBeGreaterThanOrEqual(1);
      expect(() => candidateScenario(candidate, "fresh", "", target)).not.toThrow();
    }
  });
});
