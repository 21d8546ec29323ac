import { BadInputError } from "../errors.js";
import { type FaultSpec, MESSAGE_FAULT_KINDS } from "../faults/fault-spec.js";
import type { ScheduledFault } from "../faults/nemesis.js";
import { randomSchedule } from "../faults/schedule.js";
import type { WireMode } from "../history/wire.js";
import type { ProviderName } from "../providers/provider.js";
import { tolerance } from "../quorum/connectivity.js";
import { resolveSettings, type ZooKeeperSettings } from "../zookeeper/settings.js";
import type { AnomalyExpectation } from "./anomaly-expectation.js";
import type { KnownBug } from "./bug-expectation.js";
import type { CheckerName, NetworkLink, Scenario } from "./schema.js";

/** Everything a run does, drawn from the scenario and the seed: written as plan.json. */
export interface RunPlan {
  readonly version: 1;
  readonly scenario: string;
  readonly description: string;
  readonly nodes: number;
  readonly seed: number;
  readonly provider: ProviderName;
  readonly settings: ZooKeeperSettings;
  /** The release every server starts on (default: the local install, or the image's). */
  readonly zookeeperVersion?: string;
  /** Releases for some servers, by id (a mixed-version ensemble). */
  readonly serverVersions?: Readonly<Record<number, string>>;
  /** zoo.cfg keys and system properties for some servers only, by id. */
  readonly serverSettings?: Readonly<Record<number, ServerOverrides>>;
  readonly workload: Scenario["workload"];
  readonly durationMs: number;
  readonly schedule: readonly ScheduledFault[];
  readonly checkers: readonly CheckerName[];
  readonly expectUnavailable: boolean;
  /** What the scenario expects to go wrong (an operator's mistake), judged after the checkers. */
  readonly expectAnomalies?: AnomalyExpectation;
  /** A supervisor restarts any server down this long (ms). */
  readonly superviseRestartAfterMs?: number;
  /** How many servers are observers: the last ones by id. */
  readonly observers?: number;
  /** Membership changes at run time: servers 1..members start as the ensemble (join/leave change it). */
  readonly members?: number;
  /** The known bug the scenario documents, with its expectations per version. */
  readonly bug?: KnownBug;
  /** What of the peer messages the run records (absent: nothing). */
  readonly wire?: "summary" | "full";
  /** One network link every proxied connection shares (network.link). */
  readonly link?: NetworkLink;
}

type ScenarioFault = Scenario["faults"][number];

/** Settings one server gets beyond the ensemble's. */
export interface ServerOverrides {
  readonly extraConfig?: Readonly<Record<string, string>>;
  readonly systemProperties?: Readonly<Record<string, string>>;
}

/** A scenario fault's id: its own, or f<position>. */
export function faultIdOf(entry: ScenarioFault, index: number): string {
  return entry.id ?? `f${index + 1}`;
}

/** The trigger and ordering of an entry, as the nemesis takes them. */
function triggerOf(entry: ScenarioFault): Pick<ScheduledFault, "when" | "after"> {
  const { when, after } = entry;
  return {
    ...(when
      ? {
          when: {
            ...(when.log !== undefined ? { log: when.log } : {}),
            ...(when.state !== undefined ? { state: when.state } : {}),
            ...(when.server !== undefined ? { server: when.server } : {}),
            ...(when.wire !== undefined ? { wire: when.wire } : {}),
            ...(when.delay !== undefined ? { delayMs: when.delay } : {}),
          },
        }
      : {}),
    ...(after !== undefined ? { after } : {}),
  };
}

/** A rolling upgrade is one upgrade per server, by id, spread evenly over the entry's span. */
function expandFault(
  entry: ScenarioFault,
  index: number,
  nodes: number,
  scale: number,
  observers = 0,
): ScheduledFault[] {
  // A triggered fault's times are its own (a fault after a log line lasts what it says).
  const triggered = entry.when !== undefined || entry.after !== undefined;
  const at = triggered ? entry.at : Math.round(entry.at * scale);
  const span = triggered ? entry.for : Math.round(entry.for * scale);
  const { fault } = entry;
  const id = faultIdOf(entry, index);
  if (fault.kind !== "rolling-upgrade") {
    return [
      {
        id,
        at,
        durationMs: span,
        spec: resolveFault(fault, nodes, observers),
        ...triggerOf(entry),
      },
    ];
  }
  const step = Math.floor(span / nodes);
  return Array.from({ length: nodes }, (_, server) => ({
    id: `${id}.${server + 1}`,
    at: at + server * step,
    durationMs: 0,
    spec: { kind: "upgrade", target: server + 1, version: fault.version } as const,
  }));
}

