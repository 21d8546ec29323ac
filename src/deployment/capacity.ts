/**
 * Capacity under failure: for each size, neighbour and state, a ramp of
 * agents (watching agents and topology writers together), each step an
 * ordinary run with its folder, stopped at the first step that breaks the
 * service level. The largest count that held is the capacity.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { NEIGHBOURS_DIR } from "../ensemble/run-registry.js";
import type { HistoryEvent } from "../history/event.js";
import { readHistoryFile } from "../history/reader.js";
import type { ProviderChoice } from "../providers/registry.js";
import { majority } from "../quorum/connectivity.js";
import { runAndReport } from "../runner/run-matrix.js";
import { parseScenario } from "../scenario/load-scenario.js";
import { planRun } from "../scenario/plan.js";
import { selfToken } from "../util/process-identity.js";
import { runtimeRoot, runtimeSubdir } from "../util/runtime-root.js";
import { CASSANDRA_VERSION, cassandraClasspath } from "./cassandra-release.js";
import type {
  Deployment,
  DeploymentState,
  Neighbour,
  NetworkVariant,
  Supervisor,
} from "./deployment-schema.js";
import { type NeighbourThroughput, startNeighbour } from "./neighbour.js";
import { type RampOutcome, rampGoesOn, rampOutcome, type StepMeasure } from "./ramp.js";
import { stepMeasure } from "./step-metrics.js";

/** One ramp step as run: what it measured, where its run folder is, what the neighbour and the data path did. */
export interface RampStep extends StepMeasure {
  readonly dir: string;
  readonly neighbour?: NeighbourThroughput;
  /** MB/s the network's data path moved (network separate or shared). */
  readonly dataPathMbPerS?: number;
}

/** One ramp: a size, a neighbour, a network, a supervisor, a state. */
export interface Ramp {
  readonly nodes: number;
  readonly neighbour: Neighbour;
  readonly network: NetworkVariant;
  readonly supervisor: Supervisor;
  readonly state: DeploymentState;
  readonly steps: readonly RampStep[];
  readonly outcome: RampOutcome;
}

/** What a capacity measurement needs beside the deployment. */
export interface CapacityOptions {
  readonly out: string;
  readonly seed: number;
  readonly provider?: ProviderChoice;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** The file of a real Cassandra node's class path (neighbour cassandra-node). */
  readonly cassandraClasspath?: string;
}

/** The scenario of one step, as a file would say it (it is written beside the run, and replays). */
export function stepScenario(
  deployment: Deployment,
  nodes: number,
  state: DeploymentState,
  agents: number,
  supervisor: Supervisor = "none",
  network: NetworkVariant = "none",
): Record<string, unknown> {
  const duration = deployment.stepDuration;
  const f = nodes - majority(nodes);
  const faults =
    state === "f-down"
      ? [{ at: "0s", for: `${duration}ms`, fault: { kind: "kill", target: "follower", count: f } }]
      : state === "leader-kill"
        ? [
            {
              at: `${Math.round(duration / 3)}ms`,
              for: `${Math.round(duration / 3)}ms`,
              fault: { kind: "kill", target: "leader" },
            },
          ]
        : [];
  return {
    name: `${deployment.name}-${state}-a${agents}`,
    description: `${deployment.name}: ${agents} agent(s) on ${nodes} server(s), ${state}${network === "none" ? "" : `, network ${network}`}`,
    nodes: [nodes],
    duration: `${duration}ms`,
    zookeeper: {
      ...(deployment.zookeeper.version ? { version: deployment.zookeeper.version } : {}),
      // The agents' timeout must be one the servers grant, or ZooKeeper silently clamps it.
      maxSessionTimeout: Math.max(4000, deployment.agents.sessionTimeout),
    },
    workload: {
      kind: "topology",
      workers: deployment.agents.writers,
      rate: deployment.agents.writeRate,
      sessionTimeout: `${deployment.agents.sessionTimeout}ms`,
      watch: { agents, mode: deployment.agents.watch },
      // A link carries the clients' traffic only through their proxies.
      ...(network === "none" ? {} : { connect: "proxies" }),
    },
    faults,
    ...(network === "none"
      ? {}
      : {
          network: {
            link: {
              mbPerS: deployment.variants.networkMbPerS,
              bufferMs: deployment.variants.networkBufferMs,
              dataPath: network,
            },
          },
        }),
    ...(supervisor === "none" ? {} : { supervise: { restartAfter: `${supervisor}ms` } }),
  };
}

/** A supervisor's name in folders and reports. */
export function supervisorName(supervisor: Supervisor): string {
  return supervisor === "none" ? "none" : `restart-after-${supervisor / 1000}s`;
}

/** One combination of variants a size is measured with. */
export type VariantCombo = Pick<Ramp, "neighbour" | "network" | "supervisor">;

/**
 * The combinations measured: the baseline (the first value of every variant
 * list), then each other value of each list alone, the rest at the baseline.
 * One factor at a time: each effect is measured against the baseline, and
 * the ramps grow with the values listed, not with their product.
 */
