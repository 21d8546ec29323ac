/**
 * One run as the store keeps it: what its results.json says, reduced to the
 * fields a list filters on, the figures a trend draws and the anomalies a
 * finding groups. Pure: built from a parsed results.json.
 */
import type { AvailabilityWindow } from "../checkers/availability.js";
import type { ResultsFile } from "../report/results.js";

/** The figures of one run that a trend follows night after night. */
export interface RunFigures {
  /** Longest time from a connectivity change (a quorum still possible) to the first success: election and reconnect (ms). */
  readonly electionMs?: number;
  /** From the last heal to serving again with one leader (ms). */
  readonly recoveryMs?: number;
  /** Share of the windows where a quorum could form in which clients got something done (0 to 1). */
  readonly windowsKept?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Anomalies of every checker. */
  readonly anomalies: number;
}

/** One kind of anomaly in a run, with how often it was reported there. */
export interface StoredAnomaly {
  readonly checker: string;
  readonly kind: string;
  /** What explains it: the documented bugs it names, its cause with numbers blanked, or none. */
  readonly cause: string;
  readonly count: number;
}

/** One run folder in the store. */
export interface RunRecord {
  /** The folder, relative to the store, with forward slashes. */
  readonly path: string;
  readonly scenario: string;
  readonly nodes: number;
  readonly seed: number;
  readonly zooKeeperVersion: string;
  readonly valid: ResultsFile["valid"];
  /** When the run started (ISO 8601); the file's time when results.json does not say. */
  readonly startedAt: string;
  /** The night (UTC date) the run belongs to. */
  readonly night: string;
  /** The commit under test, when the run recorded one. */
  readonly commit?: string;
  readonly figures: RunFigures;
  readonly anomalies: readonly StoredAnomaly[];
  /** results.json's size and time when indexed: an unchanged file is not read again. */
  readonly source: { readonly size: number; readonly mtimeMs: number };
}

/** What a run's anomaly is blamed on, stable across nights (event indexes and ids blanked). */
export function causeKey(
  cause: ResultsFile["verdicts"][number]["anomalies"][number]["cause"],
): string {
  if (cause === undefined) return "no cause named";
  if (cause.knownBugs && cause.knownBugs.length > 0) return [...cause.knownBugs].sort().join(" + ");
  return cause.message.replace(/0x[0-9a-f]+(:0x[0-9a-f]+)?|\d+(\.\d+)?/gi, "#");
}

/** The figures a trend follows, from results.json. */
export function runFigures(results: ResultsFile): RunFigures {
  const availability = results.verdicts.find((verdict) => verdict.checker === "availability");
  const windows = (availability?.stats?.windows ?? []) as readonly AvailabilityWindow[];
  // A window with no operation in it (before the clients start, between two changes) says nothing.
  const expected = windows.filter((window) => window.expectedAvailable && window.operations > 0);
  // The first window starts with the run, not with a change: its first success is the clients' start.
  const afterChange = windows
    .slice(1)
    .filter((window) => window.expectedAvailable && window.firstSuccessMs !== undefined)
    .map((window) => window.firstSuccessMs as number);
  return {
    ...(afterChange.length > 0 ? { electionMs: Math.max(...afterChange) } : {}),
    ...(results.timings.recoveryMs !== undefined ? { recoveryMs: results.timings.recoveryMs } : {}),
    ...(expected.length > 0
      ? { windowsKept: expected.filter((window) => window.succeeded > 0).length / expected.length }
      : {}),
    ...(results.latency ? { p50Ms: results.latency.p50Ms, p99Ms: results.latency.p99Ms } : {}),
    anomalies: results.verdicts.reduce((sum, verdict) => sum + verdict.anomalies.length, 0),
  };
}

/** The anomalies of a run, one entry per checker, kind and cause. */
export function storedAnomalies(results: ResultsFile): StoredAnomaly[] {
  const byKey = new Map<string, StoredAnomaly>();
  for (const verdict of results.verdicts) {
    for (const anomaly of verdict.anomalies) {
      const cause = causeKey(anomaly.cause);
      const key = JSON.stringify([verdict.checker, anomaly.kind, cause]);
      const known = byKey.get(key);
      byKey.set(key, {
        checker: verdict.checker,
        kind: anomaly.kind,
        cause,
        count: (known?.count ?? 0) + 1,
      });
    }
  }
  return [...byKey.values()];
}

/** The store's record of one run folder. */
export function runRecord(
  results: ResultsFile,
  path: string,
  source: { size: number; mtimeMs: number },
): RunRecord {
  // Normalised to UTC so that a night is the same date wherever the run was made.
  const declared = Date.parse(results.startedAt ?? "");
  const startedAt = new Date(Number.isNaN(declared) ? source.mtimeMs : declared).toISOString();
  return {
    path,
    scenario: results.scenario,
    nodes: results.nodes,
    seed: results.seed,
    zooKeeperVersion: results.zooKeeperVersion,
    valid: results.valid,
    startedAt,
    night: startedAt.slice(0, 10),
    ...(results.commit ? { commit: results.commit } : {}),
    figures: runFigures(results),
    anomalies: storedAnomalies(results),
    source,
  };
}
