import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { portLockDir } from "../util/port-reservation.js";
import { isTokenAlive, pidExists, processArgs, selfToken } from "../util/process-identity.js";
import { runtimeSubdir } from "../util/runtime-root.js";
import { removeDeadCpuGroups } from "./cpu-limit.js";
import { unmountAllUnder } from "./local/log-disk.js";

/**
 * Every server JVM we start carries these system properties, so that a later
 * run can tell our orphans from anything else on the machine, and whose they are.
 */
export const RUN_MARKER = "-Dzkchaos.run=";
/** The runtime root's folder of co-located neighbours' files, each named after its harness. */
export const NEIGHBOURS_DIR = "neighbours";
export const OWNER_MARKER = "-Dzkchaos.owner=";

/** A run's entry in the registry: who owns it and which folder to remove when it dies. */
export interface RunRecord {
  readonly runId: string;
  readonly owner: string;
  readonly dir: string;
  /** Whether the folder is ours to delete (a temp folder, not one the user chose). */
  readonly removeDir: boolean;
}

/** What one reaping pass found and released. */
export interface ReapReport {
  readonly processes: readonly { pid: number; runId: string; serverId: string }[];
  readonly folders: readonly string[];
  /** CPU cgroups of dead runs (a starve fault a crash left in force). */
  readonly cpuGroups?: readonly string[];
}

/** Records a run as live and owned by this process; returns the function that forgets it. */
export function registerRun(root: string, record: Omit<RunRecord, "owner">): () => void {
  const file = join(runtimeSubdir(root, "registry"), `${record.runId}.json`);
  const full: RunRecord = { ...record, owner: selfToken() };
  writeFileSync(file, JSON.stringify(full));
  return () => rmSync(file, { force: true });
}

function markerValue(args: readonly string[], marker: string): string | undefined {
  return args.find((arg) => arg.startsWith(marker))?.slice(marker.length);
}

function listPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(pidExists) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Kills the server JVMs (and helpers) of runs under this runtime root whose
 * harness died (SIGKILL, OOM, a crash) and removes their temp folders and
 * port reservations. Live runs of other harnesses are left alone, and so are
 * another root's: its own next run reaps them, and says so.
 */
export async function reapOrphans(root: string): Promise<ReapReport> {
  const processes: { pid: number; runId: string; serverId: string }[] = [];
  // Every process of a run names a folder under its root (a server's log dir, a helper's own).
  const under = `${resolve(root)}/`;
  for (const pid of listPids()) {
    const args = processArgs(pid);
    if (args === undefined || !args.some((arg) => arg.includes(under))) continue;
    const owner = markerValue(args, OWNER_MARKER);
    const runId = markerValue(args, RUN_MARKER);
    if (owner === undefined || runId === undefined || isTokenAlive(owner)) continue;
    try {
      process.kill(pid, "SIGKILL");
      processes.push({ pid, runId, serverId: markerValue(args, "-Dzkchaos.server=") ?? "?" });
    } catch {
      // Gone already.
    }
  }
  await waitGone(
    processes.map((entry) => entry.pid),
    5000,
  );
  const folders: string[] = [];
  const registryDir = runtimeSubdir(root, "registry");
  for (const name of readdirSync(registryDir)) {
    const file = join(registryDir, name);
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as RunRecord;
    } catch {
      continue;
    }
    if (isTokenAlive(record.owner)) continue;
    rmSync(join(root, "cds", `pending-${record.runId}.jsa`), { force: true });
    // A mount inside the folder would make its removal fail (EBUSY) and outlive the run.
    unmountAllUnder(record.dir);
    if (record.removeDir) {
      rmSync(record.dir, { recursive: true, force: true });
      folders.push(record.dir);
    }
    rmSync(file, { force: true });
  }
  const portDir = portLockDir();
  for (const name of readdirSync(portDir)) {
    const file = join(portDir, name);
    try {
      if (!isTokenAlive(readFileSync(file, "utf8"))) rmSync(file, { force: true });
    } catch {
      // Released meanwhile.
    }
  }
  // A co-located neighbour's files (validate --deployment), named "<pid>-<start>-...": its
  // process was killed above with the others of its dead harness.
  const neighbours = runtimeSubdir(root, NEIGHBOURS_DIR);
  for (const name of readdirSync(neighbours)) {
    const [pid, start] = name.split("-");
    if (isTokenAlive(`${pid}:${start}`)) continue;
    rmSync(join(neighbours, name), { recursive: true, force: true });
    folders.push(join(neighbours, name));
  }
  // Their processes were killed above, so the groups are empty and can go.
  const cpuGroups = removeDeadCpuGroups();
  return { processes, folders, ...(cpuGroups.length > 0 ? { cpuGroups } : {}) };
}

/** One line per reaped thing, for logs; empty when nothing was reaped. */
export function describeReap(report: ReapReport): string[] {
  const lines = report.processes.map((entry) =>
    entry.serverId === "neighbour"
      ? `reaped orphan neighbour (pid ${entry.pid}) of dead run ${entry.runId}`
      : `reaped orphan ZooKeeper server ${entry.serverId} (pid ${entry.pid}) of dead run ${entry.runId}`,
  );
  for (const dir of report.folders) lines.push(`removed folder of dead run: ${dir}`);
  for (const group of report.cpuGroups ?? [])
    lines.push(`removed CPU cgroup of dead run: ${group}`);
  return lines;
}
