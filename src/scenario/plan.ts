import { resolveSettings, type ZooKeeperSettings } from "../ensemble/zookeeper-settings.js";
import type { FaultSpec } from "../faults/fault-spec.js";
import type { ScheduledFault } from "../faults/nemesis.js";
import { randomSchedule } from "../faults/schedule.js";
import { tolerance } from "../quorum/connectivity.js";
import type { CheckerName, Scenario } from "./schema.js";

/** Everything a run does, drawn from the scenario and the seed: written as plan.json. */
export interface RunPlan {
  readonly version: 1;
  readonly scenario: string;
  readonly description: string;
  readonly nodes: number;
  readonly seed: number;
  readonly provider: "local" | "docker";
  readonly settings: ZooKeeperSettings;
  readonly workload: Scenario["workload"];
  readonly durationMs: number;
  readonly schedule: readonly ScheduledFault[];
  readonly checkers: readonly CheckerName[];
  readonly expectUnavailable: boolean;
}

/** Resolves counts relative to the size: f is the most the size tolerates. */
function resolveFault(fault: Scenario["faults"][number]["fault"], nodes: number): FaultSpec {
  if ("count" in fault && typeof fault.count === "string") {
    const count = fault.count === "f" ? tolerance(nodes) : Math.min(nodes, tolerance(nodes) + 1);
    if (count === 0) return { ...fault, count: 0 } as unknown as FaultSpec;
    return { ...fault, count } as FaultSpec;
  }
  return fault as FaultSpec;
}

/** The plan of one scenario at one size: a pure function of its inputs, byte for byte. */
export function planRun(
  scenario: Scenario,
  nodes: number,
  seed: number,
  durationMs?: number,
): RunPlan {
  const duration = durationMs ?? scenario.duration;
  const scale = duration / scenario.duration;
  const fixed: ScheduledFault[] = scenario.faults.map((entry, index) => ({
    id: `f${index + 1}`,
    at: Math.round(entry.at * scale),
    durationMs: Math.round(entry.for * scale),
    spec: resolveFault(entry.fault, nodes),
  }));
  const drawn = scenario.random
    ? randomSchedule(`${seed}/${scenario.name}/${nodes}`, {
        kinds: scenario.random.kinds,
        // Leave the last fifth quiet: the ensemble must recover before the run ends.
        totalMs: Math.round(duration * 0.8),
        minGapMs: scenario.random.minGap,
        maxGapMs: scenario.random.maxGap,
        minFaultMs: scenario.random.minFault,
        maxFaultMs: scenario.random.maxFault,
      }).map((item) => ({ ...item, id: `r${item.id.slice(1)}` }))
    : [];
  const { profile, config, ...overrides } = scenario.zookeeper;
  return {
    version: 1,
    scenario: scenario.name,
    description: scenario.description,
    nodes,
    seed,
    provider: scenario.provider,
    settings: resolveSettings(
      { ...overrides, ...(config ? { extraConfig: config } : {}) },
      profile,
    ),
    workload: scenario.workload,
    durationMs: duration,
    // A fault of zero servers (kill f on one server) is no fault.
    schedule: [...fixed, ...drawn]
      .filter((item) => !("count" in item.spec && item.spec.count === 0))
      .sort((a, b) => a.at - b.at),
    checkers: scenario.checkers,
    expectUnavailable: scenario.expect.unavailable,
  };
}
