/**
 * What the explore search varies: a fault schedule with its timing and
 * triggers, the workload's shape and the run's length, on one ensemble.
 * A candidate is written as an ordinary scenario file, so every run and
 * every finding replays with `zk-chaos run`.
 */
import { stringify } from "yaml";
import type { FaultKind, FaultSpec, MessageMatch, TriggerState } from "../faults/fault-spec.js";
import { parseScenario } from "../scenario/load-scenario.js";
import type { Scenario } from "../scenario/schema.js";

/** What starts a triggered fault: a state, a log line of a server of some role, or a peer message; then a delay. */
export interface ExploreTrigger {
  readonly state?: TriggerState;
  readonly log?: string;
  readonly wire?: MessageMatch;
  readonly server?: "any" | "leader" | "follower";
  readonly delayMs: number;
}

/** One fault of a candidate. */
export interface ExploreFault {
  readonly id: string;
  /** From the run's start, or from the start of the fault `after` names (a triggered fault is armed then). */
  readonly atMs: number;
  /** Another fault's id: this one is timed (and its trigger armed) from that fault's start. */
  readonly after?: string;
  /** How long it stays before its heal. */
  readonly forMs: number;
  readonly spec: FaultSpec;
  readonly when?: ExploreTrigger;
}

/** The workload's shape: register workers, their rate, where they connect and how long their sessions live. */
export interface ExploreWorkload {
  readonly workers: number;
  readonly rate: number;
  readonly registers: number;
  /** "one": each worker to one server (agents spread over the ensemble); default all. */
  readonly connect?: "all" | "one";
  /** Every worker takes a fresh session after this many operations (agents restarting). */
  readonly sessionOps?: number;
}

/** One point of the search space. */
export interface ExploreCandidate {
  readonly nodes: number;
  readonly durationMs: number;
  readonly workload: ExploreWorkload;
  readonly faults: readonly ExploreFault[];
}

/** Where a candidate runs: the release, and the checkers that judge it. */
export interface ExploreTarget {
  readonly zookeeperVersion?: string;
  readonly provider: Scenario["provider"];
  /** Record the peer messages (they join the signature). */
  readonly wire?: "summary";
  /** The workload every candidate runs (default registers). */
  readonly workload?: ExploreWorkloadKind;
}

/** Workloads a campaign can run: registers (Jepsen's), or transactions (multis and atomic reads). */
export const EXPLORE_WORKLOADS = ["registers", "transactions"] as const;
/** A workload a campaign can run. */
export type ExploreWorkloadKind = (typeof EXPLORE_WORKLOADS)[number];

const ms = (value: number) => `${Math.round(value)}ms`;

/** Fault fields a scenario file reads as durations (a bare number there is seconds). */
const DURATION_FIELDS: Readonly<Partial<Record<FaultKind, readonly string[]>>> = {
  "slow-fsync": ["delay"],
  "delay-message": ["delay"],
  clock: ["offset"],
};

/** A message match as a scenario file writes it: the messages (`match`) and their link (`link`). */
function matchDocument(match: MessageMatch): Record<string, unknown> {
  const link = {
    ...(match.from !== undefined ? { from: match.from } : {}),
    ...(match.to !== undefined ? { to: match.to } : {}),
  };
  return {
    match: {
      type: match.types.length === 1 ? match.types[0] : [...match.types],
      ...(match.after !== undefined ? { after: match.after } : {}),
    },
    ...(Object.keys(link).length > 0 ? { link } : {}),
  };
}

/** A trigger's message as a scenario file writes it: type, after, from and to in one. */
function wireTriggerDocument(match: MessageMatch): Record<string, unknown> {
  const { match: types, link } = matchDocument(match) as {
    match: Record<string, unknown>;
    link?: Record<string, unknown>;
  };
  return { ...types, ...link };
}

/** A fault spec as a scenario file writes it: its duration fields in milliseconds, with the unit. */
function specDocument(spec: FaultSpec): Record<string, unknown> {
  const { match, ...rest } = spec as FaultSpec & { match?: MessageMatch };
  const document: Record<string, unknown> = { ...rest, ...(match ? matchDocument(match) : {}) };
  for (const field of DURATION_FIELDS[spec.kind] ?? [])
    if (typeof document[field] === "number") document[field] = ms(document[field] as number);
  return document;
}

/**
 * The workload as a scenario file writes it (session restarts as a role of
 * every worker). Transactions take the drawn register count as their keys;
 * roles are the register workload's, so their session restarts are left out.
 */
function workloadDocument(
  workload: ExploreWorkload,
  kind: ExploreWorkloadKind = "registers",
): Record<string, unknown> {
  const { sessionOps, connect, registers, ...shape } = workload;
  if (kind === "transactions")
    return { kind, ...shape, keys: registers, ...(connect !== undefined ? { connect } : {}) };
  return {
    kind,
    ...shape,
    registers,
    ...(connect !== undefined ? { connect } : {}),
    ...(sessionOps !== undefined ? { roles: [{ workers: workload.workers, sessionOps }] } : {}),
  };
}

