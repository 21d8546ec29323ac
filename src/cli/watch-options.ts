import { type Command, Option } from "commander";
import { BadInputError } from "../errors.js";
import type { WatchSettings } from "../scenario/schema.js";
import { parsePositiveInt } from "./parse-options.js";

/** The watching-agent flags of `run` and `validate`. */
export interface WatchOptions {
  readonly watchers?: number;
  readonly watchMode?: "one-time" | "persistent";
}

/** Adds --watchers and --watch-mode to a command. */
export function withWatchOptions(command: Command): Command {
  return command
    .option(
      "--watchers <n>",
      "add n watching agents to every scenario: they consume the workers' znodes through watches, and the watch checker judges ZooKeeper's watch guarantees",
      parsePositiveInt,
    )
    .addOption(
      new Option(
        "--watch-mode <mode>",
        "with --watchers: one-time watches set again at every read, or one persistent recursive watch (3.6+)",
      )
        .choices(["one-time", "persistent"])
        .default("one-time"),
    );
}

/** The watching agents the flags ask for, if any (probing every 250 ms, as a scenario's default). */
export function watchSettingsOf(options: WatchOptions): WatchSettings | undefined {
  if (options.watchers === undefined) return undefined;
  if (options.watchers > 100)
    throw new BadInputError(`--watchers: at most 100 watching agents, got ${options.watchers}`);
  return { agents: options.watchers, mode: options.watchMode ?? "one-time", probe: 250 };
}
