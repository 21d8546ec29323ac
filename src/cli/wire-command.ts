import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { BadInputError } from "../errors.js";
import { readHistoryFile } from "../history/reader.js";
import { wireTimeline } from "../report/wire-timeline.js";
import { parseDuration } from "../util/duration.js";
import { type CliIo, ExitCode } from "./cli-io.js";

interface WireOptions {
  readonly around?: number;
  readonly window: number;
  readonly types?: string[];
  readonly pings?: boolean;
}

/** The history of a run folder, or the file itself. */
function historyOf(target: string): string {
  if (!existsSync(target)) throw new BadInputError(`${target}: no such run folder or history file`);
  const file = statSync(target).isDirectory() ? join(target, "history.jsonl") : target;
  if (!existsSync(file))
    throw new BadInputError(
      `${target}: no history.jsonl there: give a run folder or a history file`,
    );
  return file;
}

async function runWire(target: string, options: WireOptions, io: CliIo): Promise<number> {
  const events = await readHistoryFile(historyOf(target));
  if (options.around !== undefined && (options.around < 0 || options.around >= events.length))
    throw new BadInputError(
      `--around ${options.around}: the history has events 0 to ${events.length - 1}`,
    );
  const lines = wireTimeline(events, {
    ...(options.around !== undefined ? { around: options.around, windowMs: options.window } : {}),
    ...(options.types ? { types: options.types } : {}),
    ...(options.pings ? { pings: true } : {}),
  });
  if (lines.length === 0)
    throw new BadInputError(
      `${target}: the run recorded no peer messages: run it with network: { wire: summary } in the scenario`,
    );
  io.out(`${lines.join("\n")}\n`);
  return ExitCode.ok;
}

/** The `wire` command: a run's peer messages as a timeline, a lane per server. */
export function wireCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("wire")
    .description(
      "print a run's peer messages (recorded with network.wire) as a timeline: a lane per server, an arrow per message, faults and key log lines between",
    )
    .argument("<run>", "a run folder, or its history.jsonl")
    .option(
      "--around <index>",
      "only the window around this history event (e.g. an anomaly's)",
      (value) => {
        const index = Number(value);
        if (!Number.isInteger(index))
          throw new BadInputError(`--around ${value}: give an event index, e.g. 1234`);
        return index;
      },
    )
    .option(
      "--window <duration>",
      "the window's half-width with --around",
      (value) => parseDuration(value, "--window"),
      2000,
    )
    .option(
      "--types <types>",
      "only these message types, e.g. NEWLEADER,ACK,UPTODATE",
      (value: string) =>
        value
          .split(",")
          .map((type) => type.trim())
          .filter(Boolean),
    )
    .option("--pings", "show every PING (folded into counts by default)")
    .action((target: string, options: WireOptions) => setExit(runWire(target, options, io)));
}