/** The scenario document of a candidate (a plain object, as a YAML file holds it). */
export function candidateDocument(
  candidate: ExploreCandidate,
  name: string,
  description: string,
  target: ExploreTarget,
): Record<string, unknown> {
  return {
    name,
    description,
    nodes: [candidate.nodes],
    provider: target.provider,
    duration: ms(candidate.durationMs),
    zookeeper: {
      profile: "fast",
      ...(target.zookeeperVersion !== undefined ? { version: target.zookeeperVersion } : {}),
    },
    workload: workloadDocument(candidate.workload, target.workload),
    ...(target.wire !== undefined ? { network: { wire: target.wire } } : {}),
    // Internal errors too: a server's NullPointerException is a bug no scenario has to name.
    // (The transactions checker gives no verdict on a history without transactions.)
    checkers: ["zookeeper", "availability", "transactions", "recovery", "internal-errors"],
    faults: candidate.faults.map((fault) => ({
      id: fault.id,
      at: ms(fault.atMs),
      for: ms(fault.forMs),
      ...(fault.after !== undefined ? { after: fault.after } : {}),
      fault: specDocument(fault.spec),
      ...(fault.when
        ? {
            when: {
              ...(fault.when.state !== undefined ? { state: fault.when.state } : {}),
              ...(fault.when.log !== undefined ? { log: fault.when.log } : {}),
              ...(fault.when.server !== undefined ? { server: fault.when.server } : {}),
              ...(fault.when.wire !== undefined
                ? { wire: wireTriggerDocument(fault.when.wire) }
                : {}),
              delay: ms(fault.when.delayMs),
            },
          }
        : {}),
    })),
  };
}

/** The candidate as a scenario file's text (a comment line first, then YAML). */
export function candidateYaml(
  candidate: ExploreCandidate,
  name: string,
  description: string,
  target: ExploreTarget,
): string {
  return `# written by zk-chaos explore; replay with: zk-chaos run <this file>\n${stringify(
    candidateDocument(candidate, name, description, target),
  )}`;
}

/** The candidate as a checked scenario (the same schema a person's file passes). */
export function candidateScenario(
  candidate: ExploreCandidate,
  name: string,
  description: string,
  target: ExploreTarget,
): Scenario {
  return parseScenario(candidateYaml(candidate, name, description, target), `${name}.yaml`);
}

/**
 * When a fault starts, from the run's start: its own time plus the starts
 * of the faults it is timed after (a trigger's wait is not known ahead, so
 * a triggered fault counts from when it is armed).
 */
export function faultStartMs(candidate: ExploreCandidate, fault: ExploreFault): number {
  let start = fault.atMs;
  const seen = new Set([fault.id]);
  let anchor = candidate.faults.find((each) => each.id === fault.after);
  // A loop of afters never fires; the walk stops where it closes.
  while (anchor !== undefined && !seen.has(anchor.id)) {
    seen.add(anchor.id);
    start += anchor.atMs;
    const next = anchor.after;
    anchor = candidate.faults.find((each) => each.id === next);
  }
  return start;
}

/** The time the last fault ends (its start plus its span), or 0. */
export function lastFaultEnd(candidate: ExploreCandidate): number {
  return candidate.faults.reduce(
    (end, fault) => Math.max(end, faultStartMs(candidate, fault) + fault.forMs),
    0,
  );
}

/** Does `fault`'s target name the fault `id` (same-as, other-than)? */
export function targetNames(fault: ExploreFault, id: string): boolean {
  return JSON.stringify(fault.spec).includes(`"${id}"`);
}

/** Does `fault` name the fault `id` (timed after it, or by its target)? */
function namesFault(fault: ExploreFault, id: string): boolean {
  return fault.after === id || targetNames(fault, id);
}

/**
 * The candidate without fault `at`. A fault timed after it keeps its moment,
 * timed from what the dropped fault was timed from; one whose target names it
 * loses its meaning and goes too (and so on down the chain).
 */
export function withoutFault(candidate: ExploreCandidate, at: number): ExploreCandidate {
  const gone = candidate.faults[at];
  if (gone === undefined) return candidate;
  const kept = candidate.faults
    .filter((_, position) => position !== at)
    .map((fault): ExploreFault => {
      if (fault.after !== gone.id) return fault;
      const { after: _after, ...rest } = fault;
      return {
        ...rest,
        atMs: gone.atMs + fault.atMs,
        ...(gone.after !== undefined ? { after: gone.after } : {}),
      };
    });
  const named = kept.findIndex((fault) => namesFault(fault, gone.id));
  const next = { ...candidate, faults: kept };
  return named < 0 ? next : withoutFault(next, named);
}
