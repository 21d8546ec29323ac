/**
 * Trends across nights: per scenario and size, each figure's value per
 * night (the median of that night's runs), and the regressions of the
 * latest night against a baseline: the same store's earlier nights, or
 * another store's.
 */
import { sortedMedian } from "../report/quantile.js";
import type { RunRecord } from "./run-record.js";
import { TREND_FIGURES, type TrendFigure } from "./trend-figures.js";

/** The rule a regression is judged by, as reports state it. */
export const REGRESSION_RULE =
  "a figure regresses when the latest night's value is worse than the baseline's worst night by more than the baseline's night-to-night spread (worst minus best), and by at least the figure's floor; it takes two baseline nights";

/** One night of one series. */
export interface TrendPoint {
  readonly night: string;
  readonly runs: number;
  readonly versions: readonly string[];
  /** Median per figure of the night's runs that have it. */
  readonly values: Readonly<Partial<Record<TrendFigure["key"], number>>>;
}

/** One scenario at one size, night by night. */
export interface TrendSeries {
  readonly scenario: string;
  readonly nodes: number;
  readonly points: readonly TrendPoint[];
}

/** A figure that moved past its spread. */
export interface Regression {
  readonly scenario: string;
  readonly nodes: number;
  readonly figure: TrendFigure["key"];
  readonly night: string;
  readonly value: number;
  readonly baselineBest: number;
  readonly baselineWorst: number;
  /** The value past which the figure counts as regressed. */
  readonly limit: number;
  readonly baselineNights: number;
}

/** The key of a series: one scenario at one size. */
export function seriesKey(run: Pick<RunRecord, "scenario" | "nodes">): string {
  return `${run.scenario}\u0000${run.nodes}`;
}

function median(values: number[]): number {
  return sortedMedian(values.sort((a, b) => a - b));
}

/** Every series of a store's runs, nights in order. */
export function trendSeries(runs: readonly RunRecord[]): TrendSeries[] {
  const bySeries = new Map<string, Map<string, RunRecord[]>>();
  for (const run of runs) {
    const nights = bySeries.get(seriesKey(run)) ?? new Map<string, RunRecord[]>();
    nights.set(run.night, [...(nights.get(run.night) ?? []), run]);
    bySeries.set(seriesKey(run), nights);
  }
  return [...bySeries.values()]
    .map((nights) => {
      const first = [...nights.values()][0]?.[0] as RunRecord;
      const points = [...nights.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([night, nightRuns]): TrendPoint => {
          const values: Partial<Record<TrendFigure["key"], number>> = {};
          for (const figure of TREND_FIGURES) {
            const present = nightRuns
              .map((run) => run.figures[figure.key])
              .filter((value): value is number => value !== undefined);
            if (present.length > 0) values[figure.key] = median(present);
          }
          return {
            night,
            runs: nightRuns.length,
            versions: [...new Set(nightRuns.map((run) => run.zooKeeperVersion))].sort(),
            values,
          };
        });
      return { scenario: first.scenario, nodes: first.nodes, points };
    })
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || a.nodes - b.nodes);
}

/** The latest night of a set of runs. */
export function latestNight(runs: readonly RunRecord[]): string | undefined {
  return runs.reduce<string | undefined>(
    (latest, run) => (latest === undefined || run.night > latest ? run.night : latest),
    undefined,
  );
}

/**
 * The latest night's regressions against the baseline (REGRESSION_RULE).
 * Without a baseline store the baseline is this store's earlier nights.
 */
export function regressions(
  runs: readonly RunRecord[],
  baseline?: readonly RunRecord[],
): Regression[] {
  const night = latestNight(runs);
  if (night === undefined) return [];
  const current = trendSeries(runs.filter((run) => run.night === night));
  const before = new Map(
    trendSeries(baseline ?? runs.filter((run) => run.night < night)).map((series) => [
      seriesKey(series),
      series,
    ]),
  );
  const found: Regression[] = [];
  for (const series of current) {
    const point = series.points[0] as TrendPoint;
    const history = before.get(seriesKey(series))?.points ?? [];
    for (const figure of TREND_FIGURES) {
      const value = point.values[figure.key];
      const past = history
        .map((p) => p.values[figure.key])
        .filter((v): v is number => v !== undefined);
      if (value === undefined || past.length < 2) continue;
      const sign = figure.worse === "higher" ? 1 : -1;
      const worst = sign > 0 ? Math.max(...past) : Math.min(...past);
      const best = sign > 0 ? Math.min(...past) : Math.max(...past);
      const limit = worst + sign * Math.max(Math.abs(worst - best), figure.floor);
      if (sign * (value - limit) > 0)
        found.push({
          scenario: series.scenario,
          nodes: series.nodes,
          figure: figure.key,
          night,
          value,
          baselineBest: best,
          baselineWorst: worst,
          limit,
          baselineNights: past.length,
        });
    }
  }
  return found;
}
