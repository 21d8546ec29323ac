import { randomInt as cryptoRandomInt } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pLimit, { type LimitFunction } from "p-limit";
import { combineValidity, type Validity, validityWord } from "../checkers/verdict.js";
import { BadInputError } from "../errors.js";
import type { FaultKind } from "../faults/fault-spec.js";
import { readHistoryFile } from "../history/reader.js";
import {
  faultsProviderCannot,
  machineCannot,
  type ProviderChoice,
  type ProviderName,
  providerCannot,
} from "../providers/registry.js";
import { validationHtml } from "../report/html.js";
import { markdownReport } from "../report/markdown.js";
import { type ResultsFile, resultsFile } from "../report/results.js";
import { recoveryText } from "../report/tolerance-text.js";
import { appendStepSummary, writeRunReports } from "../report/write-reports.js";
import { loadScenario } from "../scenario/load-scenario.js";
import { planRun } from "../scenario/plan.js";
import type { Scenario, WatchSettings } from "../scenario/schema.js";
import { formatDuration } from "../util/duration.js";
import {
  resolveSettings,
  type SettingsProfile,
  type ZooKeeperSettings,
} from "../zookeeper/settings.js";
import { settingsFromZkConfig } from "../zookeeper/zoo-cfg-settings.js";
import { commitUnderTest } from "./commit-under-test.js";
import { EnsemblePool } from "./ensemble-pool.js";
import { withWatchers } from "./run-matrix.js";
import { type RunProgress, runPlan } from "./run-plan.js";
import { runToleranceMatrix, type ToleranceResult } from "./tolerance-matrix.js";
import { sessionsTell, tellingWindowMs, validationDurationMs } from "./validation-windows.js";

/** Why a fault cannot run on this provider (and, for local JVMs and containers, this machine), if it cannot. */
function whyProviderCannot(
  fault: FaultKind,
  provider: ProviderName,
  limits: Readonly<Record<string, string>>,
): string | undefined {
  if (limits[fault] !== undefined) return limits[fault];
  const never = providerCannot(provider, fault);
  if (never !== undefined) return `is not made on the ${provider} provider: it ${never}`;
  return machineCannot(fault);
}

/** The scenarios a quick validation runs. */
export const QUICK_SUITE = ["kill-leader", "minority-partition", "kill-f-plus-1"];

/** The standard suite's folder, shipped with the package. */
export function standardSuiteDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, "scenarios");
    try {
      if (readdirSync(candidate).some((file) => file.endsWith(".yaml"))) return candidate;
    } catch {
      // Not here: go up.
    }
    dir = dirname(dir);
  }
  throw new BadInputError(
    "the standard suite (scenarios/*.yaml) is missing from this installation: reinstall zk-chaos",
  );
}

export { settingsFromZooCfg } from "../zookeeper/zoo-cfg-settings.js";

/** Options of validate. */
export interface ValidateOptions {
  readonly nodes: number;
  readonly agents?: number;
  /** Watching agents added to every scenario. */
  readonly watch?: WatchSettings;
  readonly profile?: SettingsProfile;
  /** --zk-config values: zoo.cfg files and key=value entries. */
  readonly zkConfig?: readonly string[];
  readonly quick?: boolean;
  /** Adds kill rows under a supervisor that restarts a server down this long (ms). */
  readonly superviseMs?: number;
  readonly out: string;
  readonly seed?: number;
  /** Where servers run (default local JVMs). */
  readonly provider?: ProviderChoice;
  /** The release to validate (default: the local install, or the image's). */
  readonly zookeeperVersion?: string;
  readonly log?: (line: string) => void;
  /** Each scenario run's progress, labelled with its place in the suite. */
  readonly onProgress?: (label: string, progress: RunProgress) => void;
  /** Scenario runs at once, each on an ensemble of its own (default 1). */
  readonly parallel?: number;
  /** A pool shared with other sizes' validations (then `parallel` is the pool's). */
  readonly slots?: LimitFunction;
  /** Run each scenario for its written duration, not scaled to the settings' telling window. */
  readonly fullWindows?: boolean;
}

