/**
 * What repeats across runs: a scenario whose verdict differs between runs of
 * the same commit, seed, size and version (flaky), and an anomaly seen in
 * several runs or nights, grouped as one finding by checker, kind and cause.
 */
import type { RunRecord } from "./run-record.js";
import { latestNight } from "./trend.js";

/** Runs of one commit, seed, size and version whose verdicts differ. */
export interface FlakyScenario {
  readonly scenario: string;
  readonly nodes: number;
  readonly seed: number;
  readonly zooKeeperVersion: string;
  readonly commit: string | undefined;
  readonly valid: number;
  readonly invalid: number;
  readonly runs: readonly string[];
}

/** One anomaly (checker, kind, cause) across the runs it appeared in. */
export interface GroupedFinding {
  readonly checker: string;
  readonly kind: string;
  readonly cause: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly nights: number;
  readonly occurrences: number;
  readonly scenarios: readonly string[];
  readonly versions: readonly string[];
  readonly runs: readonly string[];
  /** Not seen before the latest night (or not in the baseline, when one is given). */
  readonly isNew: boolean;
}

/** Scenarios whose verdict flipped between runs that should agree. */
export function flakyScenarios(runs: readonly RunRecord[]): FlakyScenario[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    if (run.valid === "unknown") continue;
    const key = JSON.stringify([
      run.scenario,
      run.nodes,
      run.seed,
      run.zooKeeperVersion,
      run.commit,
    ]);
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()]
    .filter((group) => new Set(group.map((run) => run.valid)).size > 1)
    .map((group) => {
      const first = group[0] as RunRecord;
      return {
        scenario: first.scenario,
        nodes: first.nodes,
        seed: first.seed,
        zooKeeperVersion: first.zooKeeperVersion,
        commit: first.commit,
        valid: group.filter((run) => run.valid === true).length,
        invalid: group.filter((run) => run.valid === false).length,
        runs: group.map((run) => run.path),
      };
    })
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || a.nodes - b.nodes || a.seed - b.seed);
}

function findingKey(anomaly: { checker: string; kind: string; cause: string }): string {
  return JSON.stringify([anomaly.checker, anomaly.kind, anomaly.cause]);
}

/**
 * Every anomaly grouped across runs. A finding is new when the latest night
 * is the first that shows it, or, given a baseline, when the baseline never did.
 */
export function groupedFindings(
  runs: readonly RunRecord[],
  baseline?: readonly RunRecord[],
): GroupedFinding[] {
  const groups = new Map<
    string,
    { anomaly: RunRecord["anomalies"][number]; runs: RunRecord[]; count: number }
  >();
  for (const run of runs)
    for (const anomaly of run.anomalies) {
      const key = findingKey(anomaly);
      const group = groups.get(key) ?? { anomaly, runs: [], count: 0 };
      group.runs.push(run);
      group.count += anomaly.count;
      groups.set(key, group);
    }
  const latest = latestNight(runs);
  const known = new Set(baseline?.flatMap((run) => run.anomalies.map(findingKey)));
  return [...groups.entries()]
    .map(([key, group]): GroupedFinding => {
      const nights = [...new Set(group.runs.map((run) => run.night))].sort();
      const firstSeen = nights[0] as string;
      return {
        checker: group.anomaly.checker,
        kind: group.anomaly.kind,
        cause: group.anomaly.cause,
        firstSeen,
        lastSeen: nights.at(-1) as string,
        nights: nights.length,
        occurrences: group.count,
        scenarios: [...new Set(group.runs.map((run) => run.scenario))].sort(),
        versions: [...new Set(group.runs.map((run) => run.zooKeeperVersion))].sort(),
        runs: group.runs.map((run) => run.path),
        isNew: baseline ? !known.has(key) : firstSeen === latest,
      };
    })
    .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || b.occurrences - a.occurrences);
}
