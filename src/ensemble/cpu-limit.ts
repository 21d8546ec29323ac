/**
 * A CPU ceiling for one process: the kernel's CFS quota in a cgroup of its
 * own (cgroup v2 `cpu.max`, or v1's `cpu.cfs_quota_us`), so a starved
 * server gets exactly its fraction of a core, as beside a busy neighbour.
 * Groups are named after the harness process that made them and its run,
 * so the next run removes those a killed harness left (their processes are
 * reaped first) and never touches a live harness's.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { BadInputError } from "../errors.js";
import { isTokenAlive, selfToken } from "../util/process-identity.js";

/** Prefix of every cgroup we make: zkchaos-<owner pid>_<its start time>-<runId>-s<server>. */
export const CPU_GROUP_PREFIX = "zkchaos-";

/** CFS period (µs): 100 ms, the kernel's default. */
export const PERIOD_US = 100_000;

/** Where CPU cgroups live on this machine, and which interface they speak. */
interface CpuHierarchy {
  readonly root: string;
  readonly version: 1 | 2;
}

/** The machine's CPU cgroup hierarchy, or undefined when it has none we can use. */
export function cpuHierarchy(base = "/sys/fs/cgroup"): CpuHierarchy | undefined {
  try {
    const controllers = readFileSync(join(base, "cgroup.controllers"), "utf8");
    if (controllers.split(/\s+/).includes("cpu")) return { root: base, version: 2 };
  } catch {
    // No unified hierarchy at the top: look for v1's cpu controller.
  }
  const v1 = join(base, "cpu");
  return existsSync(join(v1, "cpu.cfs_quota_us")) ? { root: v1, version: 1 } : undefined;
}

/** The cgroup name of server `server` of run `runId`, owned by this process. */
export function cpuGroupName(runId: string, server: number): string {
  return `${CPU_GROUP_PREFIX}${selfToken().replace(":", "_")}-${runId}-s${server}`;
}

/** A process under a CPU cap. */
export interface CpuCap {
  /** How the cap is made, for the history. */
  readonly description: string;
  /** What the process got since it was capped, as measured by the kernel. */
  measure(): CpuShare;
  /** Lifts the cap: the process goes back to the group it came from, and the group is removed. */
  release(): void;
}

/** CPU a capped process used over a stretch of wall time. */
export interface CpuShare {
  readonly wallMs: number;
  /** User plus system time of the process (ms), from /proc/PID/stat. */
  readonly cpuMs: number;
  /** cpuMs / wallMs: the fraction of one core it got. */
  readonly share: number;
  /** CFS periods in which the cap held it back (cpu.stat nr_throttled). */
  readonly throttledPeriods: number;
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on every Linux we run on). */
const USER_HZ = 100;

/** User plus system CPU time (ms) in a /proc/PID/stat line; undefined when it is not one. */
export function statCpuMs(stat: string): number | undefined {
  // Fields after the command (which may hold spaces) start at state; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return stat.includes(")") && Number.isFinite(ticks) ? (ticks * 1000) / USER_HZ : undefined;
}

