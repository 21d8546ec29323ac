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
  /** The path of a file in the run folder whose name ends with the suffix. */
  file(suffix: string, name: string): string;
  /** The events of the run folder whose name ends with the suffix. */
  history(suffix: string): Record<string, unknown>[];
  /** The results.json of the run folder whose name ends with the suffix. */
  results(suffix: string): ResultsFile;
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
  const file = (suffix: string, name: string): string => {
    const dir = readdirSync(folder()).find((each) => each.endsWith(suffix));
    if (dir === undefined) throw new Error(`no run folder ending ${suffix} in ${folder()}`);
    return join(folder(), dir, name);
  };
  return {
    get out() {
      return folder();
    },
    file,
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
    history: (suffix) =>
      readFileSync(file(suffix, "history.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    results: (suffix) =>
      JSON.parse(readFileSync(file(suffix, "results.json"), "utf8")) as ResultsFile,
  };
}

/** One checker's verdict from a results.json. */
export function verdictOf(results: ResultsFile, checker: string): Verdict {
  const verdict = results.verdicts.find((each) => each.checker === checker);
  if (verdict === undefined) throw new Error(`no ${checker} verdict`);
  return verdict;
}
