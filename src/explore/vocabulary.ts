/**
 * The explore search's vocabulary as fast-check arbitraries: which faults the
 * provider and this machine can make, with their targets, links, strengths,
 * timing and triggers, and the workload's shape. Drawn with a seed, so the
 * same seed gives the same candidates.
 */
import fc from "fast-check";
import { BadInputError } from "../errors.js";
import {
  type FaultKind,
  type FaultSpec,
  MESSAGE_FAULT_KINDS,
  type MessageMatch,
  type Target,
} from "../faults/fault-spec.js";
import { machineCannot, PROVIDERS, type ProviderName } from "../providers/registry.js";
import type {
  ExploreCandidate,
  ExploreFault,
  ExploreTrigger,
  ExploreWorkload,
} from "./candidate.js";

/** The kinds explore draws: every kind that needs no version or membership of its own. */
export type ExplorableKind = Exclude<
  FaultKind,
  "upgrade" | "downgrade" | "join" | "leave" | "loss"
>;

const TARGET = fc.constantFrom<Target>("leader", "follower", "random");

/**
 * A fault's target: by role, or, when the candidate has other faults, by
 * what they hit: the same server as one of them, or one none of them hit
 * (the server a chain has not touched yet, such as the one a follower
 * synced from, whatever its role has become by then).
 */
export function targetArbitrary(others: readonly string[] = []): fc.Arbitrary<Target> {
  if (others.length === 0) return TARGET;
  return fc.oneof(
    { arbitrary: TARGET, weight: 3 },
    { arbitrary: fc.constantFrom(...others).map((id) => ({ "same-as": id })), weight: 1 },
    {
      arbitrary: fc
        .subarray([...others], { minLength: 1 })
        .map((ids): Target => ({ "other-than": ids })),
      weight: 1,
    },
  );
}
const MODE = fc.constantFrom<"refuse" | "blackhole">("refuse", "blackhole");

/** Quorum messages by the side that sends them (learners dial the leader; PING goes both ways). */
const LEADER_SENDS = [
  "PROPOSAL",
  "COMMIT",
  "NEWLEADER",
  "UPTODATE",
  "DIFF",
  "TRUNC",
  "SNAP",
  "LEADERINFO",
  "PING",
];
const LEARNER_SENDS = ["ACK", "FOLLOWERINFO", "ACKEPOCH", "REQUEST", "PING"];
/** Moments of a sync a message rule may wait for on its connection. */
const AFTER = ["NEWLEADER", "UPTODATE", "DIFF", "LEADERINFO"];

/** Which quorum messages a message fault takes: a type its sender's side sends, maybe only after a sync moment. */
const MESSAGE_MATCH: fc.Arbitrary<MessageMatch> = fc
  .tuple(
    fc.oneof(
      fc
        .constantFrom(...LEADER_SENDS)
        .map((type) => ({ type, from: "leader" as const, to: "follower" as const })),
      fc
        .constantFrom(...LEARNER_SENDS)
        .map((type) => ({ type, from: "follower" as const, to: "leader" as const })),
    ),
    fc.option(fc.constantFrom(...AFTER), { nil: undefined }),
  )
  .map(([{ type, from, to }, after]) => ({
    types: [type],
    from,
    to,
    ...(after !== undefined && after !== type ? { after } : {}),
  }));

