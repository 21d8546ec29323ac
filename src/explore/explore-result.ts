/** What an explore campaign reports: where it stands, what it found, what it did. */
import type { ReproductionRate } from "./shrink.js";

/** Where a campaign stands. */
export interface ExploreStatus {
  readonly runs: number;
  readonly coverage: number;
  readonly corpus: number;
  readonly findings: number;
  readonly elapsedMs: number;
  readonly leftMs: number;
  readonly phase: "search" | "shrink" | "replay";
}

/** One finding of a campaign. */
export interface ExploreFinding {
  readonly id: string;
  readonly key: readonly string[];
  readonly dir: string;
  readonly rate: ReproductionRate;
  readonly faults: number;
  readonly durationMs: number;
  readonly jira: readonly string[];
  /** Set when the shrunk scenario is outside ZooKeeper's fault model: kept, not counted. */
  readonly outsideModel?: string;
}

/** The findings that count: those inside ZooKeeper's fault model. */
export const countedFindings = (findings: readonly ExploreFinding[]): ExploreFinding[] =>
  findings.filter((finding) => finding.outsideModel === undefined);

/** What a campaign did. */
export interface ExploreResult {
  /** Every run: search, shrink and replay. */
  readonly runs: number;
  /** Candidates of the search (drawn or mutated). */
  readonly searchRuns: number;
  readonly coverage: number;
  readonly corpus: number;
  readonly findings: readonly ExploreFinding[];
  /** Coverage after each run (run number, distinct grams, ms since the start). */
  readonly coverageOverTime: readonly { run: number; grams: number; elapsedMs: number }[];
  /** Fault kinds left out, with why (provider or machine). */
  readonly skippedKinds: Readonly<Record<string, string>>;
  readonly interrupted: boolean;
}
