import { describe, expect, it } from "vitest";
import type { ExploreCandidate } from "../../../src/explore/candidate.js";
import { type ReproductionRate, shrink, shrinkProposals } from "../../../src/explore/shrink.js";

const finding: ExploreCandidate = {
  nodes: 5,
  durationMs: 20_000,
  workload: { workers: 8, rate: 40, registers: 3 },
  faults: [
    { id: "x1", atMs: 1000, forMs: 4000, spec: { kind: "latency", latency: 100, jitter: 0 } },
    { id: "x2", atMs: 3000, forMs: 6000, spec: { kind: "kill", target: "leader" } },
    { id: "x3", atMs: 9000, forMs: 2000, spec: { kind: "pause", target: { "same-as": "x2" } } },
  ],
};

describe("shrinking a finding", () => {
  it("proposes dropping each fault (with those naming it), halving windows, a shorter run, less load, fewer servers", () => {
    const hows = shrinkProposals(finding).map((proposal) => proposal.how);
    expect(hows).toEqual([
      "drop x1 (latency)",
      "drop x2 (kill)",
      "drop x3 (pause)",
      "x1 for 2000 ms instead of 4000",
      "x2 for 3000 ms instead of 6000",
      "x3 for 1000 ms instead of 2000",
      "run 14000 ms instead of 20000",
      "4 worker(s) instead of 8",
      "rate 20/s instead of 40/s",
      "3 servers instead of 5",
    ]);
    const dropKill = shrinkProposals(finding)[1]?.candidate;
    expect(dropKill?.faults.map((fault) => fault.id)).toEqual(["x1"]);
  });

  it("dropping a fault another is timed after keeps that one's moment; the run ends after the chain", () => {
    // The shape of the NEWLEADER loss: a lag, a second crash, a kill after it, the source after that.
    const chain: ExploreCandidate = {
      ...finding,
      nodes: 3,
      faults: [
        { id: "lag", atMs: 2000, forMs: 4000, spec: { kind: "kill", target: 3 } },
        { id: "second", atMs: 5000, forMs: 9000, spec: { kind: "kill", target: 2 } },
        {
          id: "crash",
          atMs: 0,
          forMs: 7000,
          spec: { kind: "kill", target: "logged" },
          when: { log: "Learner received NEWLEADER", server: "follower", delayMs: 50 },
          after: "second",
        },
        {
          id: "source",
          atMs: 300,
          forMs: 9000,
          spec: { kind: "kill", target: { "other-than": ["second", "crash"] } },
          after: "crash",
        },
      ],
    };
    const proposals = shrinkProposals(chain);
    // Chained from the run's start: 5 s + 0 + 300 ms, for 9 s; then the recovery tail.
    expect(proposals.map((proposal) => proposal.how)).toContain("run 17300 ms instead of 20000");
    const dropCrash = proposals.find((proposal) => proposal.how === "drop crash (kill)");
    // `source` names crash in its target, so it goes with it.
    expect(dropCrash?.candidate.faults.map((fault) => fault.id)).toEqual(["lag", "second"]);
    const dropSecond = proposals.find((proposal) => proposal.how === "drop second (kill)");
    // crash was armed at second's start (5 s): it keeps that moment, timed from the run's start;
    // source's target named second and goes.
    expect(dropSecond?.candidate.faults).toEqual([
      chain.faults[0],
      {
        id: "crash",
        atMs: 5000,
        forMs: 7000,
        spec: { kind: "kill", target: "logged" },
        when: { log: "Learner received NEWLEADER", server: "follower", delayMs: 50 },
      },
    ]);
  });

  it("keeps only what still shows the anomaly, down to the smallest such candidate", async () => {
    // The anomaly needs the kill of the leader for at least 1.5 s, on any size, with any load.
    const shows = (candidate: ExploreCandidate) =>
      candidate.faults.some((fault) => fault.spec.kind === "kill" && fault.forMs >= 1500);
    const tried: string[] = [];
    const { candidate, steps } = await shrink(finding, {
      maxTrials: 200,
      reproduces: async (each) => {
        tried.push(JSON.stringify(each));
        return { reproduced: shows(each) ? 3 : 0, of: 3 };
      },
    });
    expect(candidate.faults).toEqual([
      { id: "x2", atMs: 3000, forMs: 1500, spec: { kind: "kill", target: "leader" } },
    ]);
    expect(candidate.nodes).toBe(3);
    expect(candidate.workload.workers).toBe(1);
    expect(candidate.workload.rate).toBe(5);
    expect(candidate.durationMs).toBe(7500);
    expect(steps.filter((step) => step.kept).length).toBeGreaterThan(5);
    expect(steps.some((step) => !step.kept)).toBe(true);
    // Deterministic: the same finding and answers give the same steps.
    const again = await shrink(finding, {
      maxTrials: 200,
      reproduces: async (each) => ({ reproduced: shows(each) ? 3 : 0, of: 3 }),
    });
    expect(again.steps).toEqual(steps);
  });

  it("a step seen once in its runs is run again and kept only when seen twice", async () => {
    // Dropping x1 shows the anomaly 1/2 then 0/2 (luck: not kept); dropping x2, 1/2 then 1/2 (kept).
    const answers = new Map<string, ReproductionRate[]>([
      [
        "drop x1 (latency)",
        [
          { reproduced: 1, of: 2 },
          { reproduced: 0, of: 2 },
        ],
      ],
      [
        "drop x2 (kill)",
        [
          { reproduced: 1, of: 2 },
          { reproduced: 1, of: 2 },
        ],
      ],
    ]);
    const hows = new Map(
      shrinkProposals(finding).map((proposal) => [
        JSON.stringify(proposal.candidate),
        proposal.how,
      ]),
    );
    const { candidate, steps } = await shrink(finding, {
      maxTrials: 4,
      reproduces: async (each) =>
        answers.get(hows.get(JSON.stringify(each)) ?? "")?.shift() ?? { reproduced: 0, of: 2 },
    });
    expect(steps).toEqual([
      { how: "drop x1 (latency)", kept: false, rate: { reproduced: 1, of: 4 } },
      { how: "drop x2 (kill)", kept: true, rate: { reproduced: 2, of: 4 } },
    ]);
    // x3 named x2 (same-as) and went with it.
    expect(candidate.faults.map((fault) => fault.id)).toEqual(["x1"]);
  });

  it("stops at its trial budget", async () => {
    let runs = 0;
    await shrink(finding, {
      maxTrials: 4,
      reproduces: async () => {
        runs++;
        return { reproduced: 0, of: 1 };
      },
    });
    expect(runs).toBe(4);
  });
});
