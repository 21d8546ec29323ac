import { ownSignals } from "../util/shutdown.js";
import { ExitCode } from "./cli-io.js";

/** A command's Ctrl-C and SIGTERM: an abort signal for the work, the signal received, and the release. */
export interface Interruption {
  readonly signal: AbortSignal;
  /** The signal that stopped the work, if one did. */
  received(): NodeJS.Signals | undefined;
  /** The exit code of an interrupted command (130 for Ctrl-C, 143 for SIGTERM). */
  exitCode(): number;
  /** Gives the signals back to the process's own handlers. */
  release(): void;
}

/**
 * Takes Ctrl-C and SIGTERM for a long command: the first aborts its work
 * (which winds down and removes what it started) instead of killing the process.
 */
export function interruptible(): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    received = signal;
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const releaseSignals = ownSignals();
  return {
    signal: controller.signal,
    received: () => received,
    exitCode: () => (received === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted),
    release: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      releaseSignals();
    },
  };
}
