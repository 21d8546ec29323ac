import { randomInt as cryptoRandomInt } from "node:crypto";
import { join } from "node:path";
import { Command, Option } from "commander";
import pLimit from "p-limit";
import { supervisorName } from "../deployment/capacity.js";
import { loadDeployment } from "../deployment/load-deployment.js";
import {
  type DeploymentValidation,
  validateDeployment,
} from "../deployment/validate-deployment.js";
import { BadInputError } from "../errors.js";
import { checkParallel, defaultParallel } from "../explore/parallel.js";
import { chooseOrLocal, PROVIDER_OPTION_CHOICES } from "../providers/choose.js";
import { compareSizes, comparisonMarkdown, writeComparison } from "../runner/compare-sizes.js";
import { type Validation, validateCluster } from "../runner/validate.js";
import { formatDuration } from "../util/duration.js";
import { prepareOutputFolder } from "../util/output-folder.js";
import { exitCodeOf } from "./check-command.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { validityMark } from "./colour.js";
import { interruptible } from "./interruption.js";
import { jsonDocument } from "./json-output.js";
import {
  collectList,
  parseDurationOption,
  parseNodeList,
  parsePositiveInt,
  ZK_CONFIG_HELP,
} from "./parse-options.js";
import { progressPrinter } from "./progress-printer.js";
import {
  checkReleaseOptions,
  type ProviderOptions,
  withProviderOptions,
} from "./provider-options.js";
import { QUIET_HELP, quietly } from "./quiet.js";
import { type WatchOptions, watchSettingsOf, withWatchOptions } from "./watch-options.js";

interface ValidateCliOptions extends ProviderOptions, WatchOptions {
  readonly provider?: string;
  readonly nodes?: readonly number[];
  readonly deployment?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly agents?: number;
  readonly zkConfig?: string[];
  readonly profile: "fast" | "production";
  readonly quick?: boolean;
  readonly supervise?: number;
  readonly parallel?: number;
  readonly fullWindows?: boolean;
  readonly out: string;
  readonly seed?: number;
}