/** Resolves counts relative to the size: f is the most its voters tolerate. */
function resolveFault(
  fault: Exclude<ScenarioFault["fault"], { kind: "rolling-upgrade" }>,
  nodes: number,
  observers = 0,
): FaultSpec {
  if ("count" in fault && typeof fault.count === "string") {
    const voting = nodes - observers;
    const count = fault.count === "f" ? tolerance(voting) : Math.min(nodes, tolerance(voting) + 1);
    if (count === 0) return { ...fault, count: 0 } as unknown as FaultSpec;
    return { ...fault, count } as FaultSpec;
  }
  return fault as FaultSpec;
}

/** The share of a run a random schedule draws its faults in: the last fifth stays quiet. */
export const RANDOM_SHARE = 0.8;

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
    expandFault(entry, index, nodes, scale, scenario.observers),
  );
  const drawn = scenario.random
    ? randomSchedule(`${seed}/${scenario.name}/${nodes}`, {
        kinds: scenario.random.kinds,
        // Leave the last fifth quiet: the ensemble must recover before the run ends.
        totalMs: Math.round(duration * RANDOM_SHARE),
        minGapMs: scenario.random.minGap,
        maxGapMs: scenario.random.maxGap,
        minFaultMs: scenario.random.minFault,
        maxFaultMs: scenario.random.maxFault,
      }).map((item) => ({ ...item, id: `r${item.id.slice(1)}` }))
    : [];
  const { profile, config, version, versions, servers, ...overrides } = scenario.zookeeper;
  const serverSettings = Object.fromEntries(
    Object.entries(servers ?? {})
      .filter(([id]) => Number(id) <= nodes)
      .map(([id, each]) => [
        Number(id),
        {
          ...(each.config ? { extraConfig: each.config } : {}),
          ...(each.properties ? { systemProperties: each.properties } : {}),
        },
      ]),
  );
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
  const schedule = [...fixed, ...drawn]
    // A fault of zero servers (kill f on one server) is no fault.
    .filter((item) => !("count" in item.spec && item.spec.count === 0))
    .sort((a, b) => a.at - b.at);
  const wire = planWire(scenario.network.wire, schedule, `scenario ${scenario.name}`);
  if (scenario.network.link !== undefined && scenario.workload.connect !== "proxies")
    throw new BadInputError(
      `scenario ${scenario.name}: network.link carries the clients' traffic only through the client proxies: set workload.connect: proxies`,
    );
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
    ...(Object.keys(serverSettings).length > 0 ? { serverSettings } : {}),
    settings: resolveSettings(
      { ...overrides, ...(config ? { extraConfig: config } : {}) },
      profile,
    ),
    workload: scenario.workload,
    durationMs: duration,
    schedule,
    checkers: scenario.checkers,
    expectUnavailable: scenario.expect.unavailable,
    ...(scenario.expect.anomalies ? { expectAnomalies: scenario.expect.anomalies } : {}),
    ...(scenario.supervise ? { superviseRestartAfterMs: scenario.supervise.restartAfter } : {}),
    ...(scenario.observers > 0 ? { observers: scenario.observers } : {}),
    ...(scenario.members !== undefined ? { members: scenario.members } : {}),
    ...(scenario.bug ? { bug: scenario.bug } : {}),
    ...(wire !== undefined ? { wire } : {}),
    ...(scenario.network.link !== undefined ? { link: scenario.network.link } : {}),
  };
}

/**
 * The wire a run records: as asked, and on (summary) when nothing was asked
 * but a message fault or a wire trigger needs the proxies to decode; "off"
 * beside them is a contradiction, refused.
 */
export function planWire(
  asked: WireMode | undefined,
  schedule: readonly ScheduledFault[],
  what: string,
): "summary" | "full" | undefined {
  const needing = schedule
    .filter((item) => MESSAGE_FAULT_KINDS.has(item.spec.kind) || item.when?.wire)
    .map((item) => item.id);
  if (asked === "off" && needing.length > 0)
    throw new BadInputError(
      `${what}: ${needing.join(", ")} act${needing.length === 1 ? "s" : ""} on single peer messages, which needs the wire: drop network.wire: off (or --wire off)`,
    );
  if (asked === undefined) return needing.length > 0 ? "summary" : undefined;
  return asked === "off" ? undefined : asked;
}