/** User plus system CPU time of a process (ms); undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Puts `pid` in a group of its own capped at `cores` (e.g. 0.1 = a tenth of one core). */
export function capCpu(pid: number, name: string, cores: number): CpuCap {
  const hierarchy = cpuHierarchy();
  if (hierarchy === undefined) {
    throw new BadInputError(
      "fault 'starve' needs the kernel's CPU controller (cgroup v2 cpu.max or v1 cpu.cfs_quota_us under /sys/fs/cgroup) and root: run as root on a machine that mounts it, or drop the fault",
    );
  }
  const dir = join(hierarchy.root, name);
  const home = join(hierarchy.root, originalGroup(pid, hierarchy.version) ?? "");
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  try {
    if (!existsSync(dir)) {
      if (hierarchy.version === 2) enableCpuController(hierarchy.root);
      // cgroupfs makes the control files itself: a plain mkdir is the interface.
      mkdirSync(dir);
    }
    if (hierarchy.version === 2) writeFileSync(join(dir, "cpu.max"), `${quota} ${PERIOD_US}`);
    else {
      writeFileSync(join(dir, "cpu.cfs_period_us"), String(PERIOD_US));
      writeFileSync(join(dir, "cpu.cfs_quota_us"), String(quota));
    }
    writeFileSync(join(dir, "cgroup.procs"), String(pid));
  } catch (error) {
    releaseGroup(dir, home);
    throw new BadInputError(
      `could not cap process ${pid} at ${cores} of a core in ${dir} (${(error as Error).message}): run as root, or drop the 'starve' fault`,
    );
  }
  const startedAt = performance.now();
  const startCpu = processCpuMs(pid) ?? 0;
  let last: CpuShare | undefined;
  const measure = (): CpuShare => {
    const cpu = processCpuMs(pid);
    if (cpu === undefined && last !== undefined) return last;
    const wallMs = performance.now() - startedAt;
    const cpuMs = (cpu ?? startCpu) - startCpu;
    last = {
      wallMs,
      cpuMs,
      share: wallMs > 0 ? cpuMs / wallMs : 0,
      throttledPeriods: throttledPeriods(dir),
    };
    return last;
  };
  return {
    description: `cgroup v${hierarchy.version} ${dir}: ${quota} µs of CPU every ${PERIOD_US} µs`,
    measure,
    release: () => releaseGroup(dir, home),
  };
}

/** nr_throttled from the group's cpu.stat (0 when unreadable). */
function throttledPeriods(dir: string): number {
  try {
    const line = readFileSync(join(dir, "cpu.stat"), "utf8")
      .split("\n")
      .find((entry) => entry.startsWith("nr_throttled "));
    return line === undefined ? 0 : Number(line.split(" ")[1]);
  } catch {
    return 0;
  }
}

/** The process's CPU group relative to the hierarchy's root, from /proc/PID/cgroup. */
function originalGroup(pid: number, version: 1 | 2): string | undefined {
  try {
    for (const line of readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n")) {
      const [, controllers, path] = line.split(":");
      if (path === undefined) continue;
      if (version === 2 ? controllers === "" : (controllers ?? "").split(",").includes("cpu"))
        return path;
    }
  } catch {
    // It exited: it needs no home.
  }
  return undefined;
}

/** Removes every group whose harness process is gone (its servers were reaped first); returns the names. */
export function removeDeadCpuGroups(): string[] {
  const hierarchy = cpuHierarchy();
  if (hierarchy === undefined) return [];
  let names: string[];
  try {
    names = readdirSync(hierarchy.root).filter((name) => name.startsWith(CPU_GROUP_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = /^zkchaos-(\d+)_(\d+)-/.exec(name);
    if (owner === null || isTokenAlive(`${owner[1]}:${owner[2]}`)) continue;
    releaseGroup(join(hierarchy.root, name), hierarchy.root);
    removed.push(name);
  }
  return removed;
}

/** Process ids in a group (empty when it is gone). */
export function cpuGroupProcesses(name: string): number[] {
  const hierarchy = cpuHierarchy();
  if (hierarchy === undefined) return [];
  try {
    return readFileSync(join(hierarchy.root, name, "cgroup.procs"), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** cgroup v2 hands a controller to children only when the parent lists it in subtree_control. */
function enableCpuController(root: string): void {
  const control = join(root, "cgroup.subtree_control");
  if (!readFileSync(control, "utf8").split(/\s+/).includes("cpu")) writeFileSync(control, "+cpu");
}

/** Moves whatever runs in `dir` to `home`, then removes `dir`; a group already gone is fine. */
function releaseGroup(dir: string, home: string): void {
  let pids: string[] = [];
  try {
    pids = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      writeFileSync(join(home, "cgroup.procs"), pid);
    } catch {
      // It exited meanwhile.
    }
  }
  try {
    rmdirSync(dir);
  } catch {
    // A process that was exiting may hold it a moment; the next run's reaper removes it.
  }
}
