import { combineValidity, type Validity } from "../checkers/verdict.js";
import type { RunResult } from "../results/run-result.js";
import { type ExpectedOutcome, judgeExpectedAnomalies } from "../scenario/anomaly-expectation.js";
import { type BugResult, judgeBug } from "../scenario/bug-expectation.js";

/** The version of results.json's shape; bump on any incompatible change. */
export const RESULTS_SCHEMA_VERSION = 1;

/** results.json: what a machine needs from a run. */
export interface ResultsFile {
  readonly schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  readonly scenario: string;
  readonly description: string;
  readonly nodes: number;
  readonly seed: number;
  readonly zooKeeperVersion: string;
  readonly valid: RunResult["valid"];
  readonly operations: number;
  readonly events: number;
  readonly timings: RunResult["timings"];
  /** Latency of the successful operations (ms). */
  readonly latency?: RunResult["latency"];
  readonly replay: string;
  /** When the run started (ISO 8601). */
  readonly startedAt?: string;
  /** The commit under test (the CI's, or the checkout's), for telling nights of one commit apart. */
  readonly commit?: string;
  readonly verdicts: RunResult["verdicts"];
  /** For a known-bug scenario: reproduced or absent, against what the scenario expects on this version. */
  readonly bug?: BugResult;
  /** For a scenario that breaks things on purpose: whether the run showed what it expects, blamed on its cause. */
  readonly expected?: ExpectedOutcome;
}

/** Whether a run passed: a known bug or an expected mistake by what its scenario expects, any other run by its verdicts. */
export function runPassed(results: Pick<ResultsFile, "valid" | "bug" | "expected">): Validity {
  if (results.bug) return results.bug.matched;
  if (results.expected) return results.expected.matched;
  return results.valid;
}

/** Checkers of consistency (not availability or recovery): their anomalies are what a bug shows. */
export function consistencyValidity(verdicts: RunResult["verdicts"]): Validity {
  return combineValidity(
    verdicts
      .filter((verdict) => verdict.checker !== "availability" && verdict.checker !== "recovery")
      .map((verdict) => verdict.valid),
  );
}

/**
 * What a known-bug run's verdicts say of that bug: the validity of its
 * signature checkers (unknown when none of them ran), or of every
 * consistency checker when the scenario names none.
 */
export function bugValidity(
  verdicts: RunResult["verdicts"],
  signature: readonly string[] | undefined,
  /** The bug's message pattern: a signature checker's anomalies show it only when one matches. */
  message?: string,
): Validity {
  const pattern = message === undefined ? undefined : new RegExp(message);
  const shown = (verdict: RunResult["verdicts"][number]): Validity =>
    pattern === undefined || verdict.valid !== false
      ? verdict.valid
      : !verdict.anomalies.some((anomaly) => pattern.test(anomaly.message));
  if (signature === undefined) return consistencyValidity(verdicts);
  const relevant = verdicts.filter((verdict) => signature.includes(verdict.checker));
  return relevant.length === 0 ? "unknown" : combineValidity(relevant.map(shown));
}

/** The command that replays a run exactly. */
export function replayCommand(result: Pick<RunResult, "plan">, scenarioFile: string): string {
  const version = result.plan.zookeeperVersion;
  return `zk-chaos run ${scenarioFile} --nodes ${result.plan.nodes} --seed ${result.plan.seed} --duration ${Math.round(result.plan.durationMs / 1000)}s${version ? ` --zookeeper-version ${version}` : ""}`;
}

/** Builds results.json's content. */
export function resultsFile(result: RunResult, scenarioFile: string, commit?: string): ResultsFile {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    scenario: result.plan.scenario,
    description: result.plan.description,
    nodes: result.plan.nodes,
    seed: result.plan.seed,
    zooKeeperVersion: result.zooKeeperVersion,
    valid: result.valid,
    operations: result.operations,
    events: result.events,
    timings: result.timings,
    ...(result.latency ? { latency: result.latency } : {}),
    replay: replayCommand(result, scenarioFile),
    ...(result.startedAt ? { startedAt: result.startedAt } : {}),
    ...(commit ? { commit } : {}),
    verdicts: result.verdicts,
    ...(result.plan.bug && !result.interrupted
      ? {
          bug: judgeBug(
            result.plan.bug,
            result.zooKeeperVersion,
            bugValidity(result.verdicts, result.plan.bug.signature, result.plan.bug.message),
            result.unfiredTriggers,
          ),
        }
      : {}),
    ...(result.plan.expectAnomalies && !result.interrupted
      ? { expected: judgeExpectedAnomalies(result.plan.expectAnomalies, result.verdicts) }
      : {}),
  };
}
