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

/** The server log moments that explain a consistency anomaly: sync, truncation, leadership. */
const TELLING = new Set([
  "leading",
  "newleader-received",
  "sending-diff",
  "sending-trunc",
  "sending-snap",
  "truncating-log",
  "snapshot-from-leader",
  "followers-not-synced",
]);

/** For a run with anomalies: the servers' key log lines and the triggers that fired, in time order. */
export function serverMoments(anomalous: boolean, events: readonly HistoryEvent[]): string {
  if (!anomalous) return "";
  const lines = events.flatMap((event) => {
    const at = `${(event.time / 1e9).toFixed(3)} s`;
    if (event.process === "nemesis" && event.f === "trigger") {
      const value = event.value as { id?: string; server?: number; line?: string };
      if (value.line === undefined) return [];
      return [
        `- ${at} (event ${event.index}) trigger ${value.id} fired on server ${value.server}: \`${value.line}\``,
      ];
    }
    if (typeof event.process !== "string" || !event.process.startsWith("server-")) return [];
    const value = event.value as { kind?: string; line?: string };
    if (!TELLING.has(value.kind ?? "")) return [];
    return [
      `- ${at} (event ${event.index}) ${event.process} ${value.kind}: \`${value.line ?? ""}\``,
    ];
  });
  if (lines.length === 0) return "";
  return `\n## Server log lines around the anomalies\n\n${lines.slice(0, 200).join("\n")}\n`;
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
