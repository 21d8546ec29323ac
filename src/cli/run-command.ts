import { Command, InvalidArgumentError, Option } from "commander";
import { combineValidity, type Verdict } from "../checkers/verdict.js";
import type { ServerAddress } from "../ensemble/ensemble.js";
import { BadInputError } from "../errors.js";
import type { WireMode } from "../history/wire.js";
import { chooseProvider, PROVIDER_OPTION_CHOICES } from "../providers/choose.js";
import type { ProviderName } from "../providers/provider.js";
import { refuseProviderFaults } from "../providers/registry.js";
import { causeHeading, groupAnomaliesByCause } from "../report/anomaly-groups.js";
import { githubAnnotations, inGitHubActions } from "../report/github-annotations.js";
import { runPassed } from "../report/results.js";
import { appendStepSummary, rerenderRunDir, writeRunComparison } from "../report/write-reports.js";
import { type MatrixOptions, parseShard, planMatrix, runMatrix } from "../runner/run-matrix.js";
import { planText } from "../scenario/plan-text.js";
import { formatDuration } from "../util/duration.js";
import { prepareOutputFolder } from "../util/output-folder.js";
import { exitCodeOf } from "./check-command.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { expectationMark, validityMark } from "./colour.js";
import { interruptible } from "./interruption.js";
import { jsonDocument } from "./json-output.js";
import { parseConnectList, parseDurationOption, parseNodeList } from "./parse-options.js";
import { progressPrinter } from "./progress-printer.js";
import {
  checkReleaseOptions,
  type ProviderOptions,
  withProviderOptions,
} from "./provider-options.js";
import { QUIET_HELP, quietly } from "./quiet.js";
import { type WatchOptions, watchSettingsOf, withWatchOptions } from "./watch-options.js";

interface RunOptions extends ProviderOptions, WatchOptions {
  readonly nodes?: number[];
  readonly seed?: number;
  readonly out: string;
  readonly duration?: number;
  readonly shard?: string;
  readonly wire?: WireMode;
  readonly provider?: string;
  readonly json?: boolean;
  readonly connect?: readonly ServerAddress[];
  readonly connectRoot?: string;
  readonly yes?: boolean;
  readonly quiet?: boolean;
  readonly dryRun?: boolean;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 2 ** 31 - 1)
    throw new InvalidArgumentError("must be an integer from 0 to 2147483647.");
  return Number(value);
}

