import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The machine-wide folder where zk-chaos keeps what concurrent and later runs
 * must see: port reservations, the registry of live runs, temp run folders.
 * Override with ZK_CHAOS_RUNTIME_DIR (e.g. to isolate tests).
 */
export function runtimeRoot(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.ZK_CHAOS_RUNTIME_DIR ?? join(tmpdir(), "zk-chaos");
  mkdirSync(root, { recursive: true });
  return root;
}

/** A sub-folder of the runtime root, created when missing. */
export function runtimeSubdir(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
