/**
 * A size-limited disk for a server's transaction log: a tmpfs the harness
 * mounts under the server's folder, so that a fault can fill it (the server
 * then gets ENOSPC, as on a real full disk) and free it again, and so that
 * nothing on the machine's real disks is touched.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, sep } from "node:path";
import { BadInputError } from "../../errors.js";

/** The mount's source name: it marks the mount as ours in /proc/mounts. */
export const LOG_DISK_SOURCE = "zkchaos-logdisk";

/** The file a full disk is filled with. */
export const FILLER_NAME = "zkchaos-disk-filler";

export { DEFAULT_LOG_DISK_MB } from "../ensemble.js";

/** Mounts a `sizeMb` tmpfs at `dir` (made if missing); throws a BadInputError naming the fix when mounting is not allowed. */
export function mountLogDisk(dir: string, sizeMb: number): void {
  mkdirSync(dir, { recursive: true });
  const result = spawnSync(
    "mount",
    ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, LOG_DISK_SOURCE, dir],
    { encoding: "utf8" },
  );
  if (result.error !== undefined || result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim();
    throw new BadInputError(
      `disk faults need a size-limited disk for each server's transaction log, and mounting a tmpfs at ${dir} failed (${why}): run as root (or with CAP_SYS_ADMIN), or drop the disk faults from the scenario`,
    );
  }
}

/** Every log disk mounted on this machine, by mount point. */
export function mountedLogDisks(): string[] {
  return mountTable()
    .filter(([source, , type]) => source === LOG_DISK_SOURCE && type === "tmpfs")
    .map(([, point]) => unescapeMountPoint(point as string));
}

/** This process's mount table, one row of fields (source, point, type, ...) per mount. */
function mountTable(): string[][] {
  try {
    return readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" "));
  } catch {
    return [];
  }
}

/** Every mount point under `dir`, deepest (last mounted) first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  return mountTable()
    .map(([, point]) => unescapeMountPoint(point ?? ""))
    .filter((point) => point.startsWith(prefix))
    .reverse();
}

/**
 * Unmounts everything mounted under `dir` (a run's folder: log disks, read-only
 * binds; every mount there is ours) and returns the mount points.
 */
export function unmountAllUnder(dir: string): string[] {
  const found = mountsUnder(dir);
  for (const point of found) unmountTop(point);
  return found;
}

/** Unmounts the topmost mount at `dir` (lazily if a process still holds it). */
export function unmountTop(dir: string): void {
  const result = spawnSync("umount", [dir], { encoding: "utf8" });
  if (result.status !== 0) spawnSync("umount", ["-l", dir], { encoding: "utf8" });
}

/**
 * Makes `dir` read-only for every process (root included): a read-only bind
 * mount of the folder over itself. Files opened for writing before stay
 * writable, so the server should be down meanwhile.
 */
export function mountReadOnly(dir: string): void {
  const bind = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
  const readOnly =
    bind.status === 0
      ? spawnSync("mount", ["-o", "remount,bind,ro", dir], { encoding: "utf8" })
      : bind;
  if (readOnly.error !== undefined || readOnly.status !== 0) {
    if (bind.status === 0) spawnSync("umount", [dir]);
    throw new BadInputError(
      `fault 'read-only' needs to bind-mount ${dir} read-only, and mount failed (${readOnly.error?.message ?? readOnly.stderr.trim()}): run as root (or with CAP_SYS_ADMIN), or drop the fault`,
    );
  }
}

/** Fills the disk at `dir` to the last byte; returns how many bytes the filler took. */
export function fillDisk(dir: string): number {
  const path = join(dir, FILLER_NAME);
  const fd = openSync(path, "a");
  let written = 0;
  try {
    // Big writes first, then small ones down to the last free block.
    for (const size of [1 << 20, 1 << 12, 1]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Gives back the space `fillDisk` took. */
export function freeDisk(dir: string): void {
  rmSync(join(dir, FILLER_NAME), { force: true });
}

/** /proc/mounts writes spaces and the like as octal escapes. */
function unescapeMountPoint(point: string): string {
  return point.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
}
