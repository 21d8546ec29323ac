import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError } from "../errors.js";
import type { HistoryEvent } from "../history/event.js";
import { readHistoryFile } from "../history/reader.js";
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

/** Re-renders a run folder's reports from its results.json and history.jsonl. */
export async function rerenderRunDir(dir: string): Promise<ResultsFile> {
  const resultsPath = join(dir, "results.json");
  if (!existsSync(resultsPath)) {
    throw new BadInputError(
      `${dir}: no results.json there: pass a run folder written by 'zk-chaos run'`,
    );
  }
  const results = parseResultsFile(readFileSync(resultsPath, "utf8"), resultsPath);
  const events = await readHistoryFile(join(dir, "history.jsonl"));
  writeRunReports(dir, results, events);
  return results;
}
