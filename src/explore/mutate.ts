/**
 * Mutations of a corpus entry (Mallory's and AFL's way: small changes to what
 * already reached new behaviour): add, drop, move, stretch or retarget a
 * fault, change its kind or trigger, change the workload or the run's length.
 * A registry of named mutations, each an arbitrary over the changed
 * candidate, so a seed picks the same mutation with the same parameters.
 */
import fc from "fast-check";
import {
  type ExploreCandidate,
  type ExploreFault,
  faultStartMs,
  targetNames,
  withoutFault,
} from "./candidate.js";
import {
  drawWith,
  type ExplorableKind,
  faultArbitrary,
  MOMENT_DELAY,
  namesLoggedServer,
  specArbitrary,
  triggerArbitrary,
  type VocabularyOptions,
  WORKLOAD,
} from "./vocabulary.js";

/** What a mutation may use: the kinds to draw from and the campaign's bounds. */
export interface MutationContext extends VocabularyOptions {
  readonly kinds: readonly ExplorableKind[];
}

interface Mutation {
  /** Can it change this candidate at all? */
  applies(candidate: ExploreCandidate, context: MutationContext): boolean;
  /** The changed candidates it may make. */
  arbitrary(candidate: ExploreCandidate, context: MutationContext): fc.Arbitrary<ExploreCandidate>;
}

/** A fault index of the candidate. */
const index = (candidate: ExploreCandidate) => fc.nat({ max: candidate.faults.length - 1 });

/** The candidate with fault `at` replaced by what `change` makes of it. */
function withFault(
  candidate: ExploreCandidate,
  at: number,
  change: (fault: ExploreFault) => ExploreFault,
): ExploreCandidate {
  return {
    ...candidate,
    faults: candidate.faults.map((fault, position) => (position === at ? change(fault) : fault)),
  };
}

/** The first id `x<n>` the candidate does not use. */
function freshId(candidate: ExploreCandidate): string {
  const used = new Set(candidate.faults.map((fault) => fault.id));
  let n = candidate.faults.length + 1;
  while (used.has(`x${n}`)) n++;
  return `x${n}`;
}

/** The faults fault `at`'s target may name: the others, but none whose own target names it (no loop). */
function nameable(candidate: ExploreCandidate, at: number): string[] {
  const self = candidate.faults[at]?.id ?? "";
  return candidate.faults
    .filter((fault) => fault.id !== self && !targetNames(fault, self))
    .map((fault) => fault.id);
}

/** How long after the fault it follows a chained fault starts (ms). */
const CHAIN_GAP = { min: 0, max: 3000 };

/** A place in a chain: after one of `ids`, this long after its start. */
function chainLink(ids: readonly string[]): fc.Arbitrary<{ after: string; atMs: number }> {
  return fc.record({ after: fc.constantFrom(...ids), atMs: fc.integer(CHAIN_GAP) });
}

/** Pairs (fault index, id of another fault) where timing the one after the other closes no loop. */
function chainable(candidate: ExploreCandidate): [number, string][] {
  const byId = new Map(candidate.faults.map((fault) => [fault.id, fault]));
  // Is `from`, or a fault it is timed after, the fault `id`?
  const follows = (from: string | undefined, id: string): boolean => {
    for (let seen = 0; from !== undefined && seen <= byId.size; seen++) {
      if (from === id) return true;
      from = byId.get(from)?.after;
    }
    return false;
  };
  return candidate.faults.flatMap((fault, at) =>
    candidate.faults
      .filter((other) => other.id !== fault.id && other.id !== fault.after)
      .filter((other) => !follows(other.id, fault.id))
      .map((other): [number, string] => [at, other.id]),
  );
}

/** The faults whose removal leaves the run at least one. */
function droppable(candidate: ExploreCandidate): number[] {
  return candidate.faults.flatMap((_, at) =>
    withoutFault(candidate, at).faults.length > 0 ? [at] : [],
  );
}