export function variantCombos(variants: Deployment["variants"]): VariantCombo[] {
  const base: VariantCombo = {
    neighbour: variants.neighbour[0] ?? "none",
    network: variants.network[0] ?? "none",
    supervisor: variants.supervisor[0] ?? "none",
  };
  return [
    base,
    ...variants.neighbour.slice(1).map((neighbour) => ({ ...base, neighbour })),
    ...variants.network.slice(1).map((network) => ({ ...base, network })),
    ...variants.supervisor.slice(1).map((supervisor) => ({ ...base, supervisor })),
  ];
}

/** Runs every ramp of the deployment in order (size, variant combination, state), each until it breaks. */
export async function measureCapacity(
  deployment: Deployment,
  options: CapacityOptions,
): Promise<Ramp[]> {
  const ramps: Ramp[] = [];
  // A real Cassandra node's release is resolved once, before the first ramp.
  const withClasspath: CapacityOptions = deployment.variants.neighbour.includes("cassandra-node")
    ? { ...options, cassandraClasspath: await cassandraClasspath(CASSANDRA_VERSION, options.log) }
    : options;
  for (const nodes of deployment.sizes)
    for (const combo of variantCombos(deployment.variants))
      for (const state of deployment.states) {
        if (options.signal?.aborted) return ramps;
        ramps.push(await measureRamp(deployment, { nodes, ...combo, state }, withClasspath));
      }
  return ramps;
}

async function measureRamp(
  deployment: Deployment,
  variant: Pick<Ramp, "nodes" | "neighbour" | "network" | "supervisor" | "state">,
  options: CapacityOptions,
): Promise<Ramp> {
  const { nodes, neighbour, network, supervisor, state } = variant;
  const supervised = supervisor === "none" ? "" : `-${supervisorName(supervisor)}`;
  const networked = network === "none" ? "" : `-network-${network}`;
  const folder = join(options.out, `n${nodes}-${neighbour}${networked}${supervised}-${state}`);
  mkdirSync(folder, { recursive: true });
  const steps: RampStep[] = [];
  for (const agents of deployment.agents.ramp) {
    if (options.signal?.aborted) break;
    const document = stepScenario(deployment, nodes, state, agents, supervisor, network);
    const file = join(folder, `a${agents}.yaml`);
    const text = stringify(document);
    writeFileSync(file, text);
    const plan = planRun(parseScenario(text, file), nodes, options.seed);
    // The neighbour's files go on the disk the servers' data is on.
    const running =
      neighbour === "none"
        ? undefined
        : startNeighbour(
            // Named after this harness: if it dies, the next start reaps the folder (run-registry).
            join(
              runtimeSubdir(runtimeRoot(), NEIGHBOURS_DIR),
              `${selfToken().replace(":", "-")}-n${nodes}-a${agents}`,
            ),
            `deployment-${process.pid}`,
            // A real node's start (a few seconds, more on a loaded machine) comes first.
            deployment.stepDuration + 240_000,
            deployment.variants.neighbourMbPerS,
            neighbour === "cassandra-node" && options.cassandraClasspath !== undefined
              ? { kind: "node", classpathFile: options.cassandraClasspath }
              : { kind: "shaped" },
          );
    let ran: Awaited<ReturnType<typeof runAndReport>>;
    let throughput: NeighbourThroughput | undefined;
    try {
      await running?.ready;
      ran = await runAndReport(plan, file, {
        out: folder,
        ...(options.provider ? { docker: options.provider } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
    } finally {
      throughput = await running?.stop();
    }
    // A step cut short is no measure of anything.
    if (options.signal?.aborted) break;
    const events = await readHistoryFile(join(ran.dir, "history.jsonl"));
    const measure = stepMeasure(
      agents,
      deployment.agents.writers,
      events,
      ran.results,
      state === "leader-kill",
    );
    const dataPathMbPerS = dataPathThroughput(events);
    const step: RampStep = {
      ...measure,
      dir: ran.dir,
      ...(throughput ? { neighbour: throughput } : {}),
      ...(dataPathMbPerS !== undefined ? { dataPathMbPerS } : {}),
    };
    steps.push(step);
    options.log?.(
      `deployment: n=${nodes} ${neighbour}${networked}${supervised} ${state} ${agents} agent(s): p99 write ${measure.p99WriteMs === undefined ? "-" : `${Math.round(measure.p99WriteMs)} ms`}, ${measure.sessionExpiries} expired${measure.electionMs !== undefined ? `, writes back ${measure.electionMs === "never" ? "never" : `${Math.round(measure.electionMs)} ms`} after the kill` : ""}${throughput ? `; neighbour ${throughput.fsyncedMbPerS.toFixed(1)} MB/s fsync'd` : ""}${dataPathMbPerS !== undefined ? `; data path ${dataPathMbPerS.toFixed(1)} MB/s` : ""}: ${rampGoesOn(measure, deployment.serviceLevel) ? "held" : "broke"}`,
    );
    if (!rampGoesOn(measure, deployment.serviceLevel)) break;
  }
  return {
    ...variant,
    steps,
    outcome: rampOutcome(steps, deployment.serviceLevel),
  };
}

/** What the run's data path moved (its observer event), MB/s. */
function dataPathThroughput(events: readonly HistoryEvent[]): number | undefined {
  const event = events.find((each) => each.process === "observer" && each.f === "data-path");
  const value = (event?.value as { mbPerS?: unknown } | undefined)?.mbPerS;
  return typeof value === "number" ? value : undefined;
}
