/**
 * The checker registry: every checker a scenario may name, with the guarantee
 * it checks and the pure function of the history that checks it. The scenario
 * schema and the runner take names from here.
 */
import { type HistoryEvent, recordedSettings } from "../history/event.js";
import { type AvailabilitySettings, checkAvailability } from "./availability.js";
import { checkInternalErrors } from "./internal-errors.js";
import { checkRunRecovery } from "./recovery.js";
import {
  checkHistoryTransactions,
  TRANSACTIONS_GUARANTEE,
} from "./transactions/check-transactions.js";
import type { Verdict } from "./verdict.js";
import { checkGeneralLinearizability, checkZooKeeper } from "./zookeeper/zookeeper-checker.js";

/** What checkers read beside the history: settings a history may not carry, and the scenario's expectation. */
export interface CheckContext {
  /** Session timeout of the workers (ms). */
  readonly sessionTimeoutMs: number;
  /** The ensemble's settings, used where the history records none. */
  readonly settings: Omit<AvailabilitySettings, "sessionTimeoutMs">;
  /** The scenario expects its faults to cost the quorum for a while. */
  readonly expectUnavailable?: boolean;
  /** The availability verdict, computed once for the checkers that read it. */
  availability(): Verdict;
}

/** One checker: the guarantee it checks and its verdicts on a history. */
export interface CheckerEntry {
  readonly guarantee: string;
  /** False for a checker a scenario must name (it is left out of the default list). */
  readonly byDefault?: false;
  check(events: readonly HistoryEvent[], context: CheckContext): Verdict[];
}

/** Every checker by name. */
export const CHECKER_REGISTRY = {
  zookeeper: {
    guarantee:
      "ZooKeeper's guarantees from zxids: writes, reads, sessions, snapshots, ephemerals, convergence, leaders",
    check: (events, context) =>
      checkZooKeeper(events, { sessionTimeoutMs: context.sessionTimeoutMs, general: false }),
  },
  linearizability: {
    guarantee: "the general search on the register workload (writes, cas, synced reads)",
    check: (events, context) =>
      checkGeneralLinearizability(events, { sessionTimeoutMs: context.sessionTimeoutMs }),
  },
  availability: {
    guarantee: "writes only where a quorum can form, and there after the election grace",
    check: (_events, context) => [context.availability()],
  },
  transactions: {
    guarantee: TRANSACTIONS_GUARANTEE,
    // A history without transactions gets no verdict.
    check: (events) => checkHistoryTransactions(events),
  },
  "internal-errors": {
    guarantee: "servers hit no internal error (a NullPointerException is ZooKeeper's own bug)",
    byDefault: false,
    check: (events) => [checkInternalErrors(events)],
  },
  recovery: {
    guarantee: "after the last heal the ensemble serves again and every server holds the same data",
    check: (events, context) => [
      checkRunRecovery(events, {
        availability: context.availability(),
        ...(context.expectUnavailable !== undefined
          ? { expectUnavailable: context.expectUnavailable }
          : {}),
      }),
    ],
  },
} as const satisfies Record<string, CheckerEntry>;

/** A checker name. */
export type CheckerName = keyof typeof CHECKER_REGISTRY;

/** Every checker name with its guarantee (the scenario schema and help take names from here). */
export const CHECKERS: Readonly<Record<CheckerName, string>> = Object.fromEntries(
  Object.entries(CHECKER_REGISTRY).map(([name, entry]) => [name, entry.guarantee]),
) as Record<CheckerName, string>;

/** The checkers a scenario runs when it names none. */
export const DEFAULT_CHECKERS: readonly CheckerName[] = (
  Object.entries(CHECKER_REGISTRY) as [CheckerName, CheckerEntry][]
)
  .filter(([, entry]) => entry.byDefault !== false)
  .map(([name]) => name);

/** The verdicts of the named checkers on a history, in registry order. */
export function runCheckers(
  names: readonly CheckerName[],
  events: readonly HistoryEvent[],
  options: Omit<CheckContext, "availability">,
): Verdict[] {
  let availability: Verdict | undefined;
  const context: CheckContext = {
    ...options,
    availability: () => {
      availability ??= checkAvailability(
        events,
        recordedSettings(events) ?? {
          ...options.settings,
          sessionTimeoutMs: options.sessionTimeoutMs,
        },
      );
      return availability;
    },
  };
  const wanted = new Set(names);
  return (Object.keys(CHECKER_REGISTRY) as CheckerName[])
    .filter((name) => wanted.has(name))
    .flatMap((name) => CHECKER_REGISTRY[name].check(events, context));
}