/** What validate concluded about a proposed size and configuration. */
export interface Validation {
  readonly nodes: number;
  readonly agents: number;
  readonly valid: Validity;
  readonly matrix: ToleranceResult;
  readonly runs: readonly ResultsFile[];
  readonly worstRecoveryMs: number | undefined;
  readonly advice: readonly string[];
  readonly dir: string;
}

/** The first failure of each pool: once one run fails, no run of any size sharing it starts. */
const poolFailures = new WeakMap<LimitFunction, { error: unknown }>();

/** How long the scenarios ran against what they say, and why. */
function windowsLine(
  durations: readonly { written: number; ran: number | undefined }[],
  quick: boolean,
): string {
  const written = durations.reduce((sum, each) => sum + each.written, 0);
  const ran = durations.reduce((sum, each) => sum + (each.ran ?? each.written), 0);
  if (quick)
    return `Scenarios ran 10 s each (--quick): ${formatDuration(ran)} of the ${formatDuration(written)} they say.`;
  if (ran === written) return `Scenarios ran as written (--full-windows): ${formatDuration(ran)}.`;
  return `Scenarios ran ${formatDuration(ran)} of the ${formatDuration(written)} they say: each scaled down until its shortest fault window is the telling window of these settings (syncLimit and initLimit ticks, and the session timeout where sessions hold what is checked: ephemerals, watches, client cuts), and never shorter than three telling windows (load before, during and after a fault); --full-windows runs them as written.`;
}

/** Advice in the terms operators use, from the size, the load and what was measured. */
export function sizingAdvice(
  nodes: number,
  agents: number,
  measured: number,
  promised: number,
): string[] {
  const advice: string[] = [];
  if (nodes % 2 === 0)
    advice.push(
      `an even size adds no tolerance: ${nodes} servers tolerate ${promised} failure(s), as ${nodes - 1} do; run ${nodes - 1} or ${nodes + 1}`,
    );
  if (nodes === 1)
    advice.push(
      `1 server tolerates no failure: for development only, with at most 3 agents${agents > 3 ? ` (you plan ${agents})` : ""}`,
    );
  if (nodes === 3)
    advice.push(
      agents > 30
        ? `3 servers tolerate 1 failure; beyond a few dozen agents (you plan ${agents}) prefer 5`
        : "3 servers tolerate 1 failure: the usual production size",
    );
  if (nodes === 5 || nodes === 7)
    advice.push(
      `${nodes} servers tolerate ${promised} failures: right for deployments beyond a few dozen agents`,
    );
  if (nodes > 7)
    advice.push(
      `${nodes} voters slow every write for little gain: use 5 or 7 voters (and observers to scale reads: scenarios/membership/observers.yaml)`,
    );
  if (measured < promised)
    advice.push(
      `measured tolerance (${measured}) is below what quorum math promises (${promised}): look at the matrix and the server logs before going to production`,
    );
  return advice;
}

/**
 * Validates a proposed cluster size and configuration: the tolerance matrix
 * for that size, then the standard suite (or its quick part) with the planned
 * number of agents; writes the same reports as `run`.
 */
