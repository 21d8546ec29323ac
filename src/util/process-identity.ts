import { readFileSync } from "node:fs";

/**
 * Reads a process's start time (clock ticks since boot) from /proc; with the
 * pid it identifies a process even after its pid is reused.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: skip past its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

/** A token naming this process uniquely on this machine: "pid:starttime". */
export function selfToken(): string {
  return `${process.pid}:${processStartTime(process.pid) ?? "0"}`;
}

/** True when the process a token names is still running. */
export function isTokenAlive(token: string): boolean {
  const [pidText, start] = token.split(":");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return processStartTime(pid) === start;
}

/** A process's command line as its arguments, or undefined when it is gone. */
export function processArgs(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw.split("\0").filter((arg) => arg.length > 0);
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (zombies included). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
