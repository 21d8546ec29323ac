import { randomInt as cryptoRandomInt } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { validityWord } from "../checkers/verdict.js";
import { BadInputError } from "../errors.js";
import { readHistoryFile } from "../history/reader.js";
import type { WireMode } from "../history/wire.js";
import {
  faultsProviderCannot,
  type ProviderName,
  refuseProviderFaults,
} from "../providers/registry.js";
import { junitReport } from "../report/junit.js";
import { markdownReport } from "../report/markdown.js";
import { type ResultsFile, resultsFile } from "../report/results.js";
import { appendStepSummary, writeRunReports } from "../report/write-reports.js";
import { loadScenario } from "../scenario/load-scenario.js";
import { planRun, planWire, type RunPlan } from "../scenario/plan.js";
import type { Scenario, WatchSettings } from "../scenario/schema.js";
import { commitUnderTest } from "./commit-under-test.js";
import { type DockerImages, planChoice, type RunProgress, runPlan } from "./run-plan.js";

/** Options of a matrix run: scenarios x sizes, maybe one shard of it. */
export interface MatrixOptions {
  readonly scenarioFiles: readonly string[];
  /** Sizes to run (default: each scenario's own). */
  readonly nodes?: readonly number[];
  readonly seed?: number;
  readonly durationMs?: number;
  /** Watching agents added to every scenario (or replacing its own). */
  readonly watch?: WatchSettings;
  /** Records the peer messages of every run (or none), whatever each scenario says. */
  readonly wire?: WireMode;
  readonly out: string;
  /** This machine's shard, 1-based: [index, count]. */
  readonly shard?: readonly [number, number];
  /** ZooKeeper releases to run every scenario on (default: each scenario's own, else the local install). */
  readonly versions?: readonly string[];
  /** Overrides every scenario's provider ("existing": an ensemble named in docker.connect). */
  readonly provider?: ProviderName;
  /** Images for docker runs. */
  readonly docker?: DockerImages;
  readonly log?: (line: string) => void;
  readonly onProgress?: (label: string, progress: RunProgress) => void;
  readonly signal?: AbortSignal;
}

/** A run's plan with the wire recorded as asked (`off` removes it), or as the scenario says. */
export function withWire(plan: RunPlan, wire: WireMode | undefined): RunPlan {
  if (wire === undefined) return plan;
  const { wire: _own, ...rest } = plan;
  const chosen = planWire(wire, plan.schedule, `--wire ${wire} on scenario ${plan.scenario}`);
  return chosen === undefined ? rest : { ...rest, wire: chosen };
}

/** A run's plan with watching agents added, when asked for. */
export function withWatchers(plan: RunPlan, watch: WatchSettings | undefined): RunPlan {
  return watch === undefined ? plan : { ...plan, workload: { ...plan.workload, watch } };
}

export interface MatrixEntry {
  readonly file: string;
  readonly scenario: Scenario;
  readonly nodes: number;
  /** The release to run, when the matrix names one. */
  readonly version?: string;
}

/** Expands scenarios x versions x sizes in a stable order and keeps this shard's entries. */
export function matrixEntries(
  scenarios: readonly { file: string; scenario: Scenario }[],
  nodes: readonly number[] | undefined,
  shard?: readonly [number, number],
  versions?: readonly string[],
): MatrixEntry[] {
  const entries = scenarios.flatMap(({ file, scenario }) =>
    (versions ?? [undefined]).flatMap((version) =>
      (nodes ?? scenario.nodes).map((size) => ({
        file,
        scenario,
        nodes: size,
        ...(version !== undefined ? { version } : {}),
      })),
    ),
  );
  for (const entry of entries)
    if (entry.scenario.observers >= entry.nodes)
      throw new BadInputError(
        `${entry.file}: observers: ${entry.scenario.observers} observer(s) leave no voter in a ${entry.nodes}-node ensemble: run it with more nodes`,
      );
  if (shard === undefined) return entries;
  const [index, count] = shard;
  return entries.filter((_, position) => position % count === index - 1);
}

/** Parses --shard i/n. */
export function parseShard(text: string): [number, number] {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new BadInputError(`--shard '${text}' must look like i/n with 1 <= i <= n, e.g. 2/4`);
  }
  return [index, count];
}

const safeName = (text: string) => text.replace(/[^\w.+-]/g, "_");

