import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import {
  CHECK_MODELS,
  type CheckModel,
  checkHistoryFile,
  HISTORY_FORMATS,
  type HistoryCheck,
  type HistoryFormat,
} from "../checkers/check-history.js";
import type { Verdict } from "../checkers/verdict.js";
import { BadInputError } from "../errors.js";
import { formatDuration } from "../util/duration.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { validityMark } from "./colour.js";
import { jsonDocument } from "./json-output.js";
import { parseDurationOption, parsePositiveInt } from "./parse-options.js";

interface CheckOptions {
  readonly model?: CheckModel;
  readonly format?: HistoryFormat;
  readonly timeout: number;
  readonly json?: boolean;
  readonly tickTime?: number;
  readonly sessionTimeout?: number;
  readonly maxAnomalies: number;
  readonly coerceNumbers?: boolean;
}

/** Human-readable lines for one verdict (its mark coloured when the output is). */
export function describeVerdict(verdict: Verdict, maxAnomalies: number, io?: CliIo): string[] {
  const lines = [
    `${validityMark(io ?? {}, verdict.valid)}  ${verdict.checker}: ${verdict.guarantee} (${formatDuration(verdict.elapsedMs)})`,
  ];
  for (const anomaly of verdict.anomalies.slice(0, maxAnomalies)) {
    lines.push(`           ${anomaly.kind}: ${anomaly.message}`);
    if (anomaly.events.length > 0)
      lines.push(
        `             events: ${anomaly.events.slice(0, 12).join(", ")}${anomaly.events.length > 12 ? ", ..." : ""}`,
      );
    // What the servers' own lines prove caused it, and the documented bug, as `run` reports it.
    if (anomaly.cause !== undefined)
      lines.push(
        `             cause: ${anomaly.cause.message}${anomaly.cause.events.length > 0 ? ` (events ${anomaly.cause.events.slice(0, 6).join(", ")})` : ""}`,
      );
  }
  if (verdict.anomalies.length > maxAnomalies)
    lines.push(`           ... and ${verdict.anomalies.length - maxAnomalies} more`);
  return lines;
}

/** The exit code of a check: 0 valid, 1 invalid, 3 unknown. */
export function exitCodeOf(check: Pick<HistoryCheck, "valid">): number {
  return check.valid === true
    ? ExitCode.ok
    : check.valid === false
      ? ExitCode.anomaly
      : ExitCode.unknown;
}

/** Standard input into a temp file named for its format (a history is read by path); removed after. */
async function stdinFile(
  format: HistoryFormat | undefined,
): Promise<{ path: string; remove(): void }> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const dir = mkdtempSync(join(tmpdir(), "zk-chaos-stdin-"));
  const extension = {
    jsonl: ".jsonl",
    "jepsen-edn": ".edn",
    "porcupine-log": ".log",
    "porcupine-kv": ".txt",
  }[format ?? "jsonl"];
  const path = join(dir, `stdin${extension}`);
  writeFileSync(path, Buffer.concat(chunks));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function runCheck(file: string, options: CheckOptions, io: CliIo): Promise<number> {
  if (file !== "-") return checkFile(file, file, options, io);
  // `-`: the history comes on standard input (jsonl unless --format says otherwise).
  const input = await stdinFile(options.format);
  try {
    return await checkFile(input.path, "(stdin)", options, io);
  } catch (error) {
    // Messages name where the problem is: standard input, not our temp file.
    if (error instanceof BadInputError)
      throw new BadInputError(error.message.replaceAll(input.path, "(stdin)"));
    throw error;
  } finally {
    input.remove();
  }
}

async function checkFile(
  path: string,
  file: string,
  options: CheckOptions,
  io: CliIo,
): Promise<number> {
  const check = await checkHistoryFile(path, {
    ...(options.model ? { model: options.model } : {}),
    ...(options.format ? { format: options.format } : {}),
    timeoutMs: options.timeout,
    ...(options.coerceNumbers ? { coerceNumbers: true } : {}),
    // Flags override what the history carries; without either, the fast profile's bounds.
    settings: {
      ...(options.tickTime !== undefined ? { tickTime: options.tickTime } : {}),
      ...(options.sessionTimeout !== undefined ? { sessionTimeoutMs: options.sessionTimeout } : {}),
    },
  });
  if (options.json) {
    io.out(jsonDocument(check));
  } else {
    io.out(`${file}: ${check.events} events, ${check.format}, model ${check.model}\n`);
    for (const note of check.notes) io.out(`  ${note}\n`);
    for (const verdict of check.verdicts)
      for (const line of describeVerdict(verdict, options.maxAnomalies, io)) io.out(`${line}\n`);
    io.out(
      `verdict: ${check.valid === true ? "valid" : check.valid === false ? "INVALID" : "unknown"} in ${formatDuration(check.elapsedMs)}\n`,
    );
  }
  return exitCodeOf(check);
}

/** The `check` command: verdicts on a recorded or imported history. */
export function checkCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("check")
    .description(
      "check a history: zk-chaos's history.jsonl, Jepsen/Knossos EDN, or Porcupine's logs",
    )
    .argument("<file>", "the history file, or - for standard input (jsonl unless --format)")
    .addOption(
      new Option(
        "--model <model>",
        "what to check against (default: zookeeper for .jsonl, cas-register for logs, kv for .txt; for .edn, list-append or rw-register when every operation is a :txn, else cas-register)",
      ).choices([...CHECK_MODELS]),
    )
    .addOption(
      new Option("--format <format>", "history format (default: from the file name)").choices([
        ...HISTORY_FORMATS,
      ]),
    )
    .addOption(
      // Shown as a duration, the way it is written (a bare number means seconds).
      new Option(
        "--timeout <duration>",
        "budget of the search (linearizability, transaction cycles); beyond it the verdict is unknown",
      )
        .argParser(parseDurationOption)
        .default(60_000, "60s"),
    )
    .option(
      "--tick-time <ms>",
      "tickTime of the run, for the availability bounds (default: what the history records, else 200)",
      parsePositiveInt,
    )
    .option(
      "--session-timeout <ms>",
      "session timeout of the workers, for the availability bounds (default: what the history records, else 4000)",
      parsePositiveInt,
    )
    .option(
      "--coerce-numbers",
      'imported histories: read numeric strings as numbers ("6" as 6); by default values compare as written, as in Knossos',
    )
    .option("--max-anomalies <n>", "anomalies shown per verdict", parsePositiveInt, 10)
    .option("--json", "print the verdicts as JSON")
    .action((file: string, options: CheckOptions) => setExit(runCheck(file, options, io)));
}
