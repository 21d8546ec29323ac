import { randomInt as cryptoRandomInt } from "node:crypto";
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { type ExploreResult, type ExploreStatus, explore } from "../explore/campaign.js";
import { EXPLORE_WORKLOADS, type ExploreWorkloadKind } from "../explore/candidate.js";
import { countedFindings } from "../explore/explore-result.js";
import { checkParallel } from "../explore/parallel.js";
import { EXPLORABLE_KINDS } from "../explore/vocabulary.js";
import { chooseOrLocal, PROVIDER_OPTION_CHOICES } from "../providers/choose.js";
import { parseShard } from "../runner/run-matrix.js";
import { standardSuiteDir } from "../runner/validate.js";
import { formatDuration } from "../util/duration.js";
import { prepareOutputFolder } from "../util/output-folder.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { exploreMergeCommand } from "./explore-merge-command.js";
import { interruptible } from "./interruption.js";
import { jsonDocument } from "./json-output.js";
import {
  parseDurationOption,
  parseNodes,
  parsePositiveInt,
  parseVersionList,
} from "./parse-options.js";
import {
  checkReleaseOptions,
  type ProviderOptions,
  withProviderOptions,
} from "./provider-options.js";
import { QUIET_HELP, quietly } from "./quiet.js";

interface ExploreCliOptions extends ProviderOptions {
  readonly budget: number;
  readonly nodes: number;
  readonly provider?: string;
  readonly seed?: number;
  readonly out?: string;
  readonly corpus?: string;
  readonly findings?: string;
  readonly maxRuns?: number;
  readonly maxDuration: number;
  readonly maxFaults: number;
  readonly replays: number;
  readonly shrinkTrials: number;
  readonly maxFindings?: number;
  readonly alsoOn?: string[];
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly kinds?: string[];
  readonly wire?: "summary" | "off";
  readonly workload?: ExploreWorkloadKind;
  readonly shard?: [number, number];
  readonly parallel: number;
}

/** A whole number of 0 or more. */
function parseCount(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed))
    throw new InvalidArgumentError("a whole number of 0 or more.");
  return parsed;
}

/** A folder name stamp: the time, to the second, in UTC. */
const stamp = () =>
  new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

