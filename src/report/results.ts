import type { RunResult } from "../results/run-result.js";

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
  readonly replay: string;
  readonly verdicts: RunResult["verdicts"];
}

/** The command that replays a run exactly. */
export function replayCommand(result: Pick<RunResult, "plan">, scenarioFile: string): string {
  const version = result.plan.zookeeperVersion;
  return `zk-chaos run ${scenarioFile} --nodes ${result.plan.nodes} --seed ${result.plan.seed} --duration ${Math.round(result.plan.durationMs / 1000)}s${version ? ` --zookeeper-version ${version}` : ""}`;
}

/** Builds results.json's content. */
export function resultsFile(result: RunResult, scenarioFile: string): ResultsFile {
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
    replay: replayCommand(result, scenarioFile),
    verdicts: result.verdicts,
  };
}
