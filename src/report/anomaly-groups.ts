/** Anomalies grouped by the cause the servers' logs prove, for people reading a report. */
import type { Anomaly, AnomalyCause, Verdict } from "../checkers/verdict.js";

/** An anomaly with the checker that found it. */
export type CheckedAnomaly = Anomaly & { readonly checker: string };

/** Anomalies that share one cause (or have none proven: cause undefined). */
export interface AnomalyGroup {
  readonly cause: AnomalyCause | undefined;
  readonly anomalies: readonly CheckedAnomaly[];
}

/** Every verdict's anomalies, those with a proven cause first, one group per cause. */
export function groupAnomaliesByCause(verdicts: readonly Verdict[]): AnomalyGroup[] {
  const groups = new Map<
    string,
    { cause: AnomalyCause | undefined; anomalies: CheckedAnomaly[] }
  >();
  for (const verdict of verdicts) {
    for (const anomaly of verdict.anomalies) {
      const key = anomaly.cause === undefined ? "" : anomaly.cause.message;
      const group = groups.get(key) ?? { cause: anomaly.cause, anomalies: [] };
      group.anomalies.push({ ...anomaly, checker: verdict.checker });
      groups.set(key, group);
    }
  }
  return [...groups.values()].sort(
    (a, b) => Number(a.cause === undefined) - Number(b.cause === undefined),
  );
}

/** The heading of a group, in words. */
export function causeHeading(group: AnomalyGroup): string {
  const count = `${group.anomalies.length} anomal${group.anomalies.length === 1 ? "y" : "ies"}`;
  return group.cause === undefined
    ? `${count} with no cause proven from the servers' logs`
    : `${count} from one cause: ${group.cause.message}`;
}

/** At most `perChecker` anomalies of each checker (so one noisy checker never hides another), and how many were left out. */
export function shownAnomalies(
  group: AnomalyGroup,
  perChecker: number,
): { shown: CheckedAnomaly[]; hidden: number } {
  const counts = new Map<string, number>();
  const shown = group.anomalies.filter((anomaly) => {
    const count = (counts.get(anomaly.checker) ?? 0) + 1;
    counts.set(anomaly.checker, count);
    return count <= perChecker;
  });
  return { shown, hidden: group.anomalies.length - shown.length };
}
