import { describe, expect, it } from "vitest";
import {
  candidateDocument,
  candidateScenario,
  type ExploreCandidate,
} from "../../../src/explore/candidate.js";
import { drawWith, specArbitrary } from "../../../src/explore/vocabulary.js";

const candidate: ExploreCandidate = {
  nodes: 3,
  durationMs: 6000,
  workload: { workers: 4, rate: 10, registers: 3, connect: "one", sessionOps: 8 },
  faults: [
    { id: "f1", atMs: 1000, forMs: 2000, spec: { kind: "kill", target: "leader" } } as never,
  ],
};

describe("explore's candidates as scenarios", () => {
  it("run the register workload by default, with session restarts as a role", () => {
    const document = candidateDocument(candidate, "c", "d", { provider: "local" });
    expect(document.workload).toEqual({
      kind: "registers",
      workers: 4,
      rate: 10,
      registers: 3,
      connect: "one",
      roles: [{ workers: 4, sessionOps: 8 }],
    });
    expect(document.checkers).toContain("transactions");
  });

  it("write a clock jump as a scenario that reads back the same jump, for every drawn offset", () => {
    for (let seed = 0; seed < 20; seed++) {
      const spec = drawWith(specArbitrary(["clock"], 3), seed);
      const jump = { ...candidate, faults: [{ id: "c1", atMs: 1000, forMs: 2000, spec }] };
      const scenario = candidateScenario(jump, "c", "d", { provider: "local" });
      expect(scenario.faults[0]?.fault, JSON.stringify(spec)).toEqual(spec);
    }
  });

  it("run the transactions workload when asked: the drawn register count as keys, no register roles, a valid scenario", () => {
    const target = { provider: "local", workload: "transactions" } as const;
    expect(candidateDocument(candidate, "c", "d", target).workload).toEqual({
      kind: "transactions",
      workers: 4,
      rate: 10,
      keys: 3,
      connect: "one",
    });
    const scenario = candidateScenario(candidate, "c", "d", target);
    expect(scenario.workload.kind).toBe("transactions");
    expect(scenario.checkers).toContain("transactions");
  });
});