async function run(files: string[], options: RunOptions, io: CliIo): Promise<number> {
  checkReleaseOptions(options);
  const watch = watchSettingsOf(options);
  if (options.dryRun) return dryRun(files, options, watch, io);
  prepareOutputFolder(options.out);
  if (options.connect !== undefined) await confirmConnect(options, options.connect, io);
  const say = quietly(io, options.quiet);
  const { name: provider, choice } = await chooseProvider(options, say);
  const printer = progressPrinter(io, options.quiet);
  const interruption = interruptible();
  try {
    const { runs, summaryDir, interrupted } = await runMatrix({
      ...matrixOf(files, options, watch),
      ...(provider ? { provider } : {}),
      docker: choice,
      log: (line) => {
        printer.done();
        say(line);
      },
      onProgress: (label, progress) => printer.update(label, progress),
      signal: interruption.signal,
    });
    printer.done();
    const code = (): number =>
      runs.length === 0
        ? ExitCode.badInput
        : // A known-bug run passes when it showed what its scenario expects on that version.
          exitCodeOf({
            valid: combineValidity(runs.map(runPassed)),
          });
    if (runs.length === 0 && !interrupted) {
      io.err(
        "zk-chaos: error: nothing to run (this shard got no scenario x size): check --shard and --nodes\n",
      );
      return ExitCode.badInput;
    }
    if (options.json) {
      // One JSON document on stdout (progress stays on stderr): every run's results.json.
      io.out(
        jsonDocument({
          interrupted: interrupted ? (interruption.received() ?? "signal") : false,
          out: options.out,
          ...(summaryDir ? { summary: summaryDir } : {}),
          runs,
        }),
      );
      if (interrupted) return interruption.exitCode();
      return code();
    }
    if (interrupted) {
      // Nothing is judged: the servers were torn down mid-run.
      io.err(
        `zk-chaos: interrupted (${interruption.received() ?? "signal"}): stopped after ${runs.length} run(s), every server and proxy removed; reports so far in ${options.out}\n`,
      );
      return interruption.exitCode();
    }
    for (const result of runs) {
      if (result.bug) {
        const { bug } = result;
        const verdict = expectationMark(io, bug.matched);
        io.out(
          `${bug.observed.padEnd(10)} ${bug.jira.join(", ")} on ${bug.version} n=${result.nodes} seed=${result.seed}: ${verdict}${bug.expected ? ` (expected ${bug.expected})` : " (no expectation for this version)"}\n`,
        );
        const signature = bug.signature;
        const inSignature = (checker: string) =>
          signature === undefined || signature.includes(checker);
        if (bug.observed === "reproduced")
          for (const verdict of result.verdicts.filter(
            (v) => v.valid === false && inSignature(v.checker),
          ))
            io.out(
              `           ${verdict.checker}: ${verdict.anomalies[0]?.message ?? "anomaly"}\n`,
            );
        if (bug.observed === "reproduced") printCauses(io, result.verdicts);
        // Findings outside the bug's signature are real too: say them, apart from the bug.
        for (const verdict of result.verdicts.filter(
          (v) => v.valid === false && !inSignature(v.checker),
        ))
          io.out(
            `           also found (not this bug): ${verdict.checker}: ${verdict.anomalies[0]?.message ?? "anomaly"}\n`,
          );
        if (bug.unfiredTriggers)
          io.out(
            `           never triggered: ${bug.unfiredTriggers.join(", ")} (the bug's moment never came)\n`,
          );
        if (bug.matched !== true) io.out(`           replay: ${result.replay}\n`);
        continue;
      }
      if (result.expected) {
        const { expected } = result;
        const mark = expectationMark(io, expected.matched);
        io.out(
          `${mark}  ${result.scenario} zk=${result.zooKeeperVersion} n=${result.nodes} seed=${result.seed}: ${expected.reason}\n`,
        );
        if (expected.matched !== true) io.out(`         replay: ${result.replay}\n`);
        continue;
      }
      const mark = validityMark(io, result.valid);
      io.out(
        `${mark}  ${result.scenario} zk=${result.zooKeeperVersion} n=${result.nodes} seed=${result.seed}: ${result.operations} ops, recovery ${result.timings.recoveryMs === undefined ? "none" : formatDuration(result.timings.recoveryMs)}\n`,
      );
      for (const verdict of result.verdicts.filter((v) => v.valid !== true)) {
        io.out(
          `         ${verdict.checker}: ${verdict.anomalies[0]?.message ?? String(verdict.valid)}${verdict.anomalies.length > 1 ? ` (+${verdict.anomalies.length - 1} more)` : ""}\n`,
        );
      }
      printCauses(io, result.verdicts);
      if (result.valid !== true) io.out(`         replay: ${result.replay}\n`);
    }
    // In a GitHub Actions step each anomaly becomes an annotation on the workflow run.
    if (inGitHubActions())
      for (const result of runs) for (const line of githubAnnotations(result)) io.out(`${line}\n`);
    if (runs.length === 0) {
      io.err(
        "zk-chaos: error: nothing to run (this shard got no scenario x size): check --shard and --nodes\n",
      );
      return ExitCode.badInput;
    }
    io.out(`reports in ${options.out}${summaryDir ? ` (summary: ${summaryDir})` : ""}\n`);
    // A known-bug run passes when it showed what its scenario expects on that version.
    return exitCodeOf({
      valid: combineValidity(runs.map(runPassed)),
    });
  } finally {
    interruption.release();
  }
}

