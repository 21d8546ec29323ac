import { type HistoryEvent, recordedSettings } from "../../history/event.js";
import { checkSafely, type Verdict } from "../verdict.js";
import {
  checkConvergence,
  checkLeaders,
  checkRecovery,
  checkSessionIds,
} from "./cluster-checks.js";
import { generalVerdictSoon } from "./general-in-worker.js";
import { type GeneralVerdict, generalVerdictNow, registerOpSource } from "./general-verdict.js";
import { outlineOf } from "./history-outline.js";
import {
  checkLeaderCompleteness,
  explainByIncompleteLeaders,
  findIncompleteLeaders,
  hasElectionLines,
  type IncompleteLeader,
  leaderCompletenessBugs,
} from "./leader-completeness.js";
import { pairOps } from "./operations.js";
import { checkRegisterObservations } from "./register-checks.js";
import { type RegisterExtract, registerObservations } from "./register-observations.js";
import { explainSyncsOnLeaders } from "./sync-on-leader.js";
import { checkEphemerals, checkSequentialNames, checkSnapshots } from "./topology-checks.js";
import { checkWatches } from "./watch-checks.js";

/** Settings the checks derive their bounds from. */
export interface ZooKeeperCheckOptions {
  /** Session timeout of the workers (ms): bounds how late an expired registration may linger. */
  readonly sessionTimeoutMs?: number;
  /** Budget of the general checker's cross-check. */
  readonly timeoutMs?: number;
  /** Run the general linearizability search too (default true): the costly one, skipped when not asked for. */
  readonly general?: boolean;
}

/** The register workload's operations. */
const REGISTER_FS = ["read", "write", "cas"] as const;

const withValidity = (anomalies: readonly unknown[]) => anomalies.length === 0;

/** The general search's budget when none is given (ms). */
const GENERAL_BUDGET_MS = 30_000;

/** The general linearizability search alone, on a history with register operations (else nothing). */
export function checkGeneralLinearizability(
  events: readonly HistoryEvent[],
  options: ZooKeeperCheckOptions = {},
): Verdict[] {
  const outline = outlineOf(events);
  if (!REGISTER_FS.some((f) => outline.invoked.has(f))) return [];
  const ops = pairOps(outline.workerEvents);
  const verdict = generalVerdictNow(registerOpSource(ops), options.timeoutMs ?? GENERAL_BUDGET_MS);
  // Alone (the `linearizability` checker) it still names the leader that lost what it could not
  // linearize, as the zookeeper checker does for its own verdicts.
  const leaders = hasElectionLines(events) ? findIncompleteLeaders(events) : [];
  return [
    { ...verdict, anomalies: explainByIncompleteLeaders(verdict.anomalies, events, leaders) },
  ];
}

/**
 * Every ZooKeeper guarantee the history can speak to, one verdict each. The
 * register workload is also checked by the general linearizability checker,
 * a search that needs no zxids: the two must agree.
 */
export function checkZooKeeper(
  events: readonly HistoryEvent[],
  options: ZooKeeperCheckOptions = {},
): Verdict[] {
  const { verdicts, explain } = zooKeeperVerdicts(events, options, generalVerdictNow);
  return verdicts.map((verdict) => explain(verdict as Verdict));
}

/**
 * The same verdicts as checkZooKeeper, with the general search on a second
 * core while the others are decided (on large histories: general-in-worker.ts).
 */
export async function checkZooKeeperInParallel(
  events: readonly HistoryEvent[],
  options: ZooKeeperCheckOptions = {},
): Promise<Verdict[]> {
  const { verdicts, explain } = zooKeeperVerdicts(events, options, generalVerdictSoon);
  return (await Promise.all(verdicts)).map(explain);
}

/**
 * The verdicts in their order, the general one as `general` gives it, and
 * how each is explained by the leaders that took over without committed
 * writes and the syncs a leader answered.
 */