/** Each kind's arbitrary spec, for an ensemble of `nodes`. */
const SPEC_ARBITRARIES: {
  readonly [K in ExplorableKind]: (
    nodes: number,
    target: fc.Arbitrary<Target>,
  ) => fc.Arbitrary<Extract<FaultSpec, { kind: K }>>;
} = {
  kill: (nodes, target) =>
    fc.record({
      kind: fc.constant("kill"),
      target,
      count: fc.integer({ min: 1, max: Math.max(1, Math.floor(nodes / 2)) }),
    }),
  stop: (_nodes, target) => fc.record({ kind: fc.constant("stop"), target }),
  pause: (_nodes, target) => fc.record({ kind: fc.constant("pause"), target }),
  restart: (_nodes, target) => fc.record({ kind: fc.constant("restart"), target }),
  isolate: (_nodes, target) => fc.record({ kind: fc.constant("isolate"), target, mode: MODE }),
  partition: () =>
    fc.record({
      kind: fc.constant("partition"),
      groups: fc.constantFrom<"random-halves" | "majority-minority">(
        "random-halves",
        "majority-minority",
      ),
      mode: MODE,
    }),
  bridge: () => fc.record({ kind: fc.constant("bridge"), mode: MODE }),
  ring: () => fc.record({ kind: fc.constant("ring"), mode: MODE }),
  "one-way": () => fc.record({ kind: fc.constant("one-way"), from: TARGET, to: TARGET }),
  "client-isolate": (_nodes, target) => fc.record({ kind: fc.constant("client-isolate"), target }),
  latency: () =>
    fc.record({
      kind: fc.constant("latency"),
      latency: fc.integer({ min: 20, max: 400 }),
      jitter: fc.integer({ min: 0, max: 50 }),
    }),
  bandwidth: () =>
    fc.record({ kind: fc.constant("bandwidth"), rate: fc.integer({ min: 5, max: 200 }) }),
  flaky: () =>
    fc.record({
      kind: fc.constant("flaky"),
      style: fc.constantFrom<"reset" | "slicer">("reset", "slicer"),
    }),
  blackhole: () => fc.record({ kind: fc.constant("blackhole") }),
  "disk-full": (_nodes, target) => fc.record({ kind: fc.constant("disk-full"), target }),
  starve: (_nodes, target) =>
    fc.record({
      kind: fc.constant("starve"),
      target,
      cpu: fc.constantFrom(0.05, 0.1, 0.25),
    }),
  wipe: (_nodes, target) => fc.record({ kind: fc.constant("wipe"), target }),
  "read-only": (_nodes, target) => fc.record({ kind: fc.constant("read-only"), target }),
  "slow-fsync": (_nodes, target) =>
    fc.record({
      kind: fc.constant("slow-fsync"),
      target,
      delay: fc.integer({ min: 50, max: 2000 }),
    }),
  // Forward jumps of a second to a day: a clock never steps back (see the handler).
  clock: (_nodes, target) =>
    fc.record({
      kind: fc.constant("clock"),
      target,
      offset: fc.integer({ min: 1, max: 86_400 }).map((seconds) => seconds * 1000),
    }),
  "drop-message": () =>
    fc.record({
      kind: fc.constant("drop-message"),
      match: MESSAGE_MATCH,
      count: fc.integer({ min: 1, max: 3 }),
      mode: fc.constantFrom<"cut" | "reset">("cut", "reset"),
    }),
  "delay-message": () =>
    fc.record({
      kind: fc.constant("delay-message"),
      match: MESSAGE_MATCH,
      count: fc.integer({ min: 1, max: 200 }),
      delay: fc.integer({ min: 20, max: 500 }),
    }),
  "duplicate-message": () =>
    fc.record({
      kind: fc.constant("duplicate-message"),
      match: MESSAGE_MATCH,
      count: fc.integer({ min: 1, max: 3 }),
    }),
  "hold-message": () =>
    fc.record({
      kind: fc.constant("hold-message"),
      match: MESSAGE_MATCH,
      count: fc.integer({ min: 1, max: 3 }),
    }),
  corrupt: (_nodes, target) =>
    fc.record({
      kind: fc.constant("corrupt"),
      target,
      damage: fc.constantFrom<"truncate-log" | "flip-log" | "flip-snapshot">(
        "truncate-log",
        "flip-log",
        "flip-snapshot",
      ),
    }),
};

/** Key moments a triggered fault may wait for (states, and log lines of synchronisation). */
const TRIGGER_LOGS = [
  "Learner received NEWLEADER",
  "Learner received UPTODATE",
  "Getting a diff from the leader",
  "Getting a snapshot from leader",
  "Truncating log to get in sync",
  "Have quorum of supporters",
];

/** A trigger's wait after its moment: up to 300 ms. */
const TRIGGER_DELAY = fc.integer({ min: 0, max: 300 });

/** The wait after a peer message: half at once (the window after a message may be milliseconds). */
export const MOMENT_DELAY = fc.oneof(fc.constant(0), TRIGGER_DELAY);

/** Quorum message types by sender role, for reading moments back from signature grams. */
const SENT_BY: Readonly<Record<string, readonly string[]>> = {
  "leader>follower": LEADER_SENDS,
  "follower>leader": LEARNER_SENDS,
};

/**
 * The peer-message moments a run showed, read from its signature's wire
 * 2-grams (`wire|leader>follower:NEWLEADER > follower>leader:ACK`): each
 * second message, once the first crossed its connection, as a trigger's
 * match. Election and PING traffic is left out.
 */
