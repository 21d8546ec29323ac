/**
 * Temporary folders named after the process that made them, so that a later
 * run can remove those whose maker died before it could (SIGKILL, a timeout
 * that killed the harness mid-upload).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTokenAlive, selfToken } from "./process-identity.js";

/** Makes `<tmp>/<prefix>-<pid>_<start>-XXXXXX`, owned by this process. */
export function ownedTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-${selfToken().replace(":", "_")}-`));
}

/** Removes the folders of `prefix` whose maker is gone; returns them. */
export function reapOwnedTempDirs(prefix: string, dir = tmpdir()): string[] {
  const pattern = new RegExp(`^${prefix}-(\\d+)_(\\d+)-`);
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match === null || isTokenAlive(`${match[1]}:${match[2]}`)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}