async function validate(options: ValidateCliOptions, io: CliIo): Promise<number> {
  if (options.deployment !== undefined)
    return validateDeploymentFile(options, options.deployment, io);
  if (options.nodes === undefined)
    throw new BadInputError(
      "validate needs --nodes 3,5,7 (sizes to validate) or --deployment FILE (a deployment's capacity): give one",
    );
  const sizes = options.nodes;
  const log = quietly(io, options.quiet);
  const printer = progressPrinter(io, options.quiet);
  checkReleaseOptions(options);
  // Before any folder is made: a --parallel this machine cannot carry is bad input. By
  // default, as many ensembles as it carries (on ssh hosts: one at a time).
  const largest = Math.max(...sizes);
  const local = options.provider !== "ssh";
  const parallel = options.parallel ?? (local ? defaultParallel(largest) : 1);
  if (local) checkParallel(parallel, largest);
  const watch = watchSettingsOf(options);
  prepareOutputFolder(options.out);
  const provider = await chooseOrLocal(options, log);
  // One seed for every size, so that they face the same faults and load.
  const seed = options.seed ?? cryptoRandomInt(0, 2 ** 31 - 1);
  // Every size's matrix and scenarios share one pool: no core idles while one size ends.
  const slots = pLimit(parallel);
  // The pool starts jobs in the order they come: the largest size's (the longest runs) first,
  // so that the last jobs to finish are short ones and no core waits long at the end.
  const largestFirst = [...sizes].sort((a, b) => b - a);
  const settledLargestFirst = await Promise.allSettled(
    largestFirst.map((nodes) =>
      validateCluster({
        provider,
        nodes,
        ...(options.zookeeperVersion?.[0] ? { zookeeperVersion: options.zookeeperVersion[0] } : {}),
        ...(options.agents ? { agents: options.agents } : {}),
        ...(watch ? { watch } : {}),
        ...(options.zkConfig ? { zkConfig: options.zkConfig } : {}),
        profile: options.profile,
        quick: options.quick === true,
        ...(options.fullWindows ? { fullWindows: true } : {}),
        ...(options.supervise !== undefined ? { superviseMs: options.supervise } : {}),
        parallel,
        slots,
        out: options.out,
        seed,
        log: (line) => {
          printer.done();
          log(line);
        },
        onProgress: (label, progress) => printer.update(label, progress),
      }),
    ),
  );
  const settled = sizes.map(
    (nodes) =>
      settledLargestFirst[largestFirst.indexOf(nodes)] as (typeof settledLargestFirst)[number],
  );
  printer.done();
  const failed = settled.find((each) => each.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  const results = settled.map((each) => (each as PromiseFulfilledResult<Validation>).value);
  const [only] = results;
  if (results.length === 1 && only !== undefined) {
    if (options.json) io.out(jsonDocument(only));
    else printValidation(only, io);
    return exitCodeOf(only);
  }
  const comparison = compareSizes(results);
  const dir = writeComparison(
    join(
      options.out,
      `${new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z")}-compare-${sizes.map((n) => `n${n}`).join("-")}`,
    ),
    comparison,
  );
  if (options.json) {
    io.out(jsonDocument({ sizes: results, comparison, dir }));
    return exitCodeOf(comparison);
  }
  for (const result of results) printValidation(result, io);
  io.out(`\n${comparisonMarkdown(comparison)}`);
  io.out(`comparison in ${dir} (index.html, index.md)\n`);
  return exitCodeOf(comparison);
}

/** Options of validate that a deployment file replaces: given with --deployment they are refused. */
const REPLACED_BY_DEPLOYMENT: readonly (keyof ValidateCliOptions)[] = [
  "nodes",
  "agents",
  "quick",
  "supervise",
  "zkConfig",
];

/** validate --deployment: the capacity ramps of a deployment file, and its report. */
async function validateDeploymentFile(
  options: ValidateCliOptions,
  file: string,
  io: CliIo,
): Promise<number> {
  const given = REPLACED_BY_DEPLOYMENT.filter((key) => options[key] !== undefined);
  if (given.length > 0)
    throw new BadInputError(
      `--deployment ${file} sets the sizes, agents and settings itself: drop ${given.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`,
    );
  const loaded = loadDeployment(file);
  // --zookeeper-version replaces the file's release, as it does a scenario's.
  const release = options.zookeeperVersion?.[0];
  const deployment = release ? { ...loaded, zookeeper: { version: release } } : loaded;
  const log = quietly(io, options.quiet);
  checkReleaseOptions(options);
  prepareOutputFolder(options.out);
  const provider = await chooseOrLocal(options, log);
  const seed = options.seed ?? cryptoRandomInt(0, 2 ** 31 - 1);
  log(
    `validate: deployment ${deployment.name}, seed ${seed}: sizes ${deployment.sizes.join(", ")}, neighbour ${deployment.variants.neighbour.join(" and ")}${deployment.variants.network.some((network) => network !== "none") ? `, network ${deployment.variants.network.join(" and ")} (${deployment.variants.networkMbPerS} MB/s)` : ""}, states ${deployment.states.join(", ")}, ramp ${deployment.agents.ramp.join(", ")} agent(s)`,
  );
  const interruption = interruptible();
  let result: DeploymentValidation;
  try {
    result = await validateDeployment(deployment, {
      out: options.out,
      seed,
      provider,
      log,
      signal: interruption.signal,
    });
  } finally {
    interruption.release();
  }
  if (options.json) io.out(jsonDocument(result));
  else {
    io.out(`
deployment ${result.name}:
`);
    for (const ramp of result.ramps)
      io.out(
        `  ${ramp.nodes} servers, neighbour ${ramp.neighbour}${ramp.network === "none" ? "" : `, network ${ramp.network}`}${ramp.supervisor === "none" ? "" : `, ${supervisorName(ramp.supervisor)}`}, ${ramp.state}: ${ramp.outcome.held ? `at least ${ramp.outcome.capacity}` : ramp.outcome.capacity} agent(s)${ramp.outcome.brokeAt ? ` (broke at ${ramp.outcome.brokeAt.agents}: ${ramp.outcome.brokeAt.why.join("; ")})` : ""}
`,
      );
    for (const rule of result.rules)
      io.out(`  rule "${rule.rule}": ${rule.verdict}: ${rule.evidence}
`);
    io.out(`${result.recommendation}
report in ${result.dir} (index.html, index.md, deployment.json, one folder per ramp)
`);
  }
  if (result.interrupted) {
    io.err(
      `zk-chaos: interrupted (${interruption.received() ?? "signal"}): the ramps measured so far are in ${result.dir}
`,
    );
    return interruption.exitCode();
  }
  return result.anomalies ? ExitCode.anomaly : ExitCode.ok;
}

/** One size's validation, for a person at a terminal. */
function printValidation(result: Validation, io: CliIo): void {
  const { matrix } = result;
  io.out(
    `\n${result.nodes} server(s), ${result.agents} agent(s): ${result.valid === true ? "VALID" : result.valid === false ? "INVALID" : "UNKNOWN"}\n`,
  );
  io.out(
    `  tolerates ${matrix.measuredTolerance} failure(s) as measured; quorum math promises ${matrix.promisedTolerance}\n`,
  );
  io.out(
    `  worst recovery: ${result.worstRecoveryMs === undefined ? "-" : formatDuration(result.worstRecoveryMs)}\n`,
  );
  for (const cell of matrix.cells) {
    const mark = cell.expectedAvailable === cell.observedAvailable ? " " : "!";
    io.out(
      `  ${mark} ${cell.variant.padEnd(15)} ${cell.failed} failed: expected ${cell.expectedAvailable ? "available  " : "unavailable"}, observed ${cell.observedAvailable ? `available (${formatDuration(cell.electMs ?? 0)})` : "unavailable"}${cell.variant === "kill+supervisor" ? `; serving again ${cell.selfHealMs === undefined ? "never" : `${formatDuration(cell.selfHealMs)} after the kill`}, no operator` : ""}\n`,
    );
  }
  for (const run of result.runs) {
    io.out(
      `  ${validityMark(io, run.valid)}  ${run.scenario}: ${run.operations} ops, recovery ${run.timings.recoveryMs === undefined ? "none" : formatDuration(run.timings.recoveryMs)}\n`,
    );
    if (run.valid !== true) io.out(`           replay: ${run.replay}\n`);
  }
  io.out("advice:\n");
  for (const line of result.advice) io.out(`  - ${line}\n`);
  io.out(
    `reports in ${result.dir} (index.html, index.md, matrix/tolerance.json, one folder per scenario)\n`,
  );
}

/** The `validate` command: is this cluster size and configuration ready? */
export function validateCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  const command = new Command("validate")
    .description(
      "validate a proposed cluster size: the tolerance matrix and the standard suite, with advice",
    )
    .addOption(
      new Option(
        "-n, --nodes <sizes>",
        "number of servers, 1 to 9; several (3,5,7) are validated under the same load and compared side by side",
      ).argParser(parseNodeList),
    )
    .option(
      "--deployment <file>",
      "a deployment file (sizes, agents, service level, neighbour): how many agents each size carries with every server up, with f down and across a leader kill",
    )
    .option("--agents <m>", "simulated MidoNet agents (workers)", parsePositiveInt)
    .option("--zk-config <file|key=value>", ZK_CONFIG_HELP, collectList)
    .addOption(
      new Option("--profile <name>", "settings profile under the config")
        .choices(["fast", "production"])
        .default("fast"),
    )
    .option("--quick", "the matrix and three key scenarios, 10 s each")
    .option(
      "--supervise <duration>",
      "add kill rows under a supervisor (Exhibitor, systemd) that restarts a server down this long, e.g. 5s: availability with and without it",
      parseDurationOption,
    )
    .option(
      "--parallel <n>",
      "runs at once (the matrices and scenarios of every size), each on an ensemble of its own; default: as many as the cores and memory carry (ssh: 1)",
      parsePositiveInt,
    )
    .option(
      "--full-windows",
      "run each scenario for its written duration (default: scaled down until its shortest fault window is the settings' telling window, and at least three of them)",
    )
    .option("--json", "print one JSON document on stdout: the verdict, matrix, runs and advice")
    .option("--quiet", QUIET_HELP)
    .option("--out <folder>", "where reports go", "reports")
    .option("--seed <n>", "seed of every random choice", parsePositiveInt)
    .addOption(
      new Option("--provider <name>", "how servers run (default local)").choices(
        PROVIDER_OPTION_CHOICES,
      ),
    )
    .action((options: ValidateCliOptions) => setExit(validate(options, io)));
  return withWatchOptions(withProviderOptions(command, false));
}