/** A znode path for --connect-root: absolute, not the root, not ZooKeeper's own tree. */
function parseConnectRoot(value: string): string {
  if (
    !/^(\/[A-Za-z0-9._-]+)+$/.test(value) ||
    value === "/zookeeper" ||
    value.startsWith("/zookeeper/")
  )
    throw new InvalidArgumentError(
      "must be an absolute znode path of letters, digits, '.', '_' and '-' (not / or /zookeeper), e.g. /zk-chaos-check",
    );
  return value;
}

/**
 * Says what a run against an existing ensemble will write, and where, before
 * anything is written; without --yes it asks on a terminal and refuses
 * elsewhere (a CI job must say --yes).
 */
async function confirmConnect(
  options: RunOptions,
  addresses: readonly ServerAddress[],
  io: CliIo,
): Promise<void> {
  if (options.nodes !== undefined || options.zookeeperVersion !== undefined)
    throw new BadInputError(
      "--connect learns the ensemble's size and version from its servers: drop --nodes and --zookeeper-version",
    );
  const where = options.connectRoot ?? "/zk-chaos-<run id>";
  io.err(
    `zk-chaos: WARNING: --connect writes to the existing ensemble at ${addresses.map((a) => `${a.host}:${a.port}`).join(",")}: test znodes under ${where} (removed afterwards), sessions and ephemeral znodes of the simulated agents; its servers are never touched\n`,
  );
  if (options.yes === true) return;
  if (process.stdin.isTTY !== true)
    throw new BadInputError(
      "--connect writes to an ensemble that is not zk-chaos's own: add --yes to confirm (no terminal to ask on)",
    );
  const { createInterface } = await import("node:readline/promises");
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question("zk-chaos: go ahead? [y/N] ");
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new BadInputError("--connect: not confirmed; nothing was written");
  } finally {
    prompt.close();
  }
}

/** The matrix the options name (the same for a run and its dry run): scenarios, sizes, seed, duration, shard, wire, versions. */
function matrixOf(
  files: string[],
  options: RunOptions,
  watch: ReturnType<typeof watchSettingsOf>,
): MatrixOptions {
  return {
    scenarioFiles: files,
    ...(options.connect !== undefined
      ? { nodes: [options.connect.length] }
      : options.nodes
        ? { nodes: options.nodes }
        : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.duration !== undefined ? { durationMs: options.duration } : {}),
    ...(watch ? { watch } : {}),
    ...(options.shard ? { shard: parseShard(options.shard) } : {}),
    ...(options.wire ? { wire: options.wire } : {}),
    ...(options.zookeeperVersion ? { versions: options.zookeeperVersion } : {}),
    out: options.out,
  };
}

/** --dry-run: every run planned and printed (scenarios validated, seeds drawn), nothing started. */
function dryRun(
  files: string[],
  options: RunOptions,
  watch: ReturnType<typeof watchSettingsOf>,
  io: CliIo,
): number {
  const planned = planMatrix({
    ...matrixOf(files, options, watch),
    ...(options.provider ? { provider: options.provider as ProviderName } : {}),
  });
  // What the provider could never make is refused here too, as the run would refuse it.
  for (const { file, plan } of planned) {
    try {
      refuseProviderFaults(plan, plan.provider);
    } catch (error) {
      if (error instanceof BadInputError) throw new BadInputError(`${file}: ${error.message}`);
      throw error;
    }
  }
  for (const { file, plan } of planned) io.out(`${planText(plan, file)}\n`);
  const total = planned.reduce((sum, { plan }) => sum + plan.durationMs, 0);
  io.out(
    `${planned.length} run(s), ${formatDuration(total)} of workload in all; nothing started${options.seed === undefined ? " (seeds drawn now: pass --seed to run exactly these plans)" : ""}\n`,
  );
  return planned.length === 0 ? ExitCode.badInput : ExitCode.ok;
}