export async function validateCluster(options: ValidateOptions): Promise<Validation> {
  const started = performance.now();
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const dir = join(options.out, `${stamp}-validate-n${options.nodes}`);
  const overrides = options.zkConfig ? settingsFromZkConfig(options.zkConfig) : {};
  const settings: ZooKeeperSettings = resolveSettings(overrides, options.profile ?? "fast");
  const seed = options.seed ?? cryptoRandomInt(0, 2 ** 31 - 1);
  const agents = options.agents ?? 6;
  const suiteDir = standardSuiteDir();
  const files = readdirSync(suiteDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .filter((file) => !options.quick || QUICK_SUITE.includes(file.replace(/\.yaml$/, "")));
  // What the provider's hosts cannot make, asked once (ssh: their kernels).
  const limits = options.provider ? await faultsProviderCannot(options.provider) : {};
  // Every scenario is validated before anything starts.
  const scenarios = files
    .map((file) => ({ file: join(suiteDir, file), scenario: loadScenario(join(suiteDir, file)) }))
    .filter(({ scenario }) => {
      // A fault this machine or provider cannot make skips its scenario, saying why.
      const blocked = scenario.faults
        .map((entry) => entry.fault.kind as FaultKind)
        .map((kind) => ({
          kind,
          why: whyProviderCannot(kind, options.provider?.provider ?? "local", limits),
        }))
        .find((each) => each.why !== undefined);
      if (blocked === undefined) return true;
      const { kind: fault, why } = blocked;
      options.log?.(`${scenario.name}: skipped (its fault '${fault}' ${why})`);
      return false;
    });
  options.log?.(
    `validating ${options.nodes} server(s) with ${agents} agent(s), seed ${seed}: tolerance matrix, then ${scenarios.length} scenario(s)`,
  );
  // One pool for the matrix and the scenarios (and, when given, every size's): `parallel`
  // ensembles at once, each with its own ports and folders.
  const slots = options.slots ?? pLimit(Math.max(1, options.parallel ?? 1));
  // The results keep the suite's order. A failure (of any size sharing the pool) lets the runs
  // under way finish, starts no more, and is thrown when they are done.
  const guarded = <T>(job: () => Promise<T>) =>
    slots(async () => {
      if (poolFailures.has(slots)) return undefined;
      try {
        return await job();
      } catch (error) {
        if (!poolFailures.has(slots)) poolFailures.set(slots, { error });
        return undefined;
      }
    });
  const matrixDone = guarded(() =>
    runToleranceMatrix({
      nodes: options.nodes,
      ...(options.superviseMs !== undefined ? { superviseMs: options.superviseMs } : {}),
      settings,
      seed,
      dir: join(dir, "matrix"),
      probeMs: options.quick ? 2000 : 4000,
      ...(options.provider ? { provider: options.provider } : {}),
      ...(options.zookeeperVersion ? { zookeeperVersion: options.zookeeperVersion } : {}),
      ...(options.log ? { log: options.log } : {}),
    }),
  );
  /** How long a scenario runs: quick 10 s; else scaled to this ensemble's telling window, or as written. */
  const durationOf = (scenario: Scenario): number | undefined =>
    options.quick
      ? 10_000
      : options.fullWindows
        ? undefined
        : validationDurationMs(
            scenario,
            tellingWindowMs(
              settings,
              sessionsTell(scenario, options.watch) ? scenario.workload.sessionTimeout : undefined,
            ),
          );
  // A size's scenarios take its ensembles in turn: at most one per slot, started once.
  const pool = new EnsemblePool();
  /** Runs the suite's scenario `index` and writes its reports. */
  const runScenario = async (index: number): Promise<ResultsFile> => {
    const { file, scenario } = scenarios[index] as (typeof scenarios)[number];
    const base = planRun(
      scenario,
      options.nodes,
      seed,
      durationOf(scenario),
      options.zookeeperVersion,
    );
    const plan = withWatchers(
      {
        ...base,
        settings,
        workload: { ...base.workload, workers: agents },
        provider: options.provider?.provider ?? base.provider,
      },
      options.watch,
    );
    const runDir = join(dir, `${scenario.name}-n${options.nodes}`);
    const label = `${scenario.name} n=${options.nodes} (${index + 1}/${scenarios.length})`;
    options.log?.(`${label}: running`);
    const runStarted = performance.now();
    const result = await runPlan(plan, {
      dir: runDir,
      pool,
      ...(options.provider ? { docker: options.provider } : {}),
      ...(options.onProgress
        ? { onProgress: (progress: RunProgress) => options.onProgress?.(label, progress) }
        : {}),
    });
    const results = resultsFile(result, file, commitUnderTest());
    options.log?.(
      `${label}: ${validityWord(results.valid)} in ${formatDuration(performance.now() - runStarted)} (${formatDuration(performance.now() - started)} since validate began)`,
    );
    writeRunReports(runDir, results, await readHistoryFile(join(runDir, "history.jsonl")));
    return results;
  };
  // Submitted longest first (the pool starts jobs in order), kept in the suite's order.
  const byLength = scenarios
    .map(({ scenario }, index) => ({ index, ms: durationOf(scenario) ?? scenario.duration }))
    .sort((a, b) => b.ms - a.ms || a.index - b.index);
  const done = new Map(byLength.map(({ index }) => [index, guarded(() => runScenario(index))]));
  const settled = await Promise.all([
    matrixDone,
    ...scenarios.map((_, index) => done.get(index)),
  ]).finally(() => pool.close());
  options.log?.(
    `n=${options.nodes}: ${pool.started} ensemble(s) started for ${scenarios.length} scenario(s), ${pool.reused} run(s) on one an earlier run gave back`,
  );
  const failure = poolFailures.get(slots);
  if (failure !== undefined) throw failure.error;
  const matrix = settled[0] as ToleranceResult;
  const runs = settled.slice(1) as ResultsFile[];
  const recoveries = [
    ...matrix.cells.map((cell) => cell.recoverMs),
    ...runs.map((run) => run.timings.recoveryMs),
  ].filter((ms): ms is number => ms !== undefined);
  const validation: Validation = {
    nodes: options.nodes,
    agents,
    valid: combineValidity([
      ...matrix.verdicts.map((v) => v.valid),
      ...runs.map((run) => run.valid),
    ]),
    matrix,
    runs,
    worstRecoveryMs: recoveries.length > 0 ? Math.max(...recoveries) : undefined,
    advice: sizingAdvice(options.nodes, agents, matrix.measuredTolerance, matrix.promisedTolerance),
    dir,
  };
  const matrixRows = matrix.cells.map(
    (cell) =>
      `| ${cell.variant} | ${cell.failed} | ${cell.expectedAvailable ? "available" : "unavailable"} | ${cell.observedAvailable ? "available" : "unavailable"} | ${cell.electMs === undefined ? "-" : Math.round(cell.electMs)} | ${recoveryText(cell)} |`,
  );
  const summary = [
    `# Validation of ${options.nodes} server(s) with ${agents} agent(s)`,
    "",
    `Tolerates **${matrix.measuredTolerance}** failure(s) as measured (quorum math promises ${matrix.promisedTolerance}); worst recovery ${validation.worstRecoveryMs === undefined ? "-" : `${Math.round(validation.worstRecoveryMs)} ms`}.`,
    "",
    ...validation.advice.map((line) => `- ${line}`),
    "",
    windowsLine(
      scenarios.map(({ scenario }) => ({ written: scenario.duration, ran: durationOf(scenario) })),
      options.quick === true,
    ),
    "",
    "## Tolerance matrix",
    "",
    "| variant | failed | expected | observed | elect ms | recover ms |",
    "|---|---|---|---|---|---|",
    ...matrixRows,
    "",
    markdownReport(
      runs,
      runs.map((run) => `${run.scenario}-n${options.nodes}/report.html`),
    ),
  ].join("\n");
  writeFileSync(join(dir, "index.md"), summary);
  writeFileSync(
    join(dir, "index.html"),
    validationHtml({
      nodes: options.nodes,
      agents,
      valid: validation.valid,
      measuredTolerance: matrix.measuredTolerance,
      promisedTolerance: matrix.promisedTolerance,
      worstRecoveryMs: validation.worstRecoveryMs,
      advice: validation.advice,
      cells: matrix.cells,
      runs: runs.map((run) => ({
        scenario: run.scenario,
        valid: run.valid,
        operations: run.operations,
        folder: `${run.scenario}-n${options.nodes}`,
      })),
    }),
  );
  appendStepSummary(summary);
  return validation;
}
