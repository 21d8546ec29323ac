/** The results document of one run: what the runner produces and every report reads. */

import type { Validity, Verdict } from "../checkers/verdict.js";
import type { RunPlan } from "../scenario/plan.js";

/** Latency of a run's successful operations. */
export interface LatencySummary {
  readonly okOperations: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** The outcome of one run of one scenario at one size. */
export interface RunResult {
  readonly plan: RunPlan;
  readonly dir: string;
  readonly valid: Validity;
  readonly verdicts: readonly Verdict[];
  readonly operations: number;
  readonly events: number;
  readonly timings: {
    readonly startMs: number;
    readonly runMs: number;
    readonly recoveryMs: number | undefined;
    readonly totalMs: number;
    /** Time the checkers took on the history (part of totalMs). */
    readonly checkMs?: number;
  };
  readonly zooKeeperVersion: string;
  /** Latency of the successful operations (ms), for comparing runs and sizes. */
  readonly latency?: LatencySummary;
  /** When the run started (ISO 8601), for reports. */
  readonly startedAt?: string;
  /** Triggered faults whose moment never came: the scenario was not fully exercised. */
  readonly unfiredTriggers?: readonly string[];
  /** True when the run was stopped by its signal (Ctrl-C): torn down at once, nothing judged. */
  readonly interrupted?: boolean;
}
