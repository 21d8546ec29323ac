import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError } from "../errors.js";
import type { HistoryEvent } from "../history/event.js";
import { readHistoryFile } from "../history/reader.js";
import { compareRuns, runComparisonHtml, runComparisonMarkdown } from "./compare-runs.js";
import { htmlReport } from "./html.js";
import { junitReport } from "./junit.js";
import { markdownReport } from "./markdown.js";
import type { ResultsFile } from "./results.js";
import { parseResultsFile } from "./results-schema.js";
import { serverMoments } from "./server-moments.js";

/** Writes a run's reports: results.json, report.md, junit.xml and report.html. */
export function writeRunReports(
  dir: string,
  results: ResultsFile,
  events: readonly HistoryEvent[],
): void {
  writeFileSync(join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(
    join(dir, "report.md"),
    markdownReport([results]) +
      serverMoments(
        results.verdicts.some((v) => v.valid === false),
        events,
      ),
  );
  writeFileSync(join(dir, "junit.xml"), junitReport([results]));
  writeFileSync(join(dir, "report.html"), htmlReport(results, events));
}

/** Appends Markdown to GitHub's job summary when running in GitHub Actions. */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, markdown);
}

/** A run folder's results (validated by the schema) and history. */
export async function readRunDir(
  dir: string,
): Promise<{ results: ResultsFile; events: HistoryEvent[] }> {
  const resultsPath = join(dir, "results.json");
  if (!existsSync(resultsPath)) {
    throw new BadInputError(
      `${dir}: no results.json there: pass a run folder written by 'zk-chaos run'`,
    );
  }
  const results = parseResultsFile(readFileSync(resultsPath, "utf8"), resultsPath);
  const events = await readHistoryFile(join(dir, "history.jsonl"));
  return { results, events };
}

/** Re-renders a run folder's reports from its results.json and history.jsonl. */
export async function rerenderRunDir(dir: string): Promise<ResultsFile> {
  const { results, events } = await readRunDir(dir);
  writeRunReports(dir, results, events);
  return results;
}

/** Compares two run folders; writes compare.md and compare.html into `out`; returns the Markdown. */
export async function writeRunComparison(
  first: string,
  second: string,
  out: string,
): Promise<{ markdown: string; files: string[] }> {
  const [a, b] = await Promise.all([readRunDir(first), readRunDir(second)]);
  const comparison = compareRuns({ label: first, ...a }, { label: second, ...b });
  const markdown = runComparisonMarkdown(comparison);
  mkdirSync(out, { recursive: true });
  const files = [join(out, "compare.md"), join(out, "compare.html")];
  writeFileSync(files[0] as string, markdown);
  writeFileSync(files[1] as string, runComparisonHtml(comparison));
  return { markdown, files };
}