/** Every mutation by name. */
export const MUTATIONS = {
  add: {
    applies: (candidate, context) => candidate.faults.length < context.maxFaults,
    arbitrary: (candidate, context) =>
      fc
        .tuple(
          faultArbitrary(
            context.kinds,
            candidate.nodes,
            candidate.durationMs,
            freshId(candidate),
            context.wire,
            candidate.faults.map((fault) => fault.id),
            context.moments,
          ),
          // One added fault in three follows one already there: chains of faults (a lag, a
          // second crash, a kill in the sync that follows) are how the deep bugs are reached.
          candidate.faults.length === 0
            ? fc.constant(undefined)
            : fc.oneof(
                { arbitrary: fc.constant(undefined), weight: 2 },
                { arbitrary: chainLink(candidate.faults.map((fault) => fault.id)), weight: 1 },
              ),
        )
        .map(([fault, link]) => ({
          ...candidate,
          faults: [
            ...candidate.faults,
            link === undefined ? fault : { ...fault, after: link.after, atMs: link.atMs },
          ],
        })),
  },
  // DistFuzz's idea: a moment the parent run showed on the wire is a place to strike. A new
  // fault waits for one of its messages, often chained to a fault already there and on the
  // server that sent it.
  "at-moment": {
    applies: (candidate, context) =>
      context.wire === true &&
      (context.moments?.length ?? 0) > 0 &&
      candidate.faults.length < context.maxFaults,
    arbitrary: (candidate, context) => {
      const ids = candidate.faults.map((fault) => fault.id);
      return fc
        .record({
          fault: faultArbitrary(
            context.kinds,
            candidate.nodes,
            candidate.durationMs,
            freshId(candidate),
            false,
            ids,
          ),
          wire: fc.constantFrom(...(context.moments ?? [])),
          after:
            ids.length > 0
              ? fc.option(fc.constantFrom(...ids), { nil: undefined })
              : fc.constant(undefined),
          onSender: fc.boolean(),
          delayMs: MOMENT_DELAY,
        })
        .map(({ fault, wire, after, onSender, delayMs }) => {
          const { when: _when, after: _after, ...timed } = fault;
          const struck: ExploreFault = {
            ...timed,
            // Chained, it is armed when that fault starts: the message decides the moment.
            ...(after !== undefined ? { after, atMs: 0 } : {}),
            when: { wire, delayMs },
            spec:
              onSender && "target" in fault.spec
                ? { ...fault.spec, target: "logged" as const }
                : fault.spec,
          };
          return { ...candidate, faults: [...candidate.faults, struck] };
        });
    },
  },
  chain: {
    applies: (candidate) => chainable(candidate).length > 0,
    arbitrary: (candidate) =>
      fc
        .tuple(fc.constantFrom(...chainable(candidate)), fc.integer(CHAIN_GAP))
        .map(([[at, after], atMs]) =>
          withFault(candidate, at, (fault) => ({ ...fault, after, atMs })),
        ),
  },
  unchain: {
    applies: (candidate) => candidate.faults.some((fault) => fault.after !== undefined),
    arbitrary: (candidate) =>
      fc
        .constantFrom(
          ...candidate.faults.flatMap((fault, at) => (fault.after !== undefined ? [at] : [])),
        )
        .map((at) =>
          withFault(candidate, at, ({ after: _after, ...fault }) => ({
            ...fault,
            atMs: Math.min(
              faultStartMs(candidate, candidate.faults[at] as ExploreFault),
              Math.max(0, candidate.durationMs - 1000),
            ),
          })),
        ),
  },
  drop: {
    applies: (candidate) => droppable(candidate).length > 0,
    arbitrary: (candidate) =>
      fc.constantFrom(...droppable(candidate)).map((at) => withoutFault(candidate, at)),
  },
  move: {
    applies: (candidate) => candidate.faults.length > 0,
    arbitrary: (candidate) =>
      fc.tuple(index(candidate), fc.integer({ min: -3000, max: 3000 })).map(([at, shift]) =>
        withFault(candidate, at, (fault) => ({
          ...fault,
          atMs: Math.min(Math.max(0, fault.atMs + shift), Math.max(0, candidate.durationMs - 1000)),
        })),
      ),
  },
  stretch: {
    applies: (candidate) => candidate.faults.length > 0,
    arbitrary: (candidate) =>
      fc.tuple(index(candidate), fc.constantFrom(0.25, 0.5, 1.5, 2, 3)).map(([at, factor]) =>
        withFault(candidate, at, (fault) => ({
          ...fault,
          forMs: Math.max(100, Math.round(fault.forMs * factor)),
        })),
      ),
  },
  retarget: {
    applies: (candidate) => candidate.faults.length > 0,
    arbitrary: (candidate, context) =>
      index(candidate).chain((at) => {
        const kind = candidate.faults[at]?.spec.kind as ExplorableKind;
        const kinds = context.kinds.includes(kind) ? [kind] : context.kinds;
        return specArbitrary(kinds, candidate.nodes, nameable(candidate, at)).map((spec) =>
          withFault(candidate, at, (fault) => ({ ...fault, spec })),
        );
      }),
  },
  "change-kind": {
    applies: (candidate) => candidate.faults.length > 0,
    arbitrary: (candidate, context) =>
      index(candidate).chain((at) =>
        specArbitrary(context.kinds, candidate.nodes, nameable(candidate, at)).map((spec) =>
          withFault(candidate, at, (fault) => ({ ...fault, spec })),
        ),
      ),
  },
  trigger: {
    applies: (candidate) => candidate.faults.length > 0,
    arbitrary: (candidate, context) =>
      fc
        .tuple(
          index(candidate),
          fc.option(triggerArbitrary(context.wire, context.moments), { nil: undefined }),
        )
        .map(([at, when]) =>
          withFault(candidate, at, ({ when: _old, ...fault }) => ({
            ...fault,
            ...(when !== undefined ? { when } : {}),
            // A fault no log line or message fires has no logged server to hit.
            ...(!namesLoggedServer(when) && "target" in fault.spec && fault.spec.target === "logged"
              ? { spec: { ...fault.spec, target: "random" } }
              : {}),
          })),
        ),
  },
  delay: {
    applies: (candidate) => candidate.faults.some((fault) => fault.when !== undefined),
    arbitrary: (candidate) => {
      const triggered = candidate.faults.flatMap((fault, at) => (fault.when ? [at] : []));
      return fc
        .tuple(fc.constantFrom(...triggered), fc.integer({ min: 0, max: 500 }))
        .map(([at, delayMs]) =>
          withFault(candidate, at, (fault) =>
            fault.when ? { ...fault, when: { ...fault.when, delayMs } } : fault,
          ),
        );
    },
  },
  workload: {
    applies: () => true,
    arbitrary: (candidate) => WORKLOAD.map((workload) => ({ ...candidate, workload })),
  },
  length: {
    applies: () => true,
    arbitrary: (candidate, context) =>
      fc
        .integer({ min: Math.min(8000, context.maxDurationMs), max: context.maxDurationMs })
        .map((durationMs) => ({
          ...candidate,
          durationMs,
          faults: candidate.faults.map((fault) => ({
            ...fault,
            atMs: Math.min(fault.atMs, Math.max(0, durationMs - 1000)),
          })),
        })),
  },
} as const satisfies Record<string, Mutation>;

/** A mutation's name. */
export type MutationName = keyof typeof MUTATIONS;

/** One mutation of `candidate`, chosen and parameterised by `seed`: the new candidate and its name. */
export function mutate(
  candidate: ExploreCandidate,
  context: MutationContext,
  seed: number,
): { candidate: ExploreCandidate; how: MutationName } {
  const names = (Object.keys(MUTATIONS) as MutationName[]).filter((name) =>
    MUTATIONS[name].applies(candidate, context),
  );
  const how = drawWith(fc.constantFrom(...names), seed);
  const mutation: Mutation = MUTATIONS[how];
  return { candidate: drawWith(mutation.arbitrary(candidate, context), seed + 1), how };
}
