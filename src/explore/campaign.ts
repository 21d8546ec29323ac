/**
 * An explore campaign: within a time budget, draw or mutate candidates, run
 * each as an ordinary run (same runner, history, checkers, report folder),
 * keep those that reach new behaviour in the corpus, and shrink every new
 * finding to a small scenario that replays, with its reproduction rate.
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError, ZkChaosError } from "../errors.js";
import { readHistoryFile } from "../history/reader.js";
import { PROVIDERS, type ProviderChoice } from "../providers/registry.js";
import type { ResultsFile } from "../report/results.js";
import { runAndReport } from "../runner/run-matrix.js";
import type { RunProgress } from "../runner/run-plan.js";
import { loadScenario } from "../scenario/load-scenario.js";
import { planRun } from "../scenario/plan.js";
import { deriveRandom } from "../util/seeded-random.js";
import {
  candidateYaml,
  type ExploreCandidate,
  type ExploreTarget,
  type ExploreWorkloadKind,
  lastFaultEnd,
} from "./candidate.js";
import { Corpus } from "./corpus.js";
import { writeExploreReport } from "./explore-report.js";
import {
  countedFindings,
  type ExploreFinding,
  type ExploreResult,
  type ExploreStatus,
} from "./explore-result.js";

export type { ExploreFinding, ExploreResult, ExploreStatus } from "./explore-result.js";

import {
  anomalyKey,
  documentedBugsFor,
  documentedKeys,
  faultMadeAnomalies,
  findingMarkdown,
  outsideFaultModel,
  sameAnomaly,
} from "./finding.js";
import { mutate } from "./mutate.js";
import { checkParallel } from "./parallel.js";
import { type ReproductionRate, shrink } from "./shrink.js";
import { behaviourSignature, newGrams } from "./signature.js";
import {
  candidateArbitrary,
  drawWith,
  explorableKinds,
  observedMoments,
  type VocabularyOptions,
} from "./vocabulary.js";

/** What a campaign is asked to do. */
export interface ExploreOptions {
  readonly budgetMs: number;
  /** Stop once this many findings are written (default: search the whole budget). */
  readonly maxFindings?: number;
  /** A bound on the number of search runs (shrinks and replays not counted) besides the budget. */
  readonly maxRuns?: number;
  readonly nodes: number;
  readonly zookeeperVersion?: string;
  readonly provider: ProviderChoice;
  readonly seed: number;
  /** Where run folders go. */
  readonly out: string;
  readonly corpusDir: string;
  readonly findingsDir: string;
  /** The fault kinds to draw from (default every kind the provider and this machine can make). */
  readonly kinds?: readonly string[];
  /** Record the peer messages into each run and its signature (default: summary on the local provider). */
  readonly wire?: "summary" | "off";
  /** The longest candidate run (ms, default 15 s). */
  readonly maxDurationMs?: number;
  /** The most faults in one candidate (default 3). */
  readonly maxFaults?: number;
  /** Runs per shrink candidate (default 2) and replays of the shrunk finding (default 3). */
  readonly shrinkRuns?: number;
  readonly replays?: number;
  /** Candidates a shrink may try (default 10). */
  readonly maxShrinkTrials?: number;
  /** Other releases the shrunk finding is replayed on. */
  readonly alsoOn?: readonly string[];
  /** The known-bugs scenarios, the table findings are matched against. */
  readonly knownBugsDir: string;
  /** The workload every candidate runs (default registers). */
  readonly workload?: ExploreWorkloadKind;
  /** This campaign's shard of a search split over machines, 1-based: [index, count]. */
  readonly shard?: readonly [number, number];
  /** Candidates run at once, each on an ensemble of its own (default 1). */
  readonly parallel?: number;
  readonly log?: (line: string) => void;
  readonly onProgress?: (status: ExploreStatus) => void;
  readonly signal?: AbortSignal;
}

/** The seed of shard `index` of a campaign seeded `seed`: distinct per shard, the same on every machine. */
export function shardSeed(seed: number, index: number): number {
  return (seed + index * 1_000_003) % 2 ** 31;
}

/** Share of candidates drawn fresh rather than mutated from the corpus. */
const FRESH_SHARE = 0.25;

