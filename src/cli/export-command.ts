import { writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { BadInputError } from "../errors.js";
import { toJepsenEdn } from "../history/jepsen-export.js";
import { readHistoryFile } from "../history/reader.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { outFile } from "./out-path.js";

interface ExportOptions {
  readonly format: "jepsen-edn";
  readonly out?: string;
}

async function runExport(file: string, options: ExportOptions, io: CliIo): Promise<number> {
  const events = await readHistoryFile(file);
  if (events.length === 0)
    throw new BadInputError(`${file}: the history is empty: nothing to export`);
  const text = toJepsenEdn(events);
  if (options.out === undefined) io.out(text);
  else {
    const target = outFile(options.out, "history.edn");
    try {
      writeFileSync(target, text);
    } catch (error) {
      throw new BadInputError(
        `--out ${options.out}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    io.err(`zk-chaos: ${text.split("\n").length - 1} operation events written to ${target}\n`);
  }
  return ExitCode.ok;
}

/** The `export` command: a zk-chaos history in another tool's format. */
export function exportCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("export")
    .description(
      "export a history.jsonl for other tools: Jepsen/Knossos EDN (worker operations and nemesis actions)",
    )
    .argument("<history>", "a zk-chaos history.jsonl")
    .addOption(
      new Option("--format <format>", "what to write")
        .choices(["jepsen-edn"])
        .default("jepsen-edn"),
    )
    .option(
      "--out <file|folder>",
      "write here instead of standard output (a folder gets history.edn)",
    )
    .action((file: string, options: ExportOptions) => setExit(runExport(file, options, io)));
}
