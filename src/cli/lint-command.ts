import { Command } from "commander";
import { isZkChaosError } from "../errors.js";
import { planMatrix } from "../runner/run-matrix.js";
import type { RunPlan } from "../scenario/plan.js";
import { DEFAULT_RELEASE, findZooKeeperSource } from "../zookeeper/install.js";
import { checkConfigKeys } from "../zookeeper/release-lines.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { parseNodeList } from "./parse-options.js";

/** What linting one scenario file found: its runs, or why it cannot run. */
export interface LintResult {
  readonly file: string;
  readonly runs?: number;
  readonly error?: string;
}

/** Every zoo.cfg key a plan adds, for all servers and for some. */
function configKeys(plan: RunPlan): string[] {
  return [
    ...Object.keys(plan.settings.extraConfig ?? {}),
    ...Object.values(plan.serverSettings ?? {}).flatMap((each) =>
      Object.keys(each.extraConfig ?? {}),
    ),
  ];
}

/** The release a run without a named version starts: the local install, else the one resolved by default. */
function localVersion(): string {
  try {
    return findZooKeeperSource().version;
  } catch {
    return DEFAULT_RELEASE;
  }
}

/**
 * Checks scenario files as `run` would before starting anything (the schema,
 * then every run's plan: targets inside the size, triggers, versions), every
 * file whatever the ones before it showed.
 */
export function lintScenarios(files: readonly string[], nodes?: readonly number[]): LintResult[] {
  return files.map((file) => {
    try {
      // A fixed seed: linting draws nothing that matters, and the same files lint the same.
      const planned = planMatrix({
        scenarioFiles: [file],
        seed: 0,
        out: "",
        ...(nodes ? { nodes } : {}),
      });
      // A scenario that names no version runs the local install: its zoo.cfg keys must be that one's.
      for (const { plan } of planned)
        if (plan.zookeeperVersion === undefined)
          checkConfigKeys(configKeys(plan), localVersion(), `${file}: zookeeper.config`);
      return { file, runs: planned.length };
    } catch (error) {
      if (!isZkChaosError(error)) throw error;
      return { file, error: error.message };
    }
  });
}

/** The `lint` command: validate scenario files, start nothing (exit 0 all good, 2 otherwise). */
export function lintCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("lint")
    .description(
      "check scenario files (schema, targets, triggers, versions) as run would, and start nothing (exit 0 all good, 2 otherwise)",
    )
    .argument("<scenario...>", "scenario files (YAML)")
    .option(
      "-n, --nodes <sizes>",
      "check for these sizes instead of each scenario's own",
      parseNodeList,
    )
    .action((files: string[], options: { nodes?: number[] }) =>
      setExit(
        (async () => {
          const results = lintScenarios(files, options.nodes);
          for (const result of results) {
            if (result.error === undefined)
              io.out(`ok     ${result.file}: ${result.runs} run(s)\n`);
            else io.err(`zk-chaos: error: ${result.error}\n`);
          }
          const bad = results.filter((result) => result.error !== undefined).length;
          io.out(`${results.length - bad} of ${results.length} file(s) good\n`);
          return bad === 0 ? ExitCode.ok : ExitCode.badInput;
        })(),
      ),
    );
}
