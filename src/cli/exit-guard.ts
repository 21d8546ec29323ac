/**
 * After a command has returned, everything it started is released (its
 * runs dispose their servers, proxies and folders before they return). A
 * handle something left open must not keep the shell or a CI job waiting
 * for ever: after a grace period the guard names what is still open, for a
 * bug report, and ends the process with the command's exit code.
 */

/** What the guard writes and how it ends the process (the process's own by default). */
export interface ExitGuardIo {
  readonly warn: (line: string) => void;
  readonly exit: () => void;
}

/** Resources a finished command holds by design (stdio); the guard's timer is unref'd, so not listed. */
const BENIGN = new Set(["TTYWrap", "PipeWrap"]);

/** The active resources that keep the event loop alive, by kind with their counts. */
export function lingering(
  resources: readonly string[] = process.getActiveResourcesInfo(),
): string[] {
  const counts = new Map<string, number>();
  for (const name of resources)
    if (!BENIGN.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count === 1 ? name : `${count} x ${name}`));
}

/** Arms the guard: a process still alive `graceMs` after the command returned warns and exits. */
export function guardExit(
  graceMs: number,
  io: ExitGuardIo = {
    warn: (line) => process.stderr.write(line),
    exit: () => process.exit(),
  },
): void {
  const timer = setTimeout(() => {
    const left = lingering();
    io.warn(
      `zk-chaos: warning: the command finished ${graceMs / 1000} s ago but ${left.length > 0 ? left.join(", ") : "a handle"} kept the process alive; exiting (a leak in zk-chaos: please report it with this line)\n`,
    );
    io.exit();
  }, graceMs);
  // An idle process exits at once, as if the guard were not there.
  timer.unref();
}
