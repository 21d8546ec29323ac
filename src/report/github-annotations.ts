import { type ResultsFile, runPassed } from "./results.js";

/** GitHub's workflow-command escaping of a message: a newline would end the command. */
function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** GitHub's escaping of a property value, where `:` and `,` are separators too. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** What a run's outcome asks of the reader: nothing when it passed (a known bug or a mistake shown as expected counts). */
function failed(results: ResultsFile): boolean {
  return runPassed(results) !== true;
}

/** GitHub shows at most ten error annotations per step; more would only be dropped. */
export const MAX_ANNOTATIONS_PER_RUN = 10;

/**
 * GitHub Actions `::error` workflow commands for a run: one per anomaly (its
 * checker, its message and the command that replays the run; at most
 * MAX_ANNOTATIONS_PER_RUN, the last saying how many more the report holds),
 * or one for an undecided run. Empty for a run that passed.
 */
export function githubAnnotations(results: ResultsFile): string[] {
  if (!failed(results)) return [];
  const where = `${results.scenario} n=${results.nodes} zk=${results.zooKeeperVersion} seed=${results.seed}`;
  const title = escapeProperty(`zk-chaos: ${where}`);
  const lines: string[] = [];
  for (const verdict of results.verdicts)
    for (const anomaly of verdict.anomalies) {
      const cause = anomaly.cause ? `\ncause: ${anomaly.cause.message}` : "";
      lines.push(
        `::error title=${title}::${escapeData(`${verdict.checker}: ${anomaly.message}${cause}\nreplay: ${results.replay}`)}`,
      );
    }
  if (lines.length === 0) {
    const why = results.bug
      ? `known bug ${results.bug.jira.join(", ")}: ${results.bug.observed}, expected ${results.bug.expected ?? "nothing on this version"}`
      : results.expected
        ? `not the expected outcome: ${results.expected.reason}`
        : "the checkers could not decide";
    lines.push(`::error title=${title}::${escapeData(`${why}\nreplay: ${results.replay}`)}`);
  }
  if (lines.length <= MAX_ANNOTATIONS_PER_RUN) return lines;
  const more = lines.length - (MAX_ANNOTATIONS_PER_RUN - 1);
  return [
    ...lines.slice(0, MAX_ANNOTATIONS_PER_RUN - 1),
    `::error title=${title}::${escapeData(`${more} more anomalies: see the run's report.html\nreplay: ${results.replay}`)}`,
  ];
}

/** Whether this process runs as a GitHub Actions step (which reads workflow commands from stdout). */
export function inGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === "true";
}
