/**
 * The commit a run tests, so a store of nights can tell runs of the same
 * code apart from runs of a change: the CI's own variable when there is
 * one, else the git checkout the run was started from, else none.
 */
import { execFileSync } from "node:child_process";

/** Variables CI systems set to the commit being built, in the order they are trusted. */
const COMMIT_VARIABLES = [
  "ZK_CHAOS_COMMIT",
  "GITHUB_SHA",
  "CI_COMMIT_SHA",
  "BUILDKITE_COMMIT",
  "GIT_COMMIT",
] as const;

let cached: string | null | undefined;

/** The commit under test, or undefined outside a CI and a git checkout (looked up once per process). */
export function commitUnderTest(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of COMMIT_VARIABLES) {
    const value = env[name]?.trim();
    if (value && /^[0-9a-zA-Z._-]{1,64}$/.test(value)) return value;
  }
  if (cached === undefined) {
    try {
      cached = execFileSync("git", ["rev-parse", "HEAD"], {
        stdio: ["ignore", "pipe", "ignore"],
        timeout: 2000,
        encoding: "utf8",
      }).trim();
      if (!/^[0-9a-f]{7,64}$/.test(cached)) cached = null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}
