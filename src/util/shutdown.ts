/**
 * Runs registered cleanups when the harness is interrupted (SIGINT, SIGTERM,
 * SIGHUP) or exits, so that no server outlives it. Handlers are installed
 * only while something is registered: importing this module changes nothing.
 */

type Cleanup = {
  /** Asynchronous cleanup run on a signal. */
  readonly onSignal: () => Promise<void>;
  /** Last-resort synchronous cleanup run on process exit (e.g. SIGKILL children). */
  readonly onExit: () => void;
};

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
const cleanups = new Set<Cleanup>();
let installed = false;
let shuttingDown = false;
/** Commands that handle interruption themselves (they stop and exit on their own). */
let owners = 0;

async function handleSignal(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  // Only a command of ours that owns the signals decides; a library's listener (signal-exit, which
  // proper-lockfile installs) defers to any other listener, so deferring to it would hang.
  const others = owners > 0;
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup.onSignal()));
  uninstall();
  // Re-raise so the default action (exit by signal) happens, unless a
  // command owns the signals: then the decision is theirs.
  if (!others) process.kill(process.pid, signal);
  shuttingDown = false;
}

const signalListener = (signal: NodeJS.Signals): void => {
  void handleSignal(signal);
};

const exitListener = (): void => {
  for (const cleanup of cleanups) cleanup.onExit();
};

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) process.on(signal, signalListener);
  process.on("exit", exitListener);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const signal of SIGNALS) process.off(signal, signalListener);
  process.off("exit", exitListener);
}

/**
 * Declares that the caller handles SIGINT/SIGTERM/SIGHUP itself (it winds
 * down and exits on its own): cleanups then do not re-raise the signal.
 * Returns the release.
 */
export function ownSignals(): () => void {
  owners++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    owners--;
  };
}

/** Registers a cleanup for interruption and exit; call the returned function to unregister. */
export function onShutdown(onSignal: () => Promise<void>, onExit: () => void): () => void {
  const cleanup: Cleanup = { onSignal, onExit };
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0 && !shuttingDown) uninstall();
  };
}