const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/** Where and how one run is made and reported. */
export interface RunAndReportOptions {
  /** The folder the run's own folder goes in. */
  readonly out: string;
  readonly docker?: DockerImages;
  readonly log?: (line: string) => void;
  readonly onProgress?: (label: string, progress: RunProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs one plan into a folder of its own under `out` (named after the
 * scenario, size, the release the servers reported and the seed) and writes
 * its reports; `scenarioFile` is what the report's replay line names.
 */
export async function runAndReport(
  plan: RunPlan,
  scenarioFile: string,
  options: RunAndReportOptions,
): Promise<{ results: ResultsFile; dir: string }> {
  const { seed, nodes } = plan;
  const base = `${stamp()}-${plan.scenario}-n${nodes}`;
  const running = join(options.out, `${base}-${seed}`);
  const label = `${plan.scenario}${plan.zookeeperVersion ? ` zk=${plan.zookeeperVersion}` : ""} n=${nodes} seed=${seed}`;
  options.log?.(
    `${label}: starting (${plan.schedule.length} faults over ${Math.round(plan.durationMs / 1000)} s)`,
  );
  const ran = await runPlan(plan, {
    dir: running,
    ...(options.onProgress
      ? { onProgress: (progress: RunProgress) => options.onProgress?.(label, progress) }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.docker ? { docker: options.docker } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  // The folder is named after the version the servers reported, known once they answered.
  const dir = ran.interrupted
    ? running
    : join(options.out, `${base}-zk${safeName(ran.zooKeeperVersion)}-${seed}`);
  if (dir !== running) renameSync(running, dir);
  const results = resultsFile({ ...ran, dir }, scenarioFile, commitUnderTest());
  writeRunReports(dir, results, await readHistoryFile(join(dir, "history.jsonl")));
  appendStepSummary(markdownReport([results], [join(dir, "report.html")]));
  options.log?.(
    `${label}: ${results.bug?.observed ?? validityWord(results.valid)}, reports -> ${dir}`,
  );
  return { results, dir };
}

/** One run as it would be made: its scenario file and its plan (what --dry-run shows). */
export interface PlannedRun {
  readonly file: string;
  readonly plan: RunPlan;
}

/** Every run of a matrix, planned (each scenario validated, each seed drawn) and nothing started. */
export function planMatrix(options: MatrixOptions): PlannedRun[] {
  const scenarios = options.scenarioFiles.map((file) => ({
    file,
    scenario: loadScenario(file, options.nodes),
  }));
  const entries = matrixEntries(scenarios, options.nodes, options.shard, options.versions);
  return entries.map((entry) => {
    const seed = options.seed ?? entry.scenario.seed ?? cryptoRandomInt(0, 2 ** 31 - 1);
    const drawn = planRun(entry.scenario, entry.nodes, seed, options.durationMs, entry.version);
    const plan = withWire(
      withWatchers(
        options.provider ? { ...drawn, provider: options.provider } : drawn,
        options.watch,
      ),
      options.wire,
    );
    return { file: entry.file, plan };
  });
}

/** Refuses a run whose faults its provider, or this machine, cannot make (naming the scenario file); `limits` remembers each choice's. */
async function refuseWhatCannotRun(
  plan: RunPlan,
  file: string,
  docker: DockerImages | undefined,
  limits: Map<string, Promise<Readonly<Record<string, string>>>>,
): Promise<void> {
  const choice = planChoice(plan, docker);
  // Asked once per choice: the ssh provider asks its hosts.
  const key = JSON.stringify(choice);
  if (!limits.has(key)) limits.set(key, faultsProviderCannot(choice));
  try {
    refuseProviderFaults(plan, choice.provider, await limits.get(key));
  } catch (error) {
    if (error instanceof BadInputError) throw new BadInputError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Runs every entry (scenario x size) in turn, writing a folder per run and a summary when there are several. */
export async function runMatrix(
  options: MatrixOptions,
): Promise<{ runs: ResultsFile[]; summaryDir: string | undefined; interrupted: boolean }> {
  // Every scenario is validated, every run planned and its faults checked against where it
  // runs before anything starts.
  const planned = planMatrix(options);
  const limits = new Map<string, Promise<Readonly<Record<string, string>>>>();
  for (const { file, plan } of planned)
    await refuseWhatCannotRun(plan, file, options.docker, limits);
  const runs: ResultsFile[] = [];
  const dirs: string[] = [];
  for (const { file, plan } of planned) {
    if (options.signal?.aborted) break;
    const { results, dir } = await runAndReport(plan, file, {
      out: options.out,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.docker ? { docker: options.docker } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    runs.push(results);
    dirs.push(dir);
  }
  let summaryDir: string | undefined;
  if (runs.length > 1) {
    summaryDir = join(
      options.out,
      `${stamp()}-summary${options.shard ? `-shard${options.shard[0]}of${options.shard[1]}` : ""}`,
    );
    mkdirSync(summaryDir, { recursive: true });
    writeFileSync(
      join(summaryDir, "index.md"),
      markdownReport(
        runs,
        dirs.map((dir) => `../${basename(dir)}/report.html`),
      ),
    );
    writeFileSync(join(summaryDir, "junit.xml"), junitReport(runs));
    writeFileSync(
      join(summaryDir, "results.json"),
      `${JSON.stringify({ schemaVersion: 1, runs: runs.map((run) => ({ ...run, scenarioFile: basename(run.replay.split(" ")[2] ?? "") })) }, null, 2)}\n`,
    );
  }
  return { runs, summaryDir, interrupted: options.signal?.aborted === true };
}
