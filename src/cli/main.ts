import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { isZkChaosError } from "../errors.js";
import { type CliIo, ExitCode, processIo } from "./cli-io.js";

/** Makes one command; its action hands its exit code promise to setExit. */
type CommandFactory = (io: CliIo, setExit: (code: Promise<number>) => void) => Command;

/**
 * Every command by name, loaded on use: a command imports only its own
 * modules (check loads no provider, no testcontainers), so it starts at once.
 * The order is the help's.
 */
const COMMANDS: Readonly<Record<string, () => Promise<CommandFactory>>> = {
  ensemble: async () => (await import("./ensemble-command.js")).ensembleCommand,
  toxiproxy: async () => (await import("./toxiproxy-command.js")).toxiproxyCommand,
  run: async () => (await import("./run-command.js")).runCommand,
  report: async () => (await import("./run-command.js")).reportCommand,
  validate: async () => (await import("./validate-command.js")).validateCommand,
  explore: async () => (await import("./explore-command.js")).exploreCommand,
  check: async () => (await import("./check-command.js")).checkCommand,
  export: async () => (await import("./export-command.js")).exportCommand,
  wire: async () => (await import("./wire-command.js")).wireCommand,
  zookeeper: async () => (await import("./zookeeper-command.js")).zookeeperCommand,
  store: async () => (await import("./store-command.js")).storeCommand,
  serve: async () => (await import("./store-command.js")).serveCommand,
  trend: async () => (await import("./store-command.js")).trendCommand,
  schema: async () => (await import("./schema-command.js")).schemaCommand,
  lint: async () => (await import("./lint-command.js")).lintCommand,
  doctor: async () => (await import("./doctor-command.js")).doctorCommand,
};

/** Our version from package.json, found by walking up (runs from src/ and from dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === "zk-chaos" && manifest.version) return manifest.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/**
 * Builds the command tree; each action hands its exit code promise to setExit.
 * With `only`, just that command (the one argv names); otherwise all (help, errors).
 */
export async function buildProgram(
  io: CliIo,
  setExit: (code: Promise<number>) => void,
  only?: string,
): Promise<Command> {
  // One prefix for every error, commander's (a bad flag) and ours (bad input): "zk-chaos: error: ...".
  const output = {
    writeOut: io.out,
    writeErr: io.err,
    outputError: (text: string, write: (text: string) => void) => write(`zk-chaos: ${text}`),
  };
  const program = new Command("zk-chaos")
    .description(
      "Fault-injection harness for Apache ZooKeeper: start ensembles, break them, check they keep their promises.",
    )
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      "\nExit codes: 0 valid, 1 an anomaly, 2 bad input or a set-up failure, 3 undecided,\n4 an internal error (a bug in zk-chaos; --debug anywhere shows its stack), 130/143 interrupted.",
    )
    .configureOutput(output)
    .exitOverride();
  const names =
    only !== undefined && Object.hasOwn(COMMANDS, only) ? [only] : Object.keys(COMMANDS);
  const factories = await Promise.all(
    names.map((name) => (COMMANDS[name] as () => Promise<CommandFactory>)()),
  );
  for (const factory of factories) program.addCommand(factory(io, setExit));
  for (const command of program.commands) {
    command.exitOverride().configureOutput(output);
    command.showHelpAfterError(`(run 'zk-chaos ${command.name()} --help' for usage)`);
    for (const sub of command.commands) {
      sub
        .exitOverride()
        .configureOutput(output)
        .showHelpAfterError(`(run 'zk-chaos ${command.name()} ${sub.name()} --help' for usage)`);
    }
  }
  return program;
}

/**
 * What the user is told about an error that ended a command, and the exit
 * code: our typed errors are input or set-up problems (2); anything else is a
 * bug in zk-chaos (4), with its stack only under --debug.
 */
export function describeFailure(error: unknown, debug: boolean): { text: string; code: number } {
  if (isZkChaosError(error))
    return { text: `zk-chaos: error: ${error.message}\n`, code: ExitCode.badInput };
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? message) : message;
  return {
    text: debug
      ? `zk-chaos: internal error: ${stack}\n`
      : `zk-chaos: internal error: ${message}\n  this is a bug in zk-chaos: run again with --debug for the stack, and report it\n`,
    code: ExitCode.internal,
  };
}

/** Runs the CLI on argv (without node and script) and returns the exit code. */
export async function main(rawArgv: readonly string[], io: CliIo = processIo): Promise<number> {
  // --debug may stand anywhere: it only changes how an internal error is shown.
  const debug = rawArgv.includes("--debug") || process.env.ZK_CHAOS_DEBUG === "1";
  const argv = rawArgv.filter((arg) => arg !== "--debug");
  let result: Promise<number> = Promise.resolve(ExitCode.ok);
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    io.out(`${packageVersion()}\n`);
    return ExitCode.ok;
  }
  try {
    const program = await buildProgram(
      io,
      (code) => {
        result = code;
      },
      argv[0],
    );
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.badInput;
    }
    await program.parseAsync([...argv], { from: "user" });
    return await result;
  } catch (error) {
    if (error instanceof CommanderError) {
      const clean = ["commander.helpDisplayed", "commander.version", "commander.help"];
      return clean.includes(error.code) ? ExitCode.ok : ExitCode.badInput;
    }
    const failure = describeFailure(error, debug);
    io.err(failure.text);
    return failure.code;
  }
}
