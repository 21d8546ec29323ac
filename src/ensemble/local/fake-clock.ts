/**
 * A server's clocks, moved at run time: libfaketime (Debian's libfaketime)
 * preloaded into the JVM reads its offset from a control file of its own, at
 * most once a second. The wall clock and the monotonic clock the JVM times
 * its waits and timeouts with move together, as when a VM is suspended and
 * resumed, or a host's clock is stepped under it. (The wall clock alone
 * cannot be moved with Debian 12's 0.9.10: with FAKETIME_DONT_FAKE_MONOTONIC
 * every timed wait on a monotonic condition variable returns at once, the
 * bug libfaketime fixed in 2025, and the JVM spins.)
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Where Debian (any architecture) and Fedora put the thread-safe library. */
const LIBRARY_CANDIDATES = [
  "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
  "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
  "/usr/lib64/faketime/libfaketimeMT.so.1",
  "/usr/lib/faketime/libfaketimeMT.so.1",
];

/** How often (s) the library rereads the control file: a change takes effect within a few of these. */
export const FAKE_CLOCK_REREAD_S = 1;

/** The library's path on this machine (ZK_CHAOS_LIBFAKETIME, else the distribution's), if installed. */
export function fakeClockLibrary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.ZK_CHAOS_LIBFAKETIME;
  if (given) return existsSync(given) ? given : undefined;
  return LIBRARY_CANDIDATES.find((path) => existsSync(path));
}

/** Why this machine cannot move a server's clock, or undefined when it can. */
export function fakeClockUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.ZK_CHAOS_LIBFAKETIME && !existsSync(env.ZK_CHAOS_LIBFAKETIME))
    return `needs libfaketime: ZK_CHAOS_LIBFAKETIME names ${env.ZK_CHAOS_LIBFAKETIME}, which does not exist`;
  return fakeClockLibrary(env) === undefined
    ? "needs libfaketime (Debian/Ubuntu: apt-get install libfaketime; Fedora/RHEL: dnf install libfaketime; or set ZK_CHAOS_LIBFAKETIME to a libfaketimeMT.so.1 you built)"
    : undefined;
}

/** The control file of a server whose folder is `serverDir`. */
export function clockControlFile(serverDir: string): string {
  return join(serverDir, "faketime.rc");
}

/** The library's offset text: seconds ahead, with a sign. */
export function clockText(offsetMs: number): string {
  const seconds = (offsetMs / 1000).toFixed(3).replace(/\.?0+$/, "");
  return `${offsetMs < 0 ? "" : "+"}${seconds === "" || seconds === "-0" ? "0" : seconds}`;
}

/** Sets a server's clocks `offsetMs` from true time. */
export function writeClock(controlFile: string, offsetMs: number): void {
  // Renamed into place: the library may read at any moment, and a truncated file reads as no offset.
  const next = `${controlFile}.next`;
  writeFileSync(next, `${clockText(offsetMs)}\n`);
  renameSync(next, controlFile);
}

/** The environment that preloads the library into a JVM, its clock true until the control file says otherwise. */
export function fakeClockEnvironment(controlFile: string): Record<string, string> {
  const library = fakeClockLibrary();
  if (library === undefined)
    throw new Error(`libfaketime is not installed: ${fakeClockUnavailable()}`);
  writeClock(controlFile, 0);
  return {
    LD_PRELOAD: library,
    FAKETIME_TIMESTAMP_FILE: controlFile,
    FAKETIME_CACHE_DURATION: String(FAKE_CLOCK_REREAD_S),
  };
}
