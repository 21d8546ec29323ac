import { colourWanted } from "./colour.js";

/** Where the CLI writes; tests pass their own to capture output. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether verdicts are coloured (a terminal without NO_COLOR); tests leave it out. */
  readonly colour?: boolean;
}

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  colour: colourWanted(process.stdout),
};

/** Exit codes of every command. */
export const ExitCode = {
  ok: 0,
  anomaly: 1,
  badInput: 2,
  unknown: 3,
  /** A bug in zk-chaos itself (not the input, not the system under test). */
  internal: 4,
  /** Stopped by Ctrl-C (the shell's 128 + SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
} as const;