export function observedMoments(grams: readonly string[]): MessageMatch[] {
  const moments = new Map<string, MessageMatch>();
  for (const gram of grams) {
    if (!gram.startsWith("wire|")) continue;
    const tokens = gram.slice("wire|".length).split(" > ");
    if (tokens.length !== 2) continue;
    const [first, second] = tokens.map((token) => token.split(":")) as [string[], string[]];
    const [firstLink = "", firstType = ""] = first;
    const [link = "", type = ""] = second;
    if (!SENT_BY[firstLink]?.includes(firstType) || !SENT_BY[link]?.includes(type)) continue;
    if (type === "PING" || firstType === "PING" || firstType === type) continue;
    const [from, to] = link.split(">") as ["leader" | "follower", "leader" | "follower"];
    moments.set(`${firstType}>${type}@${link}`, { types: [type], after: firstType, from, to });
  }
  return [...moments.values()];
}

/**
 * A trigger: a state or a key log line, from a server of some role, then a
 * delay; with the wire recorded also a peer message (the fault starts while
 * the proxy holds it: a moment no log line marks, such as a follower's ACK of
 * NEWLEADER before its DIFF is on disk), most often one the parent run showed
 * (`moments`), then at once or after a delay.
 */
export function triggerArbitrary(
  wire = false,
  moments: readonly MessageMatch[] = [],
): fc.Arbitrary<ExploreTrigger> {
  const kinds: fc.Arbitrary<ExploreTrigger>[] = [
    fc.record({
      state: fc.constantFrom("new-leader-serving", "leader-changed", "server-synced" as const),
      delayMs: TRIGGER_DELAY,
    }),
    fc.record({
      log: fc.constantFrom(...TRIGGER_LOGS),
      server: fc.constantFrom<"any" | "leader" | "follower">("any", "leader", "follower"),
      delayMs: TRIGGER_DELAY,
    }),
  ];
  if (wire && moments.length === 0)
    kinds.push(fc.record({ wire: MESSAGE_MATCH, delayMs: TRIGGER_DELAY }));
  if (wire && moments.length > 0)
    // A moment the parent showed is a moment this run can reach: twice the weight of a state
    // or a line, and half of them with no delay (the window after a message may be milliseconds).
    return fc.oneof(...kinds.map((arbitrary) => ({ arbitrary, weight: 1 })), {
      arbitrary: fc.record({
        wire: fc.oneof(
          { arbitrary: fc.constantFrom(...moments), weight: 3 },
          { arbitrary: MESSAGE_MATCH, weight: 1 },
        ),
        delayMs: MOMENT_DELAY,
      }),
      weight: 2,
    });
  return fc.oneof(...kinds);
}

/** Does this trigger name a server (its log line's, its message's sender) a fault can hit as "logged"? */
export function namesLoggedServer(when: ExploreTrigger | undefined): boolean {
  return when?.log !== undefined || when?.wire !== undefined;
}

/** The workload's shape: register workers at a modest rate, maybe each on one server, maybe restarting sessions. */
export const WORKLOAD: fc.Arbitrary<ExploreWorkload> = fc.record(
  {
    workers: fc.integer({ min: 2, max: 14 }),
    rate: fc.integer({ min: 5, max: 40 }),
    registers: fc.integer({ min: 1, max: 5 }),
    connect: fc.constantFrom<"all" | "one">("all", "one"),
    sessionOps: fc.integer({ min: 4, max: 50 }),
  },
  { requiredKeys: ["workers", "rate", "registers"] },
);

/** Bounds of a campaign's candidates. */
export interface VocabularyOptions {
  readonly nodes: number;
  readonly provider: ProviderName;
  /** The longest run (ms). */
  readonly maxDurationMs: number;
  /** The most faults in one run. */
  readonly maxFaults: number;
  /** The peer messages are recorded: triggers may wait for one. */
  readonly wire?: boolean;
  /** Peer-message moments the parent run showed (observedMoments of its grams). */
  readonly moments?: readonly MessageMatch[];
}

/** Every kind explore can draw. */
export const EXPLORABLE_KINDS = Object.keys(SPEC_ARBITRARIES) as ExplorableKind[];

/**
 * The kinds this provider on this machine can make (of `wanted`, default
 * all; message faults only with the `wire` recorded), each left out with
 * why; a wanted kind it cannot make is refused.
 */
