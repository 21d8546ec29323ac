import { statSync } from "node:fs";
import { join } from "node:path";

/** An existing folder, or a path written as one (ending in /). */
function isFolder(path: string): boolean {
  return path.endsWith("/") || statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** Where a one-file --out writes: --out is a folder on every command, and a folder gets `name` inside it. */
export function outFile(out: string, name: string): string {
  return isFolder(out) ? join(out, name) : out;
}
