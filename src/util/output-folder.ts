/**
 * The folder reports go to, made and proven writable before a run starts:
 * a folder that cannot take files must fail in a second with its name, not
 * after the ensemble ran (or never: a recursive mkdir under /proc spins).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { BadInputError } from "../errors.js";

/** Pseudo file systems whose folders are never report folders. */
const PSEUDO = ["/proc", "/sys", "/dev"];

/** Makes `folder` one level at a time and writes a probe file into it; throws a BadInputError naming it otherwise. */
export function prepareOutputFolder(folder: string, flag = "--out"): string {
  const absolute = resolve(folder);
  const fix = `choose a writable folder with ${flag}`;
  if (PSEUDO.some((root) => absolute === root || absolute.startsWith(`${root}/`)))
    throw new BadInputError(
      `${flag} ${folder}: ${absolute} is on a kernel pseudo file system: ${fix}`,
    );
  // One level at a time: every failure surfaces at once, with the level that failed.
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory())
        throw new BadInputError(`${flag} ${folder}: ${existing} is a file, not a folder: ${fix}`);
      break;
    } catch (error) {
      if (error instanceof BadInputError) throw error;
      missing.unshift(existing);
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new BadInputError(
        `${flag} ${folder}: cannot make ${level} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${fix}`,
      );
    }
  }
  const probe = join(absolute, `.zk-chaos-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (error) {
    throw new BadInputError(
      `${flag} ${folder}: cannot write into ${absolute} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${fix}`,
    );
  }
  return absolute;
}