export function explorableKinds(
  provider: ProviderName,
  wanted: readonly string[] = EXPLORABLE_KINDS,
  wire = true,
): {
  kinds: ExplorableKind[];
  skipped: Record<string, string>;
} {
  const unknown = wanted.filter((kind) => !(EXPLORABLE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0)
    throw new BadInputError(
      `--kinds ${unknown.join(",")}: not a kind explore draws; choose from ${EXPLORABLE_KINDS.join(", ")}`,
    );
  const kinds: ExplorableKind[] = [];
  const skipped: Record<string, string> = {};
  for (const kind of wanted as readonly ExplorableKind[]) {
    const why =
      PROVIDERS[provider].cannot[kind] ??
      (!wire && MESSAGE_FAULT_KINDS.has(kind)
        ? "acts on single peer messages, which needs the wire (--wire summary, on the local provider)"
        : undefined) ??
      (provider === "ssh" ? undefined : machineCannot(kind));
    if (why === undefined) kinds.push(kind);
    else skipped[kind] = why;
  }
  if (kinds.length === 0)
    throw new BadInputError(
      `none of the fault kinds asked for can be made here (${Object.entries(skipped)
        .map(([kind, why]) => `${kind}: ${why}`)
        .join("; ")}): choose others with --kinds`,
    );
  return { kinds, skipped };
}

/** The arbitrary spec of one of `kinds`; its target may name the faults `others`. */
export function specArbitrary(
  kinds: readonly ExplorableKind[],
  nodes: number,
  others: readonly string[] = [],
): fc.Arbitrary<FaultSpec> {
  const target = targetArbitrary(others);
  return fc.oneof(
    ...kinds.map((kind) => SPEC_ARBITRARIES[kind](nodes, target) as fc.Arbitrary<FaultSpec>),
  );
}

/** One fault in a run of `durationMs`: when, how long, what, and maybe a trigger (then often on the logging server). */
export function faultArbitrary(
  kinds: readonly ExplorableKind[],
  nodes: number,
  durationMs: number,
  id: string,
  wire = false,
  others: readonly string[] = [],
  moments: readonly MessageMatch[] = [],
): fc.Arbitrary<ExploreFault> {
  return fc
    .record({
      atMs: fc.integer({ min: 500, max: Math.max(500, Math.round(durationMs * 0.6)) }),
      forMs: fc.integer({ min: 300, max: Math.max(300, Math.round(durationMs * 0.3)) }),
      spec: specArbitrary(kinds, nodes, others),
      // One fault in four waits for a moment of the protocol; the others start at their time.
      when: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        { arbitrary: triggerArbitrary(wire, moments), weight: 1 },
      ),
      onLogged: fc.boolean(),
    })
    .map(({ atMs, forMs, spec, when, onLogged }) => ({
      id,
      atMs,
      forMs,
      spec:
        namesLoggedServer(when) && onLogged && "target" in spec
          ? { ...spec, target: "logged" as const }
          : spec,
      ...(when !== undefined ? { when } : {}),
    }));
}

/** A fresh candidate: a run length, a workload, and one to `maxFaults` faults. */
export function candidateArbitrary(
  kinds: readonly ExplorableKind[],
  options: VocabularyOptions,
): fc.Arbitrary<ExploreCandidate> {
  const min = Math.min(8000, options.maxDurationMs);
  return fc.integer({ min, max: options.maxDurationMs }).chain((durationMs) =>
    fc.record({
      nodes: fc.constant(options.nodes),
      durationMs: fc.constant(durationMs),
      workload: WORKLOAD,
      faults: fc
        .array(fc.nat(), { minLength: 1, maxLength: options.maxFaults })
        .chain((slots) =>
          fc.tuple(
            ...slots.map((_, index) =>
              faultArbitrary(
                kinds,
                options.nodes,
                durationMs,
                `x${index + 1}`,
                options.wire,
                // A fault may name the ones drawn before it.
                Array.from({ length: index }, (_, earlier) => `x${earlier + 1}`),
              ),
            ),
          ),
        )
        .map(startsUntriggered),
    }),
  );
}

/** The faults with the first one starting at its time: a run whose faults all wait for a moment may never have one. */
function startsUntriggered(faults: ExploreFault[]): ExploreFault[] {
  if (faults.some((fault) => fault.when === undefined)) return faults;
  const [first, ...rest] = faults;
  if (first === undefined) return faults;
  const { when: _when, ...timed } = first;
  const spec =
    "target" in timed.spec && timed.spec.target === "logged"
      ? { ...timed.spec, target: "random" as const }
      : timed.spec;
  return [{ ...timed, spec }, ...rest];
}

/** One value of an arbitrary, drawn from a seed (the same seed, the same value). */
export function drawWith<T>(arbitrary: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arbitrary, { seed, numRuns: 1 })[0] as T;
}
