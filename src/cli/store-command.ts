import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Command } from "commander";
import { BadInputError } from "../errors.js";
import { indexStore, writeStoreIndex } from "../store/store-index.js";
import { analyseTrend, trendPage } from "../store/store-pages.js";
import { serveStore } from "../store/store-server.js";
import { REGRESSION_RULE } from "../store/trend.js";
import { formatFigure } from "../store/trend-chart.js";
import { TREND_FIGURES } from "../store/trend-figures.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { interruptible } from "./interruption.js";
import { outFile } from "./out-path.js";
import { parsePort } from "./parse-options.js";
import { QUIET_HELP, quietly } from "./quiet.js";

/** Skipped folders printed one per line before the rest are counted. */
const SKIPPED_SHOWN = 20;

/** The `store` command: (re-)indexes a folder of run folders into one small index file. */
export function storeCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("store")
    .description(
      "index a folder of run folders (any depth, several nights, merged CI shards) into zk-chaos-store.json; unreadable folders are named and skipped",
    )
    .argument("<dir>", "the folder that holds run folders (the --out of 'zk-chaos run')")
    .option("--quiet", QUIET_HELP)
    .action((dir: string, options: { quiet?: boolean }) =>
      setExit(
        (async () => {
          const log = quietly(io, options.quiet);
          let shown = 0;
          const outcome = await writeStoreIndex(dir, {
            onProgress: (done, total) => {
              if (total >= 2000 && done - shown >= 1000) {
                shown = done;
                log(`indexed ${done} of ${total} run folders`);
              }
            },
          });
          const { index } = outcome;
          io.out(
            `${index.runs.length} run(s) indexed into ${outcome.file} (${outcome.read} read, ${outcome.reused} unchanged${outcome.summaries ? `, ${outcome.summaries} summary folder(s) left out` : ""}); ${index.skipped.length} folder(s) skipped\n`,
          );
          for (const skipped of index.skipped.slice(0, SKIPPED_SHOWN))
            io.out(`  skipped ${skipped.path}: ${skipped.reason}\n`);
          if (index.skipped.length > SKIPPED_SHOWN)
            io.out(`  ... and ${index.skipped.length - SKIPPED_SHOWN} more (see the index file)\n`);
          return ExitCode.ok;
        })(),
      ),
    );
}

interface ServeOptions {
  readonly host: string;
  readonly port: number;
}

/** The `serve` command: a local read-only web server over a store, until Ctrl-C. */
export function serveCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("serve")
    .description(
      "serve a store read-only on loopback: the runs with filters, each run's report and files, trends across nights",
    )
    .argument("<dir>", "the store (a folder of run folders)")
    .option(
      "--host <address>",
      "address to bind; anything but loopback lets other machines read the store",
      "127.0.0.1",
    )
    .option("--port <port>", "port (0: any free one)", parsePort, 8080)
    .action((dir: string, options: ServeOptions) =>
      setExit(
        (async () => {
          const interruption = interruptible();
          try {
            const server = await serveStore(dir, { host: options.host, port: options.port }).catch(
              (error: NodeJS.ErrnoException) => {
                if (
                  error.code === "EADDRINUSE" ||
                  error.code === "EADDRNOTAVAIL" ||
                  error.code === "EACCES"
                )
                  throw new BadInputError(
                    `--host ${options.host} --port ${options.port}: cannot listen there (${error.code}); pick another port (--port 0 takes any free one)`,
                  );
                throw error;
              },
            );
            if (!["127.0.0.1", "localhost", "::1"].includes(options.host))
              io.err(`zk-chaos: serving on ${options.host}: other machines can read this store\n`);
            io.out(`serving ${dir} at ${server.url} (Ctrl-C stops)\n`);
            await new Promise<void>((resolve) =>
              interruption.signal.addEventListener("abort", () => resolve(), { once: true }),
            );
            await server.close();
            return interruption.exitCode();
          } finally {
            interruption.release();
          }
        })(),
      ),
    );
}

interface TrendOptions {
  readonly out?: string;
  readonly baseline?: string;
  readonly failOnRegression?: boolean;
  readonly failOnNewAnomaly?: boolean;
}

/** The `trend` command: trends, regressions, flakes and findings of a store as one self-contained HTML file. */
export function trendCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("trend")
    .description(
      "write the trends of a store as one self-contained HTML file: per scenario and size, election, recovery, availability windows kept, p50/p99 latency and anomalies per night; regressions, flaky scenarios, findings grouped across nights",
    )
    .argument("<dir>", "the store (a folder of run folders)")
    .option(
      "--out <file|folder>",
      "where the page goes (a folder gets trend.html; default <dir>/trend.html)",
    )
    .option(
      "--baseline <dir>",
      "judge the latest night against another store (default: this store's earlier nights)",
    )
    .option("--fail-on-regression", `exit 1 when a figure regressed (${REGRESSION_RULE})`)
    .option(
      "--fail-on-new-anomaly",
      "exit 1 when a finding is new (first seen on the latest night, or absent from the baseline)",
    )
    .action((dir: string, options: TrendOptions) =>
      setExit(
        (async () => {
          const runs = (await indexStore(dir)).index.runs;
          const baseline = options.baseline
            ? (await indexStore(options.baseline)).index.runs
            : undefined;
          const analysis = analyseTrend(runs, baseline);
          const target = outFile(options.out ?? dir, "trend.html");
          try {
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, trendPage(analysis));
          } catch (error) {
            throw new BadInputError(
              `--out ${options.out ?? dir}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
            );
          }
          const fresh = analysis.findings.filter((finding) => finding.isNew);
          io.out(
            `${runs.length} run(s) over ${new Set(runs.map((run) => run.night)).size} night(s): ${analysis.regressions.length} regression(s), ${fresh.length} new finding(s), ${analysis.flaky.length} flaky scenario(s); trends -> ${target}\n`,
          );
          for (const regression of analysis.regressions) {
            const figure =
              TREND_FIGURES.find((f) => f.key === regression.figure) ?? TREND_FIGURES[0];
            if (!figure) continue;
            io.out(
              `  regression: ${regression.scenario} n=${regression.nodes} ${figure.label} ${formatFigure(figure, regression.value)} on ${regression.night} (limit ${formatFigure(figure, regression.limit)})\n`,
            );
          }
          for (const finding of fresh)
            io.out(
              `  new finding: ${finding.checker} ${finding.kind} (${finding.cause}) in ${finding.scenarios.join(", ")}\n`,
            );
          for (const flaky of analysis.flaky)
            io.out(
              `  flaky: ${flaky.scenario} n=${flaky.nodes} seed=${flaky.seed} ZooKeeper ${flaky.zooKeeperVersion}: ${flaky.valid} valid, ${flaky.invalid} invalid\n`,
            );
          const failed =
            (options.failOnRegression && analysis.regressions.length > 0) ||
            (options.failOnNewAnomaly && fresh.length > 0);
          return failed ? ExitCode.anomaly : ExitCode.ok;
        })(),
      ),
    );
}
