import type { ResultsFile } from "./results.js";

const MARK = (valid: unknown) =>
  valid === true ? "✅ valid" : valid === false ? "❌ INVALID" : "❔ unknown";
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A Markdown report of one or more runs (also fit for $GITHUB_STEP_SUMMARY). */
export function markdownReport(runs: readonly ResultsFile[]): string {
  const lines = [
    "# zk-chaos report",
    "",
    "| scenario | nodes | seed | verdict | operations | recovery |",
    "|---|---|---|---|---|---|",
  ];
  for (const run of runs) {
    const recovery =
      run.timings.recoveryMs === undefined ? "none" : `${Math.round(run.timings.recoveryMs)} ms`;
    lines.push(
      `| ${cell(run.scenario)} | ${run.nodes} | ${run.seed} | ${MARK(run.valid)} | ${run.operations} | ${recovery} |`,
    );
  }
  for (const run of runs) {
    lines.push(
      "",
      `## ${cell(run.scenario)} on ${run.nodes} node(s): ${MARK(run.valid)}`,
      "",
      cell(run.description),
      "",
    );
    lines.push("| checker | guarantee | verdict | anomalies |", "|---|---|---|---|");
    for (const verdict of run.verdicts) {
      lines.push(
        `| ${cell(verdict.checker)} | ${cell(verdict.guarantee)} | ${MARK(verdict.valid)} | ${verdict.anomalies.length} |`,
      );
    }
    const anomalies = run.verdicts.flatMap((verdict) =>
      verdict.anomalies.map((anomaly) => ({ checker: verdict.checker, ...anomaly })),
    );
    if (anomalies.length > 0) {
      lines.push("", "Anomalies:", "");
      for (const anomaly of anomalies.slice(0, 20)) {
        lines.push(
          `- **${cell(anomaly.kind)}** (${cell(anomaly.checker)}): ${cell(anomaly.message)} — events ${anomaly.events.slice(0, 10).join(", ")}`,
        );
      }
    }
    if (run.valid !== true) lines.push("", `Replay: \`${run.replay}\``);
  }
  return `${lines.join("\n")}\n`;
}
