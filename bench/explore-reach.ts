/**
 * How far explore's mutations are from a known deep bug: the NEWLEADER loss
 * of 3.8.0 (ZOOKEEPER-4643's family) written in explore's own vocabulary, a
 * chain of four kills. For each prefix of the chain it samples N mutations
 * and prints how often one adds the next step, for the whole vocabulary and
 * for kills alone, blind and with the parent's observed peer-message moments
 * (a real run's wire 2-grams, as the campaign passes them); beside it, the
 * anchor: how often a fresh draw (the blind random schedule) holds the whole
 * chain. Pure computation, no ensemble.
 *   node dist/bench/explore-reach.js [mutations-per-prefix=100000]
 */
import type { ExploreCandidate, ExploreFault } from "../src/explore/candidate.js";
import { type MutationContext, mutate } from "../src/explore/mutate.js";
import {
  candidateArbitrary,
  drawWith,
  EXPLORABLE_KINDS,
  type ExplorableKind,
  observedMoments,
} from "../src/explore/vocabulary.js";
import type { MessageMatch } from "../src/faults/fault-spec.js";

const samples = Number(process.argv[2] ?? 100_000);

/** The chain: a follower lags, a second follower goes, the first is killed as it ACKs NEWLEADER, then its source. */
const CHAIN: readonly ExploreFault[] = [
  { id: "x1", atMs: 2000, forMs: 4000, spec: { kind: "kill", target: "follower", count: 1 } },
  {
    id: "x2",
    atMs: 3000,
    forMs: 9000,
    spec: { kind: "kill", target: "follower", count: 1 },
    after: "x1",
  },
  {
    id: "x3",
    atMs: 0,
    forMs: 7000,
    spec: { kind: "kill", target: "logged", count: 1 },
    after: "x2",
    when: {
      wire: { types: ["ACK"], after: "NEWLEADER", from: "follower", to: "leader" },
      delayMs: 0,
    },
  },
  {
    id: "x4",
    atMs: 300,
    forMs: 9000,
    spec: { kind: "kill", target: { "other-than": ["x2", "x3"] }, count: 1 },
    after: "x3",
  },
];

/** The quorum 2-grams a 3-server run on 3.9.5 with one leader kill showed (explore-2026-54's signature). */
const OBSERVED = [
  "wire|follower>leader:FOLLOWERINFO > leader>follower:LEADERINFO",
  "wire|leader>follower:LEADERINFO > follower>leader:ACKEPOCH",
  "wire|follower>leader:ACKEPOCH > leader>follower:DIFF",
  "wire|leader>follower:DIFF > leader>follower:PROPOSAL",
  "wire|leader>follower:PROPOSAL > leader>follower:COMMIT",
  "wire|leader>follower:COMMIT > leader>follower:PROPOSAL",
  "wire|leader>follower:COMMIT > leader>follower:NEWLEADER",
  "wire|leader>follower:NEWLEADER > follower>leader:ACK",
  "wire|follower>leader:ACK > leader>follower:UPTODATE",
  "wire|leader>follower:UPTODATE > follower>leader:ACK",
  "wire|follower>leader:ACK > leader>follower:PROPOSAL",
  "wire|leader>follower:COMMIT > follower>leader:ACK",
  "wire|leader>follower:PROPOSAL > follower>leader:ACK",
  "wire|follower>leader:ACK > leader>follower:COMMIT",
  "wire|leader>follower:COMMIT > follower>leader:REQUEST",
  "wire|follower>leader:REQUEST > leader>follower:PROPOSAL",
  "wire|leader>follower:DIFF > leader>follower:NEWLEADER",
  "wire|follower>leader:ACK > follower>leader:REQUEST",
  "wire|follower>leader:REQUEST > leader>follower:COMMIT",
  "wire|leader>follower:PROPOSAL > follower>leader:REQUEST",
  "wire|follower>leader:REQUEST > follower>leader:ACK",
];