/** The `run` command: scenarios x sizes, with reports. */
export function runCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  const command = new Command("run")
    .description(
      "run scenarios against real ensembles and write reports (exit 0 valid, 1 anomaly, 3 unknown, 2 bad input)",
    )
    .argument("<scenario...>", "scenario files (YAML)")
    .option(
      // -n as on every command that takes --nodes.
      "-n, --nodes <sizes>",
      "ensemble sizes, e.g. 1,3,5,7 (default: each scenario's own)",
      parseNodeList,
    )
    .option(
      "--seed <n>",
      "seed of every random choice (default: the scenario's, else random; printed)",
      parseSeed,
    )
    .option("--out <folder>", "where run folders go", "reports")
    .option(
      "--json",
      "print one JSON document on stdout: every run's results (progress stays on stderr)",
    )
    .option("--quiet", QUIET_HELP)
    .option(
      "--dry-run",
      "print every run's plan (size, version, seed, duration, workload, faults) and start nothing",
    )
    .option(
      "--duration <duration>",
      "override each scenario's duration (faults scale with it)",
      parseDurationOption,
    )
    .option("--shard <i/n>", "run only this machine's share of scenarios x versions x sizes")
    .addOption(
      new Option(
        "--wire <mode>",
        "record the peer messages of every run, whatever each scenario's network.wire says (see `zk-chaos wire`)",
      ).choices(["off", "summary", "full"]),
    )
    .addOption(
      new Option(
        "--provider <name>",
        "how servers run (default: each scenario's own, local)",
      ).choices(PROVIDER_OPTION_CHOICES),
    )
    .option(
      "--connect <host:port,...>",
      "run against an ensemble that already exists (every server's client address): its size, version and modes come from srvr; no server faults, client-side ones through local proxies",
      parseConnectList,
    )
    .option(
      "--connect-root <znode>",
      "with --connect: the znode the run writes under, removed afterwards (default /zk-chaos-<run id>)",
      parseConnectRoot,
    )
    .option("--yes", "with --connect: write to that ensemble without asking")
    .action((files: string[], options: RunOptions) => setExit(run(files, options, io)));
  return withWatchOptions(withProviderOptions(command, true));
}

/** The `report` command: re-renders a run folder. */
export function reportCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("report")
    .description(
      "re-render a run folder's reports (report.md, junit.xml, report.html) from its results and history; with --compare, two runs side by side",
    )
    .argument("<run-dirs...>", "a folder written by 'zk-chaos run' (two with --compare: A B)")
    .option(
      "--compare",
      "compare two run folders (two versions, two configurations, before and after): verdicts, availability windows, latency distributions",
    )
    .option("--out <dir>", "with --compare: where compare.md and compare.html go", "reports")
    .addHelpText(
      "after",
      "\nExamples:\n  zk-chaos report reports/kill-leader-n3-7\n  zk-chaos report --compare reports/kill-leader-n3-zk3.8.0-7 reports/kill-leader-n3-zk3.9.5-7 --out reports/compare-3.8-3.9\n",
    )
    .action((dirs: string[], options: { compare?: boolean; out: string }) =>
      setExit(
        (async () => {
          if (options.compare !== true) {
            if (dirs.length !== 1)
              throw new BadInputError(
                `report takes one run folder (got ${dirs.length}); to compare two, add --compare`,
              );
            const results = await rerenderRunDir(dirs[0] as string);
            io.out(
              `re-rendered ${dirs[0]}: ${results.scenario} on ${results.nodes} node(s), ${String(results.valid)}\n`,
            );
            return ExitCode.ok;
          }
          if (dirs.length !== 2)
            throw new BadInputError(
              `report --compare takes two run folders, A and B (got ${dirs.length})`,
            );
          prepareOutputFolder(options.out);
          const { markdown, files } = await writeRunComparison(
            dirs[0] as string,
            dirs[1] as string,
            options.out,
          );
          appendStepSummary(markdown);
          io.out(markdown);
          io.out(`\nwritten: ${files.join(", ")}\n`);
          return ExitCode.ok;
        })(),
      ),
    );
}

/** One line per cause the servers' logs prove, with how many anomalies follow from it. */
function printCauses(io: CliIo, verdicts: readonly Verdict[]): void {
  for (const group of groupAnomaliesByCause(verdicts).filter((each) => each.cause))
    io.out(`         ${causeHeading(group)}\n`);
}
