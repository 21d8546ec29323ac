/** --quiet: long commands print no progress and no log lines, only their result and errors. */
import type { CliIo } from "./cli-io.js";

/** The --quiet option's help. */
export const QUIET_HELP = "print no progress or log lines on stderr: only the results (and errors)";

/** A log line printer on stderr, silent under --quiet. */
export function quietly(io: CliIo, quiet: boolean | undefined): (line: string) => void {
  return quiet ? () => {} : (line) => io.err(`zk-chaos: ${line}\n`);
}