async function runExplore(options: ExploreCliOptions, io: CliIo): Promise<number> {
  const log = quietly(io, options.quiet);
  checkReleaseOptions(options);
  // Before any folder is made: a --parallel this machine cannot carry is bad input.
  if (options.provider !== "ssh") checkParallel(options.parallel, options.nodes);
  const out = options.out ?? join("reports", `${stamp()}-explore`);
  prepareOutputFolder(out);
  const provider = await chooseOrLocal(options, log);
  const seed = options.seed ?? cryptoRandomInt(0, 2 ** 31 - 1);
  const corpusDir = options.corpus ?? join(out, "corpus");
  const findingsDir = options.findings ?? join(out, "findings");
  log(
    `explore: seed ${seed}${options.shard ? `, shard ${options.shard[0]}/${options.shard[1]}` : ""}${options.parallel > 1 ? `, ${options.parallel} at once` : ""}, ${options.nodes} servers, budget ${formatDuration(options.budget)}${options.maxRuns ? ` or ${options.maxRuns} run(s)` : ""}; corpus ${corpusDir}, findings ${findingsDir}`,
  );
  const interruption = interruptible();
  // A line each time a run starts or the phase changes: runs, coverage, corpus, findings, time left.
  let shown = "";
  const onProgress = (status: ExploreStatus) => {
    const line = `explore | ${status.phase} | run ${status.runs} | coverage ${status.coverage} | corpus ${status.corpus} | findings ${status.findings} | ${Math.round(status.leftMs / 1000)} s left`;
    const key = `${status.phase}/${status.runs}`;
    if (key === shown || options.quiet) return;
    shown = key;
    io.err(`${line}\n`);
  };
  let result: ExploreResult;
  try {
    result = await explore({
      budgetMs: options.budget,
      ...(options.maxRuns !== undefined ? { maxRuns: options.maxRuns } : {}),
      nodes: options.nodes,
      ...(options.zookeeperVersion?.[0] ? { zookeeperVersion: options.zookeeperVersion[0] } : {}),
      provider,
      seed,
      out,
      corpusDir,
      findingsDir,
      maxDurationMs: options.maxDuration,
      maxFaults: options.maxFaults,
      replays: options.replays,
      maxShrinkTrials: options.shrinkTrials,
      ...(options.maxFindings !== undefined ? { maxFindings: options.maxFindings } : {}),
      ...(options.alsoOn ? { alsoOn: options.alsoOn } : {}),
      ...(options.kinds ? { kinds: options.kinds } : {}),
      ...(options.wire ? { wire: options.wire } : {}),
      ...(options.workload ? { workload: options.workload } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      parallel: options.parallel,
      knownBugsDir: join(standardSuiteDir(), "known-bugs"),
      log,
      onProgress,
      signal: interruption.signal,
    });
  } catch (error) {
    // A signal that cuts a run's start or teardown short may surface as that step's error
    // (CI once: exit 2 instead of 143); the signal is what ended the campaign.
    const signal = interruption.received();
    if (signal === undefined) throw error;
    io.err(
      `zk-chaos: interrupted (${signal}): stopped while a run was starting or stopping (${(error as Error).message}); the corpus and findings so far are kept\n`,
    );
    return interruption.exitCode();
  } finally {
    interruption.release();
  }
  if (options.json) io.out(jsonDocument({ seed, out, corpusDir, findingsDir, ...result }));
  else {
    io.out(
      `explore: ${result.searchRuns} search run(s) (${result.runs} in all with shrinks and replays), coverage ${result.coverage} signature gram(s), corpus ${result.corpus}, ${result.findings.length} finding(s)\n`,
    );
    for (const finding of result.findings)
      io.out(
        `  ${finding.id}: ${finding.key.join(", ")}; shrunk to ${finding.faults} fault(s) over ${formatDuration(finding.durationMs)}, replays ${finding.rate.reproduced}/${finding.rate.of}; ${finding.outsideModel !== undefined ? "outside ZooKeeper's fault model, not counted" : finding.jira.length > 0 ? finding.jira.join(", ") : "no documented bug"} -> ${finding.dir}\n`,
      );
    io.out(
      `replay with: zk-chaos run <finding>/scenario.yaml; report ${join(out, "report.html")}, JUnit ${join(out, "junit.xml")}\n`,
    );
  }
  if (result.interrupted) {
    io.err(
      `zk-chaos: interrupted (${interruption.received() ?? "signal"}): stopped after ${result.runs} run(s), every server and proxy removed; the corpus and findings so far are kept\n`,
    );
    return interruption.exitCode();
  }
  // A finding outside ZooKeeper's fault model is kept for the record, not counted.
  return countedFindings(result.findings).length > 0 ? ExitCode.anomaly : ExitCode.ok;
}

/** The `explore` command: a feedback-guided search for faults that break the guarantees. */
export function exploreCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  const command = new Command("explore")
    .description(
      "search fault schedules by themselves: runs that reach new server behaviour join a corpus and are mutated; every anomaly is shrunk to a scenario that replays",
    )
    .option(
      "--budget <duration>",
      "how long the campaign may take, e.g. 30m (bare numbers are seconds)",
      parseDurationOption,
      30 * 60_000,
    )
    .option("-n, --nodes <n>", "servers in each ensemble", parseNodes, 3)
    .option(
      "--seed <n>",
      "seed of the campaign (the same seed draws the same candidates)",
      parsePositiveInt,
    )
    .option("--out <folder>", "where run folders go (default reports/<time>-explore)")
    .option("--corpus <folder>", "the corpus to start from and add to (default <out>/corpus)")
    .option("--findings <folder>", "where findings go (default <out>/findings)")
    .option(
      "--max-runs <n>",
      "stop after this many search runs even with budget left",
      parsePositiveInt,
    )
    .addOption(
      new Option("--max-duration <duration>", "the longest candidate run")
        .argParser(parseDurationOption)
        .default(15_000, "15s"),
    )
    .option(
      "--max-findings <n>",
      "stop once this many findings are written (e.g. 1 in CI: fail fast)",
      parsePositiveInt,
    )
    .option("--max-faults <n>", "the most faults in one candidate", parsePositiveInt, 3)
    .option(
      "--replays <n>",
      "replays of each shrunk finding to measure its rate",
      parsePositiveInt,
      3,
    )
    .option(
      "--shrink-trials <n>",
      "smaller candidates a shrink may try (each run twice); 0 keeps findings as found",
      parseCount,
      10,
    )
    .option(
      "--also-on <versions>",
      "replay each shrunk finding on these releases too, e.g. 3.9.5",
      parseVersionList,
    )
    .option(
      "--kinds <kinds>",
      `the fault kinds to draw from, e.g. kill,pause,isolate (default every one the provider and this machine can make: ${EXPLORABLE_KINDS.join(", ")})`,
      (value: string) =>
        value
          .split(",")
          .map((kind) => kind.trim())
          .filter(Boolean),
    )
    .addOption(
      new Option(
        "--wire <mode>",
        "record the peer messages into each run; their sequences join the signature (default summary on the local provider, else off)",
      ).choices(["summary", "off"]),
    )
    .addOption(
      new Option(
        "--workload <kind>",
        "what the workers run: registers (Jepsen's) or transactions (multis, multiReads; judged by Elle's anomalies)",
      )
        .choices([...EXPLORE_WORKLOADS])
        .default("registers"),
    )
    .option(
      "--shard <i/n>",
      "search shard i of n (CI machines): its own draws from the same seed, its own names; join them with explore merge",
      parseShardOption,
    )
    .option(
      "--parallel <n>",
      "candidates run at once, each on an ensemble of its own (at most one per core)",
      parsePositiveInt,
      1,
    )
    .option("--json", "print one JSON document on stdout: runs, coverage, corpus, findings")
    .option("--quiet", QUIET_HELP)
    .addOption(
      new Option("--provider <name>", "how servers run (default local)").choices(
        PROVIDER_OPTION_CHOICES,
      ),
    )
    .action((options: ExploreCliOptions) => setExit(runExplore(options, io)));
  command.addCommand(exploreMergeCommand(io, setExit));
  return withProviderOptions(command, false);
}

/** --shard as commander reads it: a clear error for a bad value. */
function parseShardOption(value: string): [number, number] {
  try {
    return parseShard(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
