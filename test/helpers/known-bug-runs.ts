import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { Verdict } from "../../src/checkers/verdict.js";
import type { ResultsFile } from "../../src/report/results.js";
import { type CliProcess, spawnCli } from "./cli.js";

/** Known-bug scenario runs of one test file, in one output folder made before its tests and removed after. */
export interface KnownBugRuns {
  /** The shared output folder. */
  readonly out: string;
  /** Runs a known-bug scenario into the shared output folder. */
  runBug(name: string, seed: number, version?: string): CliProcess;
  /** The events of the one run folder whose name ends with the suffix. */
  history(suffix: string): Record<string, unknown>[];
  /** The results.json of the first run folder whose name includes the fragment. */
  results(fragment: string): ResultsFile;
}

/** Registers the file's output folder (before and after all its tests) and returns its runs. */
export function knownBugRuns(): KnownBugRuns {
  let out: string | undefined;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), "zkchaos-known-bugs-"));
  });
  afterAll(() => {
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });
  const folder = (): string => {
    if (out === undefined) throw new Error("known-bug runs are used before their folder exists");
    return out;
  };
  return {
    get out() {
      return folder();
    },
    runBug: (name, seed, version) =>
      spawnCli([
        "run",
        `scenarios/known-bugs/${name}.yaml`,
        "--seed",
        String(seed),
        ...(version ? ["--zookeeper-version", version] : []),
        "--out",
        folder(),
      ]),
    history: (suffix) => {
      const dir = readdirSync(folder()).find((name) => name.endsWith(suffix)) as string;
      return readFileSync(join(folder(), dir, "history.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    results: (fragment) => {
      const dir = readdirSync(folder()).find((name) => name.includes(fragment)) as string;
      return JSON.parse(readFileSync(join(folder(), dir, "results.json"), "utf8")) as ResultsFile;
    },
  };
}

/** One checker's verdict from a results.json. */
export function verdictOf(results: ResultsFile, checker: string): Verdict {
  const verdict = results.verdicts.find((each) => each.checker === checker);
  if (verdict === undefined) throw new Error(`no ${checker} verdict`);
  return verdict;
}
