/** The live progress of runs on stderr (run, validate). */
import type { RunProgress } from "../runner/run-plan.js";
import { formatDuration } from "../util/duration.js";
import type { CliIo } from "./cli-io.js";

/** Shows a run's progress; done() clears a live line before other output. */
export interface ProgressPrinter {
  update(label: string, progress: RunProgress): void;
  done(): void;
}

/** A progress printer: one live line on a terminal, plain lines otherwise. */
export function progressPrinter(
  io: CliIo,
  quiet?: boolean,
  tty: boolean = process.stderr.isTTY === true,
): ProgressPrinter {
  if (quiet) return { update: () => {}, done: () => {} };
  let lastPlain = 0;
  let lastPhase = "";
  return {
    update(label, progress) {
      const faults = progress.activeFaults.length > 0 ? progress.activeFaults.join("+") : "none";
      const line = `${label} | ${progress.phase} | ${formatDuration(progress.elapsedMs)} | ${progress.operations} ops | faults: ${faults}`;
      if (tty) io.err(`\r\x1b[2K${line}`);
      else if (progress.phase !== lastPhase || performance.now() - lastPlain > 5000) {
        io.err(`${line}\n`);
        lastPlain = performance.now();
      }
      lastPhase = progress.phase;
    },
    done() {
      if (tty) io.err("\r\x1b[2K");
    },
  };
}