function zooKeeperVerdicts(
  events: readonly HistoryEvent[],
  options: ZooKeeperCheckOptions,
  generalOf: GeneralVerdict,
): { verdicts: (Verdict | Promise<Verdict>)[]; explain: (verdict: Verdict) => Verdict } {
  const outline = outlineOf(events);
  const ops = pairOps(outline.workerEvents);
  const finalReads = outline.finalReads;
  const verdicts: (Verdict | Promise<Verdict>)[] = [];
  const hasRegisters = REGISTER_FS.some((f) => outline.invoked.has(f));
  if (hasRegisters) {
    // One pass reads the register ops for both checkers: what the zxid checks need, and the
    // general search's columns (a million ops read twice cost a second).
    const general = options.general !== false;
    let extract: RegisterExtract | undefined;
    let extractError: unknown;
    try {
      extract = registerObservations(ops, { columns: general });
    } catch (error) {
      // Becomes the zxid checks' verdict (a crashed checker), as it did when they made it.
      extractError = error;
    }
    // Started first: in a worker it runs while the zxid checks below do.
    const generalVerdict = general
      ? generalOf(registerOpSource(ops, extract), options.timeoutMs ?? GENERAL_BUDGET_MS)
      : undefined;
    verdicts.push(
      checkSafely(
        "zookeeper-registers",
        "acknowledged writes ordered by zxid in real time, one value per version, reads of written values, no session going back, no lost write",
        () => {
          if (extract === undefined) throw extractError;
          const found = checkRegisterObservations(
            extract,
            finalReads.filter((event) => event.type === "ok"),
          );
          return {
            valid: withValidity(found.anomalies),
            anomalies: found.anomalies,
            stats: found.stats,
          };
        },
      ),
    );
    if (generalVerdict !== undefined) verdicts.push(generalVerdict);
  }
  if (outline.invoked.has("read-subtree")) {
    verdicts.push(
      checkSafely(
        "topology-snapshots",
        "topology invariants hold in every snapshot (atomic multi-ops); one value per znode version",
        () => {
          const found = checkSnapshots(ops);
          return {
            valid: withValidity(found.anomalies),
            anomalies: found.anomalies,
            stats: { snapshots: found.snapshots },
          };
        },
      ),
    );
    verdicts.push(
      checkSafely(
        "ephemeral-registrations",
        "a host registration vanishes once its session expired, and not before",
        () => {
          const graceNs = ((options.sessionTimeoutMs ?? 4000) + 2000) * 1e6;
          const anomalies = checkEphemerals(ops, events, graceNs);
          return { valid: withValidity(anomalies), anomalies };
        },
      ),
    );
  }
  if (outline.invoked.has("append-log")) {
    verdicts.push(
      checkSafely("sequential-znodes", "sequential znode names are unique and increasing", () => {
        const anomalies = checkSequentialNames(ops);
        return { valid: withValidity(anomalies), anomalies };
      }),
    );
  }
  if (finalReads.length > 0) {
    verdicts.push(
      checkSafely("convergence", "after healing, every server holds the same tree", () => {
        const found = checkConvergence(
          finalReads,
          events,
          leaderCompletenessBugs(recordedSettings(events)?.zooKeeperVersion),
        );
        return {
          valid: found.servers === 0 ? "unknown" : withValidity(found.anomalies),
          anomalies: found.anomalies,
          stats: { servers: found.servers },
        };
      }),
    );
  }
  if (outline.observed.has("recovered")) {
    verdicts.push(
      checkSafely(
        "servers-recover",
        "after every fault is healed, every server comes back and one leader serves",
        () => {
          const found = checkRecovery(events);
          return {
            valid: found.valid,
            anomalies: found.anomalies,
            stats: { recoveryMs: found.afterMs ?? null },
          };
        },
      ),
    );
  }
  if (outline.observed.has("status")) {
    verdicts.push(
      checkSafely("one-leader-per-epoch", "at most one leader per epoch", () => {
        const found = checkLeaders(events);
        return {
          valid: withValidity(found.anomalies),
          anomalies: found.anomalies,
          stats: {
            epochs: found.epochs,
            overlappingLeaderSamples: found.overlappingSamples,
            longestLeaderOverlapMs: found.longestOverlapMs,
          },
        };
      }),
    );
  }
  if (outline.watches) {
    verdicts.push(
      checkSafely(
        "watches",
        "watch events before the new data, in the order of the changes, at most once per watch, none missed or after expiry; agents' caches converge",
        () => {
          const found = checkWatches(events);
          return {
            valid: withValidity(found.anomalies),
            anomalies: found.anomalies,
            stats: {
              registrations: found.registrations,
              notifications: found.notifications,
              notificationsWithKnownChange: found.triggered.length,
              agentsConverged: found.agentsConverged,
              agentsUnsettled: found.agentsUnsettled,
            },
          };
        },
      ),
    );
  }
  let incompleteLeaders: IncompleteLeader[] = [];
  if (hasElectionLines(events)) {
    verdicts.push(
      checkSafely(
        "leader-completeness",
        "every new leader holds every write acknowledged before it took over (from the servers' election lines)",
        () => {
          const found = checkLeaderCompleteness(events);
          incompleteLeaders = found.leaders;
          return { valid: withValidity(found.anomalies), anomalies: found.anomalies };
        },
      ),
    );
  }
  if (outline.workerSessions) {
    verdicts.push(
      checkSafely("unique-session-ids", "every session id belongs to one client", () => {
        const found = checkSessionIds(events);
        return {
          valid: withValidity(found.anomalies),
          anomalies: found.anomalies,
          stats: { sessions: found.sessions },
        };
      }),
    );
  }
  // A leader that took over without committed writes explains what it made clients see; a
  // leader that answered a sync locally explains a stale read after it.
  const explain = (verdict: Verdict): Verdict => ({
    ...verdict,
    anomalies: explainSyncsOnLeaders(
      explainByIncompleteLeaders(verdict.anomalies, events, incompleteLeaders),
      events,
    ),
  });
  return { verdicts, explain };
}
