/**
 * The figures a trend follows, by name: how each is read from a run, its
 * unit, and which way is worse. A registry, so that the index, the served
 * pages and the trend file draw the same figures the same way.
 */
import type { RunFigures } from "./run-record.js";

/** One figure a trend follows. */
export interface TrendFigure {
  readonly key: keyof RunFigures;
  readonly label: string;
  readonly unit: string;
  /** Which direction is a regression. */
  readonly worse: "higher" | "lower";
  /** Smallest move that can count as a regression, so a figure that never varied does not fire on noise. */
  readonly floor: number;
}

/** Every figure, in the order pages show them. */
export const TREND_FIGURES: readonly TrendFigure[] = [
  {
    key: "electionMs",
    label: "election (change to first success)",
    unit: "ms",
    worse: "higher",
    floor: 200,
  },
  {
    key: "recoveryMs",
    label: "recovery after the last heal",
    unit: "ms",
    worse: "higher",
    floor: 200,
  },
  {
    key: "windowsKept",
    label: "availability windows kept",
    unit: "share",
    worse: "lower",
    floor: 0.05,
  },
  { key: "p50Ms", label: "p50 latency", unit: "ms", worse: "higher", floor: 2 },
  { key: "p99Ms", label: "p99 latency", unit: "ms", worse: "higher", floor: 10 },
  { key: "anomalies", label: "anomalies", unit: "count", worse: "higher", floor: 1 },
];
