/**
 * Slow fsync for real: a server's transaction-log folder is a FUSE
 * pass-through (assets/slow-fsync-fs.py, Debian's python3-fusepy) whose
 * fsync sleeps for what a control file says, so a fault can make every
 * ZooKeeper log flush wait as on a failing or saturated disk. No
 * device-mapper (dm-delay) exists on the machines we run on; FUSE does.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BadInputError } from "../../errors.js";
import { mountsUnder, unmountTop } from "./log-disk.js";

/** Debian's Python, which has fusepy (a pyenv or venv python on PATH may not). */
const PYTHON = "/usr/bin/python3";

/** A mounted pass-through and the daemon that serves it. */
export interface SlowFsyncMount {
  readonly dir: string;
  /** Sets the delay of every fsync from now on (0: none). */
  setDelayMs(ms: number): void;
  /** fsync calls served since the mount. */
  fsyncs(): number;
  /** Unmounts it and ends the daemon; resolves once the daemon is gone (or after 5 s). */
  release(): Promise<void>;
}

/** Why this machine cannot mount the pass-through, or undefined when it can. */
export function slowFsyncUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (it mounts a FUSE file system)";
  if (!existsSync("/dev/fuse")) return "needs /dev/fuse (the kernel's FUSE)";
  const probe = spawnSync(PYTHON, ["-c", "import fusepy"], { encoding: "utf8" });
  if (probe.status !== 0) return "needs Debian's python3-fusepy: apt-get install -y python3-fusepy";
  return undefined;
}

/** The pass-through's script, found from this module up (source tree, build or package). */
function scriptPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, "assets", "slow-fsync-fs.py");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new BadInputError(
    "assets/slow-fsync-fs.py is missing from this installation: reinstall zk-chaos",
  );
}

/**
 * Mounts the pass-through at `dir` over `<dir>-backing` (made here, or given
 * a disk of its own by the caller first); `markers` are extra arguments the
 * daemon ignores, which let a later run's reaper find it.
 */
export async function mountSlowFsync(
  dir: string,
  markers: readonly string[],
): Promise<SlowFsyncMount> {
  const why = slowFsyncUnavailable();
  if (why !== undefined) throw new BadInputError(`fault 'slow-fsync' ${why}, or drop the fault`);
  const backing = `${dir}-backing`;
  const control = `${dir}-fsync-delay-ms`;
  mkdirSync(dir, { recursive: true });
  mkdirSync(backing, { recursive: true });
  writeFileSync(control, "0");
  const out = openSync(`${dir}-fs.log`, "a");
  let child: ChildProcess;
  try {
    child = spawn(PYTHON, [scriptPath(), backing, dir, control, ...markers], {
      stdio: ["ignore", out, out],
      detached: true,
    });
  } finally {
    closeSync(out);
  }
  const parent = dirname(dir);
  const deadline = performance.now() + 10_000;
  while (!mountsUnder(parent).includes(dir)) {
    if (child.exitCode !== null || performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new BadInputError(
        `the slow-fsync file system did not mount at ${dir} (see ${dir}-fs.log): check /dev/fuse and python3-fusepy`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.unref();
  const gone = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    dir,
    setDelayMs: (ms) => writeFileSync(control, String(Math.max(0, Math.round(ms)))),
    fsyncs: () => {
      try {
        return Number(readFileSync(`${control}.count`, "utf8")) || 0;
      } catch {
        return 0;
      }
    },
    release: async () => {
      if (mountsUnder(parent).includes(dir)) unmountTop(dir);
      if (child.exitCode === null) child.kill("SIGKILL");
      // Gone before the ensemble says it is released: a loaded machine can take a while to reap it.
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    },
  };
}
