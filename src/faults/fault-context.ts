import type { Ensemble } from "../ensemble/ensemble.js";
import type { LinkFaults } from "../network/link-faults.js";
import type { DirectedPair } from "../network/link-topology.js";
import type { Random } from "../util/seeded-random.js";
import type { FaultSpec, LinkSelection, Target } from "./fault-spec.js";

/** A fault in force: what was asked, what it hit, and how to undo it. */
export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** What the fault resolved to when it started (servers, groups, links). */
  readonly detail: Readonly<Record<string, unknown>>;
  heal(): Promise<void>;
}

/** What a fault handler may use of the nemesis: the ensemble, its links, targets and the history. */
export interface FaultContext {
  readonly ensemble: Ensemble;
  /** The nemesis's seeded source (random targets, groups, damaged bytes). */
  readonly random: Random;
  /** Servers held to a fraction of a core ("slow" in the connectivity view). */
  readonly starved: Set<number>;
  /** Every server id of the ensemble. */
  ids(): number[];
  /** The links, or a bad-input error naming the fault that needs them. */
  network(kind: string): LinkFaults;
  /** Directed peer links a selection names (absent or "all": every one). */
  links(selection: LinkSelection | undefined): DirectedPair[];
  /** `count` distinct running servers a target names, for fault `id`. */
  resolve(target: Target | undefined, count: number, id: string): Promise<number[]>;
  /** The one running server a fault hits (random when the scenario names none). */
  oneTarget(target: Target | undefined, id: string): Promise<number>;
  /** The leader now, waited for a while when there is none. */
  leader(): Promise<number>;
  /** Runs an action that starts servers, never beside a supervisor's restart. */
  exclusive<T>(act: () => Promise<T>): Promise<T>;
  /** Records what a fault or its heal observed, as a nemesis info event. */
  record(f: string, value: unknown): void;
  /** The ensemble, if it has the ability a fault needs; else a bad-input error naming what is missing. */
  ability<E extends Ensemble>(
    has: (ensemble: Ensemble) => ensemble is E,
    kind: string,
    needs: string,
  ): E;
}

/** Starts one kind of fault and returns how to heal it. */
export type FaultHandler<S extends FaultSpec = FaultSpec> = (
  context: FaultContext,
  id: string,
  spec: S,
) => Promise<ActiveFault>;

/** Handlers of some fault kinds, each taking its own spec. */
export type FaultHandlers<K extends FaultSpec["kind"]> = {
  readonly [Kind in K]: FaultHandler<Extract<FaultSpec, { kind: Kind }>>;
};

/** A fault with nothing to undo (restarts, version and membership changes are permanent). */
export const PERMANENT = async (): Promise<void> => {};