/** Runs a campaign until its budget, its run bound or its signal ends it. */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const left = () => options.budgetMs - elapsed();
  const provider = options.provider.provider;
  // Candidates are scenario files, whose provider is one a scenario can name.
  if (!PROVIDERS[provider].pickedByName)
    throw new BadInputError(
      `explore writes its candidates as scenarios, which cannot name the ${provider} provider: use --provider local, docker or ssh`,
    );
  // The wire is read where the built-in proxy carries the peer links (local), unless asked not to.
  if (options.wire === "summary" && provider !== "local")
    throw new BadInputError(
      `--wire summary reads the peer links in the built-in proxy, which the ${provider} provider does not put them through: use --provider local or --wire off`,
    );
  // Ensembles of this machine share its cores and memory; an ssh pool's hosts are their own.
  if (PROVIDERS[provider].onThisMachine) checkParallel(options.parallel ?? 1, options.nodes);
  const wire = options.wire ?? (provider === "local" ? "summary" : "off");
  const target: ExploreTarget = {
    provider: provider as ExploreTarget["provider"],
    ...(options.workload !== undefined ? { workload: options.workload } : {}),
    ...(wire === "summary" ? { wire } : {}),
    ...(options.zookeeperVersion !== undefined
      ? { zookeeperVersion: options.zookeeperVersion }
      : {}),
  };
  const { kinds, skipped } = explorableKinds(
    options.provider.provider,
    options.kinds,
    wire === "summary",
  );
  for (const [kind, why] of Object.entries(skipped))
    options.log?.(`explore: without ${kind}: ${why}`);
  const bounds: VocabularyOptions = {
    nodes: options.nodes,
    provider: options.provider.provider,
    maxDurationMs: options.maxDurationMs ?? 15_000,
    maxFaults: options.maxFaults ?? 3,
    wire: wire === "summary",
  };
  const corpus = Corpus.load(options.corpusDir);
  const [shardIndex, shardCount] = options.shard ?? [1, 1];
  // Each shard searches its own draws from the same seed; its names say which shard made them.
  const shardTag = shardCount > 1 ? `-s${shardIndex}of${shardCount}` : "";
  const campaignSeed = shardCount > 1 ? shardSeed(options.seed, shardIndex) : options.seed;
  const random = deriveRandom(campaignSeed, "explore");
  const findings: ExploreFinding[] = [];
  const found = new Set<string>();
  const coverageOverTime: { run: number; grams: number; elapsedMs: number }[] = [];
  let runs = 0;
  let phase: ExploreStatus["phase"] = "search";
  const status = (): ExploreStatus => ({
    runs,
    coverage: corpus.coverage.size,
    corpus: corpus.entries.length,
    findings: findings.length,
    elapsedMs: elapsed(),
    leftMs: Math.max(0, left()),
    phase,
  });

  /** Runs a candidate once as an ordinary run; returns its results and history. */
  const runCandidate = async (
    candidate: ExploreCandidate,
    name: string,
    seed: number,
    out: string,
    version = options.zookeeperVersion,
  ) => {
    mkdirSync(out, { recursive: true });
    const file = join(out, `${name}.yaml`);
    writeFileSync(
      file,
      candidateYaml(candidate, name, "a candidate of zk-chaos explore", {
        ...target,
        ...(version !== undefined ? { zookeeperVersion: version } : {}),
      }),
    );
    // Read back as any scenario file is: what runs is what a replay runs.
    const scenario = loadScenario(file);
    const plan = planRun(scenario, candidate.nodes, seed, undefined, version);
    runs++;
    const { results, dir } = await runAndReport(plan, file, {
      out,
      docker: options.provider,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (_label: string, _progress: RunProgress) => options.onProgress?.(status()),
    });
    const events = await readHistoryFile(join(dir, "history.jsonl"));
    return { results, dir, events };
  };

  /**
   * A run the servers' state cut short (a fault with no server to hit, such as
   * a leader while no quorum stands) tells nothing and ends nothing: logged,
   * and the campaign goes on. Any other error (bad input, an interruption)
   * still ends it.
   */
  const unrunnable =
    (what: string) =>
    (error: unknown): undefined => {
      if (!(error instanceof ZkChaosError) || error.code !== "SERVER_STATE") throw error;
      options.log?.(`explore: ${what} could not run to its end: ${error.message}; going on`);
      return undefined;
    };

  /** How often `candidate` shows an anomaly of `key` in `times` runs with other seeds. */
  const reproduce = async (
    candidate: ExploreCandidate,
    key: readonly string[],
    times: number,
    out: string,
    version?: string,
  ): Promise<ReproductionRate> => {
    let reproduced = 0;
    let of = 0;
    for (let attempt = 0; attempt < times && !options.signal?.aborted; attempt++) {
      const seed = Math.floor(random() * 2 ** 31);
      const run = await runCandidate(candidate, "replay", seed, out, version).catch(
        unrunnable(`a run of ${out}`),
      );
      if (options.signal?.aborted) break;
      of++;
      if (run === undefined) continue;
      if (sameAnomaly(key, anomalyKey(run.results.verdicts))) reproduced++;
    }
    return { reproduced, of };
  };

  const recordFinding = async (
    candidate: ExploreCandidate,
    results: ResultsFile,
    events: Awaited<ReturnType<typeof readHistoryFile>>,
    originalDir: string,
    key: string[],
  ) => {
    const id = `finding-${options.seed}${shardTag}-${findings.length + 1}`;
    // Claimed before the shrink awaits: a parallel search may find another meanwhile.
    findings.push(undefined as unknown as ExploreFinding);
    const slot = findings.length - 1;
    const dir = join(options.findingsDir, id);
    mkdirSync(dir, { recursive: true });
    cpSync(originalDir, join(dir, "original"), { recursive: true });
    options.log?.(`explore: ${id}: ${key.join(", ")} in ${originalDir}; shrinking`);
    phase = "shrink";
    const shrinkOut = join(dir, "shrink-runs");
    const shrunk = await shrink(candidate, {
      maxTrials: options.maxShrinkTrials ?? 10,
      reproduces: (each) =>
        left() > 0
          ? reproduce(each, key, options.shrinkRuns ?? 2, shrinkOut)
          : Promise.resolve({ reproduced: 0, of: 0 }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: (line: string) => options.log?.(`explore: ${id}: ${line}`) } : {}),
    });
    phase = "replay";
    const version = results.zooKeeperVersion;
    const shrunkDir = join(dir, "shrunk");
    const rate = await reproduce(shrunk.candidate, key, options.replays ?? 3, shrunkDir);
    const alsoOn: { version: string; rate: ReproductionRate }[] = [];
    for (const other of options.alsoOn ?? [])
      alsoOn.push({
        version: other,
        rate: await reproduce(
          shrunk.candidate,
          key,
          options.replays ?? 3,
          join(dir, `on-${other}`),
          other,
        ),
      });
    writeFileSync(
      join(dir, "scenario.yaml"),
      candidateYaml(shrunk.candidate, id, `shrunk by zk-chaos explore: ${key.join(", ")}`, {
        ...target,
        zookeeperVersion: version,
      }),
    );
    // A scenario that shows it only with a fault TCP never makes is the fault's doing.
    const outsideModel = outsideFaultModel(shrunk.candidate.faults.map((fault) => fault.spec));
    const bugs =
      outsideModel !== undefined
        ? []
        : documentedBugsFor(
            key,
            version,
            options.knownBugsDir,
            candidate.faults.map((fault) => fault.spec.kind),
            results.verdicts.flatMap((verdict) =>
              verdict.anomalies.map((anomaly) => anomaly.message),
            ),
          );
    writeFileSync(
      join(dir, "finding.md"),
      findingMarkdown({
        id,
        key,
        version,
        verdicts: results.verdicts,
        events,
        originalDir: join(dir, "original"),
        shrunkDir,
        steps: shrunk.steps,
        faultsBefore: candidate.faults.length,
        faultsAfter: shrunk.candidate.faults.length,
        durationBefore: candidate.durationMs,
        durationAfter: shrunk.candidate.durationMs,
        rate,
        alsoOn,
        bugs,
        outsideModel,
      }),
    );
    const finding: ExploreFinding = {
      id,
      key,
      dir,
      rate,
      faults: shrunk.candidate.faults.length,
      durationMs: shrunk.candidate.durationMs,
      jira: documentedKeys(bugs),
      ...(outsideModel !== undefined ? { outsideModel } : {}),
    };
    findings[slot] = finding;
    // What `explore merge` reads to join findings of several campaigns.
    writeFileSync(join(dir, "finding.json"), `${JSON.stringify(finding, null, 2)}\n`);
    options.log?.(
      `explore: ${id}: shrunk to ${shrunk.candidate.faults.length} fault(s) over ${shrunk.candidate.durationMs} ms, replays ${rate.reproduced}/${rate.of}${outsideModel !== undefined ? `; outside ZooKeeper's fault model (${outsideModel}): not counted` : bugs.length > 0 ? `; documented: ${documentedKeys(bugs).join(", ")}` : "; no documented bug explains it"} -> ${dir}`,
    );
    phase = "search";
  };

  const searchOut = join(options.out, "runs");
  let searchRuns = 0;
  let nextAttempt = 0;
  let stopped = false;
  /** One search worker: draws or mutates, runs, learns, until the budget or a bound ends the search. */
  const searchWorker = async () => {
    while (!stopped && left() > 0 && !options.signal?.aborted) {
      const attempt = nextAttempt++;
      if (options.maxRuns !== undefined && attempt >= options.maxRuns) break;
      if (
        options.maxFindings !== undefined &&
        countedFindings(findings.filter((each) => each !== undefined)).length >= options.maxFindings
      )
        break;
      const seed = (campaignSeed * 7919 + attempt) % 2 ** 31;
      const fresh = corpus.entries.length === 0 || random() < FRESH_SHARE;
      const parent = fresh ? undefined : corpus.pickParent(random);
      const { candidate, how } =
        parent === undefined
          ? { candidate: drawWith(candidateArbitrary(kinds, bounds), seed), how: "fresh" }
          : mutate(
              parent.candidate,
              { ...bounds, kinds, moments: observedMoments(parent.grams) },
              seed,
            );
      // A candidate's run must fit what is left of the budget (start and checks included).
      if (candidate.durationMs + 15_000 > left() && runs > 0) {
        stopped = true;
        break;
      }
      const name = `explore-${options.seed}${shardTag}-${attempt + 1}`;
      const run = await runCandidate(candidate, name, seed, searchOut).catch(unrunnable(name));
      if (options.signal?.aborted) break;
      searchRuns++;
      if (run === undefined) continue;
      const grams = behaviourSignature(run.events);
      const brought = newGrams(grams, corpus.coverage);
      if (brought.length > 0) {
        corpus.add(
          {
            id: name,
            candidate,
            grams: [...grams],
            fresh: brought.length,
            ...(parent ? { parent: parent.id } : {}),
            how,
          },
          candidateYaml(candidate, name, `corpus entry (${how})`, target),
        );
      }
      coverageOverTime.push({
        run: runs,
        grams: corpus.coverage.size,
        elapsedMs: Math.round(elapsed()),
      });
      options.log?.(
        `explore: run ${searchRuns}, ${name} (${how}${parent ? ` of ${parent.id}` : ""}, ${candidate.faults.map((fault) => fault.spec.kind).join("+")}, ${lastFaultEnd(candidate)}/${candidate.durationMs} ms): ${String(run.results.valid)}, ${brought.length} new gram(s); coverage ${corpus.coverage.size}, corpus ${corpus.entries.length}, findings ${findings.length}, ${Math.round(Math.max(0, left()) / 1000)} s left`,
      );
      options.onProgress?.(status());
      const key = anomalyKey(run.results.verdicts);
      const faultMade = faultMadeAnomalies(run.results.verdicts);
      if (key.length === 0 && faultMade > 0)
        options.log?.(
          `explore: run ${searchRuns}: its ${faultMade} anomal${faultMade === 1 ? "y is" : "ies are"} the faults' own doing (data the nemesis destroyed; ZooKeeper trusts its disks): not a finding`,
        );
      const id = key.join("|");
      if (key.length > 0 && !found.has(id)) {
        found.add(id);
        await recordFinding(candidate, run.results, run.events, run.dir, key);
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 1 }, () => searchWorker()));
  const result: ExploreResult = {
    runs,
    searchRuns,
    coverage: corpus.coverage.size,
    corpus: corpus.entries.length,
    // A shrink an interruption cut short claimed its slot but wrote nothing.
    findings: findings.filter((finding) => finding !== undefined),
    coverageOverTime,
    skippedKinds: skipped,
    interrupted: options.signal?.aborted === true,
  };
  writeExploreReport(options.out, result, corpus.entries, options.seed);
  return result;
}
