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
  /** The release every server starts on (default: the local install, or the image's). */
  readonly zookeeperVersion?: string;
  /** Releases for some servers, by id (a mixed-version ensemble). */
  readonly serverVersions?: Readonly<Record<number, string>>;
  readonly workload: Scenario["workload"];
  readonly durationMs: number;
  readonly schedule: readonly ScheduledFault[];
  readonly checkers: readonly CheckerName[];
  readonly expectUnavailable: boolean;
}

type ScenarioFault = Scenario["faults"][number];

/** A rolling upgrade is one upgrade per server, by id, spread evenly over the entry's span. */
function expandFault(
  entry: ScenarioFault,
  index: number,
  nodes: number,
  scale: number,
): ScheduledFault[] {
  const at = Math.round(entry.at * scale);
  const span = Math.round(entry.for * scale);
  const { fault } = entry;
  if (fault.kind !== "rolling-upgrade") {
    return [{ id: `f${index + 1}`, at, durationMs: span, spec: resolveFault(fault, nodes) }];
  }
  const step = Math.floor(span / nodes);
  return Array.from({ length: nodes }, (_, server) => ({
    id: `f${index + 1}.${server + 1}`,
    at: at + server * step,
    durationMs: 0,
    spec: { kind: "upgrade", target: server + 1, version: fault.version } as const,
  }));
}

/** Resolves counts relative to the size: f is the most the size tolerates. */
function resolveFault(
  fault: Exclude<ScenarioFault["fault"], { kind: "rolling-upgrade" }>,
  nodes: number,
): FaultSpec {
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
  zookeeperVersion?: string,
): RunPlan {
  const duration = durationMs ?? scenario.duration;
  const scale = duration / scenario.duration;
  const fixed: ScheduledFault[] = scenario.faults.flatMap((entry, index) =>
    expandFault(entry, index, nodes, scale),
  );
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
  const { profile, config, version, versions, ...overrides } = scenario.zookeeper;
  // A version given for the run replaces the scenario's, every server's included.
  const serverVersions =
    zookeeperVersion === undefined && versions !== undefined
      ? Object.fromEntries(
          Object.entries(versions)
            .filter(([id]) => Number(id) <= nodes)
            .map(([id, each]) => [Number(id), each]),
        )
      : undefined;
  const startVersion = zookeeperVersion ?? version;
  return {
    version: 1,
    scenario: scenario.name,
    description: scenario.description,
    nodes,
    seed,
    provider: scenario.provider,
    ...(startVersion !== undefined ? { zookeeperVersion: startVersion } : {}),
    ...(serverVersions !== undefined && Object.keys(serverVersions).length > 0
      ? { serverVersions }
      : {}),
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
