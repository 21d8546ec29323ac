import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type Ramp, variantCombos } from "../../../src/deployment/capacity.js";
import { judgeRules, recommendation } from "../../../src/deployment/deployment-report.js";
import { deploymentSchema } from "../../../src/deployment/deployment-schema.js";
import { loadDeployment, parseDeployment } from "../../../src/deployment/load-deployment.js";
import { rampOutcome, type StepMeasure } from "../../../src/deployment/ramp.js";
import { stepMeasure } from "../../../src/deployment/step-metrics.js";
import type { HistoryEvent } from "../../../src/history/event.js";

const FILE = "plan.yaml";
const deployment = parseDeployment(
  "name: plan\nsizes: [3, 5]\nagents: { ramp: [10, 20, 40], planned: 20 }\nvariants: { neighbour: [none, cassandra] }\n",
  FILE,
);
const level = deployment.serviceLevel;
const step = (agents: number, p99: number, more: Partial<StepMeasure> = {}): StepMeasure => ({
  agents,
  p99WriteMs: p99,
  okWrites: 100,
  sessionExpiries: 0,
  consistent: true,
  ...more,
});

describe("validate --deployment: the file, the ramp's rule, the rules of the guide", () => {
  it("reads a deployment with its defaults", () => {
    expect(deployment.serviceLevel).toEqual({
      p99WriteMs: 500,
      sessionExpiries: 0,
      electionMs: 10_000,
    });
    expect(deployment.states).toEqual(["all-up", "f-down", "leader-kill"]);
    expect(deployment.agents).toMatchObject({
      watch: "one-time",
      writers: 2,
      sessionTimeout: 10_000,
    });
    expect(deployment.stepDuration).toBe(15_000);
  });

  it("the bundled example reads: 3 and 5 servers, alone, beside Cassandra and on a shared network, within 30 minutes of steps", () => {
    const example = loadDeployment("deployments/midonet.yaml");
    expect(example.sizes).toEqual([3, 5]);
    expect(example.variants.neighbour).toEqual(["none", "cassandra"]);
    expect(example.variants.network).toEqual(["separate", "shared"]);
    const combos = variantCombos(example.variants);
    expect(combos).toEqual([
      { neighbour: "none", network: "separate", supervisor: "none" },
      { neighbour: "cassandra", network: "separate", supervisor: "none" },
      { neighbour: "none", network: "shared", supervisor: "none" },
    ]);
    const ramps = example.sizes.length * combos.length * example.states.length;
    // Every step of every ramp, with its start and checks (about 10 s): the bound if none breaks.
    expect(
      (ramps * example.agents.ramp.length * (example.stepDuration + 10_000)) / 60_000,
    ).toBeLessThan(30);
  });

  it("ships its JSON Schema for editors, current with the code (zk-chaos schema --deployment)", () => {
    expect(JSON.parse(readFileSync("deployments/deployment.schema.json", "utf8"))).toEqual(
      z.toJSONSchema(deploymentSchema, { io: "input" }),
    );
    expect(readFileSync("deployments/midonet.yaml", "utf8")).toMatch(
      /^# yaml-language-server: \$schema=deployment\.schema\.json\n/,
    );
  });

  it("names file, line and field of a bad deployment", () => {
    const bad = (text: string) => () => parseDeployment(text, FILE);
    expect(bad("name: p\nsizes: [5, 3]\nagents: { ramp: [10] }\n")).toThrow(
      /plan\.yaml:2: sizes: list each size once, smallest first/,
    );
    expect(bad("name: p\nsizes: [3]\nagents:\n  ramp: [20, 10]\n")).toThrow(
      /plan\.yaml:4: agents\.ramp: ascending agent counts/,
    );
    expect(bad("name: p\nsizes: [3]\nagents: { ramp: [10], colour: red }\n")).toThrow(
      /plan\.yaml:3: agents: unknown field 'colour': remove it or fix the spelling/,
    );
    expect(bad("name: p\nsizes: [1, 3]\nagents: { ramp: [10] }\n")).toThrow(
      /plan\.yaml:2: sizes: 1 server tolerates no failure/,
    );
    expect(bad("name: p\nsizes: [3]\nagents: { ramp: [10], sessionTimeout: 100ms }\n")).toThrow(
      /plan\.yaml:3: agents\.sessionTimeout: 100 ms is below two ticks/,
    );
    expect(bad("- 1\n")).toThrow(/plan\.yaml:1: a deployment is a YAML mapping/);
    expect(bad("name: p\nsizes: [3]\nagents: { ramp: [50, 200] }\n")).toThrow(
      /plan\.yaml:3: agents\.ramp\.1: at most 100 agents: one harness runs that many watching sessions/,
    );
  });

  it("goes up while steps hold and stops at the first that breaks, saying why", () => {
    expect(rampOutcome([step(10, 40), step(20, 120)], level)).toEqual({ capacity: 20, held: true });
    const broke = rampOutcome([step(10, 40), step(20, 650, { sessionExpiries: 2 })], level);
    expect(broke.capacity).toBe(10);
    expect(broke.brokeAt).toEqual({
      agents: 20,
      why: ["p99 write 650 ms > 500 ms", "2 session(s) expired > 0"],
    });
    expect(rampOutcome([step(10, 40, { electionMs: "never" })], level).brokeAt?.why).toEqual([
      "no write was acknowledged after the leader kill",
    ]);
    expect(rampOutcome([step(10, 40, { consistent: false })], level).capacity).toBe(0);
    expect(
      rampOutcome([{ ...step(10, 0), okWrites: 0, p99WriteMs: undefined }], level).brokeAt?.why,
    ).toEqual(["no write was acknowledged"]);
    // Writes acknowledged, all of them held by the election: judged by electionMs alone.
    expect(
      rampOutcome([{ ...step(10, 0), p99WriteMs: undefined, electionMs: 900 }], level).held,
    ).toBe(true);
  });

  it("measures writes back after a leader kill from a write invoked after it, not one in flight", () => {
    let index = 0;
    const at = (ms: number, event: Partial<HistoryEvent>): HistoryEvent =>
      ({ index: index++, time: ms * 1e6, type: "info", ...event }) as HistoryEvent;
    const events = [
      at(0, { process: 0, type: "invoke", f: "set-mac" }),
      at(1000, { process: "nemesis", type: "info", f: "kill", value: { servers: [3] } }),
      at(1010, { process: 0, type: "ok", f: "set-mac" }),
      at(1020, { process: 0, type: "invoke", f: "set-mac" }),
      at(1800, { process: 0, type: "ok", f: "set-mac" }),
      at(1900, { process: 0, type: "invoke", f: "read-subtree" }),
      at(1950, { process: 0, type: "ok", f: "read-subtree" }),
      at(2000, { process: "session-5", type: "info", f: "session", value: { event: "expired" } }),
      // A watching agent's read is not a writer's write.
      at(2100, { process: 5, type: "invoke", f: "watch-read" }),
      at(2200, { process: 5, type: "ok", f: "watch-read" }),
    ];
    const measure = stepMeasure(8, 1, events, { verdicts: [] }, true);
    expect(measure.electionMs).toBe(800);
    expect(measure.okWrites).toBe(2);
    expect(measure.sessionExpiries).toBe(1);
    // Both writes straddle the election (judged by electionMs), so no latency is left to judge.
    expect(measure.p99WriteMs).toBeUndefined();
    const after = [
      ...events,
      at(2300, { process: 0, type: "invoke", f: "set-mac" }),
      at(2340, { process: 0, type: "ok", f: "set-mac" }),
    ];
    expect(stepMeasure(8, 1, after, { verdicts: [] }, true).p99WriteMs).toBeCloseTo(40, 0);
    // Without a kill every acknowledged write counts.
    expect(stepMeasure(8, 1, events, { verdicts: [] }, false).p99WriteMs).toBeCloseTo(1010, 0);
  });

  it("judges the guide's rules and recommends the smallest size that holds the planned agents", () => {
    const ramp = (
      nodes: number,
      neighbour: "none" | "cassandra",
      state: Ramp["state"],
      capacity: number,
      held = false,
    ): Ramp => ({
      nodes,
      neighbour,
      network: "none",
      supervisor: "none",
      state,
      steps: [],
      outcome: {
        capacity,
        held,
        ...(held ? {} : { brokeAt: { agents: capacity * 2 || 10, why: ["slow"] } }),
      },
    });
    const ramps = [
      ramp(3, "none", "all-up", 40),
      ramp(3, "none", "f-down", 20),
      ramp(3, "none", "leader-kill", 20),
      ramp(3, "cassandra", "f-down", 10),
      ramp(5, "none", "all-up", 40, true),
      ramp(5, "none", "f-down", 40, true),
      ramp(5, "none", "leader-kill", 40, true),
    ];
    const rules = judgeRules(deployment, ramps);
    expect(rules.map((rule) => [rule.rule, rule.verdict])).toEqual([
      ["3 servers for production", "confirmed"],
      ["5 or 7 servers beyond a few dozen agents", "confirmed"],
      ["Cassandra and ZooKeeper on separate nodes", "confirmed"],
      ["A management network separate from the data path", "not measured"],
      ["Exhibitor (a supervisor) for the servers", "not measured"],
    ]);
    // A supervisor that brings the downed server back lifts 3 servers' worst state from 20 to 40.
    const supervised = {
      ...deployment,
      variants: { ...deployment.variants, supervisor: ["none" as const, 5000] },
    };
    const withSupervisor = [
      ...ramps,
      ...(["all-up", "f-down", "leader-kill"] as const).map((state) => ({
        ...ramp(3, "none", state, 40, true),
        supervisor: 5000,
      })),
    ];
    const exhibitor = judgeRules(supervised, withSupervisor)[4];
    expect(exhibitor?.verdict).toBe("confirmed");
    expect(exhibitor?.evidence).toBe(
      "3 servers: 20 agent(s) in the worst state alone, 40 restarted after 5 s",
    );
    expect(rules[2]?.evidence).toBe("3 servers f-down: 20 agent(s) alone, 10 beside Cassandra");
    expect(recommendation(deployment, ramps)).toMatch(/^Run 3 servers: they held 20 agents/);
    expect(
      recommendation({ ...deployment, agents: { ...deployment.agents, planned: 30 } }, ramps),
    ).toMatch(/^Run 5 servers/);
  });

  it("confirms a separate management network when sharing the data path's link costs capacity or doubles the p99 write, and contradicts it when it costs neither", () => {
    const step = (agents: number, p99WriteMs: number, dataPathMbPerS: number) => ({
      agents,
      p99WriteMs,
      okWrites: 100,
      sessionExpiries: 0,
      consistent: true,
      dir: `/runs/a${agents}`,
      dataPathMbPerS,
    });
    const ramp = (network: Ramp["network"], p99s: readonly number[], capacity: number): Ramp => ({
      nodes: 3,
      neighbour: "none",
      network,
      supervisor: "none",
      state: "f-down",
      steps: p99s.map((p99, index) =>
        step((index + 1) * 25, p99, network === "shared" ? 11.9 : 12.4),
      ),
      outcome: { capacity, held: capacity === p99s.length * 25 },
    });
    const networks = {
      ...deployment,
      variants: { ...deployment.variants, network: ["separate" as const, "shared" as const] },
    };
    const rule = (ramps: Ramp[]) => judgeRules(networks, ramps)[3];
    // The same capacity, but every write twice as slow beside the data path: confirmed.
    const slower = rule([ramp("separate", [40, 60], 50), ramp("shared", [90, 150], 50)]);
    expect(slower?.verdict).toBe("confirmed");
    expect(slower?.evidence).toBe(
      "3 servers f-down: 50 agent(s) on a separate network, 50 sharing it with the data path (p99 write at 50 agents 60 vs 150 ms)",
    );
    // Fewer agents on the shared link: confirmed.
    expect(rule([ramp("separate", [40, 60], 50), ramp("shared", [45], 25)])?.verdict).toBe(
      "confirmed",
    );
    // Neither fewer agents nor twice as slow: contradicted.
    const cheap = rule([ramp("separate", [40, 60], 50), ramp("shared", [50, 70], 50)]);
    expect(cheap?.verdict).toBe("contradicted");
    expect(cheap?.evidence).toMatch(/the data path at 12.5 MB\/s cost ZooKeeper neither/);
    // The baseline is the first network listed: capacity and the recommendation come from it.
    expect(
      recommendation(networks, [ramp("separate", [40, 60], 50), ramp("shared", [45], 25)]),
    ).toMatch(/^Run 3 servers: they held/);
  });
});