const kill = (fault: ExploreFault) => fault.spec.kind === "kill";
const target = (fault: ExploreFault) => (fault.spec as { target?: unknown }).target;
const otherThan = (fault: ExploreFault): string[] =>
  ((target(fault) as { "other-than"?: string[] } | undefined)?.["other-than"] ?? []).slice();

/** Does `fault`, added to the prefix, do what step `step` of the chain does? (Loosely: its effect, not its numbers.) */
const STEPS: readonly ((fault: ExploreFault) => boolean)[] = [
  () => true,
  // Another follower goes while the first is still down, long enough to outlast its return.
  (fault) =>
    kill(fault) &&
    (target(fault) === "follower" || otherThan(fault).includes("x1")) &&
    fault.forMs >= 5000 &&
    (fault.after === "x1" ? fault.atMs <= 3900 : fault.atMs >= 2000 && fault.atMs <= 5900),
  // The returning follower dies between taking the epoch and writing its DIFF.
  (fault) =>
    kill(fault) &&
    target(fault) === "logged" &&
    fault.when?.wire?.types[0] === "ACK" &&
    fault.when.wire.after === "NEWLEADER" &&
    fault.when.wire.from !== "leader" &&
    (fault.when.delayMs ?? 0) <= 20 &&
    fault.after === "x2" &&
    fault.atMs <= 1000,
  // The server it synced from goes at once: the one no earlier fault left standing down.
  (fault) =>
    kill(fault) &&
    otherThan(fault).includes("x2") &&
    (otherThan(fault).includes("x3") || otherThan(fault).includes("x1")) &&
    fault.after === "x3" &&
    fault.atMs <= 1000 &&
    fault.forMs >= 3000,
];

const base: ExploreCandidate = {
  nodes: 3,
  durationMs: 20_000,
  workload: { workers: 6, rate: 40, registers: 3 },
  faults: [],
};

function reach(kinds: readonly ExplorableKind[], moments: readonly MessageMatch[]): string[] {
  const context: MutationContext = {
    nodes: 3,
    provider: "local",
    maxDurationMs: 20_000,
    maxFaults: 4,
    wire: true,
    kinds,
    moments,
  };
  const rows: string[] = [];
  for (let step = 1; step < CHAIN.length; step++) {
    const prefix = { ...base, faults: CHAIN.slice(0, step) };
    const check = STEPS[step] as (fault: ExploreFault) => boolean;
    let hits = 0;
    for (let seed = 0; seed < samples; seed++) {
      const { candidate } = mutate(prefix, context, seed * 2 + 1);
      const added = candidate.faults[step];
      if (candidate.faults.length === step + 1 && added !== undefined && check(added)) hits++;
    }
    rows.push(
      `  step ${step + 1} from the first ${step}: ${hits}/${samples} mutations (${hits > 0 ? `1 in ${Math.round(samples / hits)}` : "none"})`,
    );
  }
  let whole = 0;
  for (let seed = 0; seed < samples; seed++) {
    const fresh = drawWith(candidateArbitrary(kinds, { ...context, maxFaults: 4 }), seed);
    if (
      fresh.faults.length === CHAIN.length &&
      fresh.faults.every(
        (fault, at) => at === 0 || (STEPS[at] as (f: ExploreFault) => boolean)(fault),
      )
    )
      whole++;
  }
  rows.push(`  anchor, a fresh draw holding the whole chain: ${whole}/${samples}`);
  return rows;
}

console.log(
  `explore reach: the NEWLEADER loss as a chain of ${CHAIN.length} kills, ${samples} samples each`,
);
const moments = observedMoments(OBSERVED);
for (const [name, kinds] of [
  [`every kind (${EXPLORABLE_KINDS.length})`, EXPLORABLE_KINDS],
  ["kills only (--kinds kill)", ["kill"]],
] as const) {
  console.log(`${name}, blind:`);
  for (const row of reach(kinds, [])) console.log(row);
  console.log(`${name}, with the parent's ${moments.length} observed message moments:`);
  for (const row of reach(kinds, moments).slice(0, -1)) console.log(row);
}
