import { combineValidity } from "../checkers/verdict.js";
import { compareVersions } from "../zookeeper/version-range.js";

import { causeHeading, groupAnomaliesByCause, shownAnomalies } from "./anomaly-groups.js";
import type { ResultsFile } from "./results.js";

const MARK = (valid: unknown) =>
  valid === true ? "✅ valid" : valid === false ? "❌ INVALID" : "❔ unknown";
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Scenario x version verdicts (every size combined), when runs span several versions. */
function versionTable(runs: readonly ResultsFile[]): string[] {
  const versions = [...new Set(runs.map((run) => run.zooKeeperVersion))].sort(compareVersions);
  if (versions.length < 2) return [];
  const scenarios = [...new Set(runs.map((run) => run.scenario))];
  const lines = [
    "",
    "## Scenario x ZooKeeper version",
    "",
    `| scenario | ${versions.map(cell).join(" | ")} |`,
    `|---|${versions.map(() => "---").join("|")}|`,
  ];
  for (const scenario of scenarios) {
    const cells = versions.map((version) => {
      const matching = runs.filter(
        (r) => r.scenario === scenario && r.zooKeeperVersion === version,
      );
      return matching.length === 0 ? "-" : MARK(combineValidity(matching.map((r) => r.valid)));
    });
    lines.push(`| ${cell(scenario)} | ${cells.join(" | ")} |`);
  }
  return lines;
}

/** Known bugs per version: what showed, against what each scenario expects. */
function bugTable(runs: readonly ResultsFile[]): string[] {
  const bugs = runs.filter((run) => run.bug !== undefined);
  if (bugs.length === 0) return [];
  const lines = [
    "",
    "## Known bugs",
    "",
    "| bug | ZooKeeper | nodes | seed | observed | expected | |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const run of bugs) {
    const bug = run.bug as NonNullable<ResultsFile["bug"]>;
    const mark = bug.matched === true ? "✅" : bug.matched === false ? "❌" : "❔";
    lines.push(
      `| ${cell(bug.jira.join(", "))}: ${cell(bug.title)} | ${cell(bug.version)} | ${run.nodes} | ${run.seed} | ${bug.observed} | ${bug.expected ?? "-"} | ${mark} |`,
    );
  }
  return lines;
}

/** Headline numbers per ZooKeeper version and size, when runs span several of either. */
function headlineTable(runs: readonly ResultsFile[]): string[] {
  const groups = new Map<string, ResultsFile[]>();
  for (const run of runs) {
    const key = `${run.zooKeeperVersion}\u0000${run.nodes}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  if (groups.size < 2) return [];
  const lines = [
    "",
    "## Headline per version and size",
    "",
    "| ZooKeeper | nodes | runs | valid | not valid | anomalies | operations/s | worst recovery |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const ordered = [...groups.values()].sort(
    (a, b) =>
      compareVersions(
        (a[0] as ResultsFile).zooKeeperVersion,
        (b[0] as ResultsFile).zooKeeperVersion,
      ) || (a[0] as ResultsFile).nodes - (b[0] as ResultsFile).nodes,
  );
  for (const group of ordered) {
    const first = group[0] as ResultsFile;
    const valid = group.filter((run) => run.valid === true).length;
    const anomalies = group.reduce(
      (sum, run) => sum + run.verdicts.reduce((count, v) => count + v.anomalies.length, 0),
      0,
    );
    const runSeconds = group.reduce((sum, run) => sum + run.timings.runMs / 1000, 0);
    const operations = group.reduce((sum, run) => sum + run.operations, 0);
    const recoveries = group
      .map((run) => run.timings.recoveryMs)
      .filter((ms): ms is number => ms !== undefined);
    lines.push(
      `| ${cell(first.zooKeeperVersion)} | ${first.nodes} | ${group.length} | ${valid} | ${group.length - valid} | ${anomalies} | ${runSeconds > 0 ? Math.round(operations / runSeconds) : "-"} | ${recoveries.length === 0 ? "-" : `${Math.round(Math.max(...recoveries))} ms`} |`,
    );
  }
  return lines;
}

/**
 * A Markdown report of one or more runs (also fit for $GITHUB_STEP_SUMMARY).
 * `links`, when given, holds each run's report.html relative to where the
 * Markdown is written (same order as `runs`).
 */
export function markdownReport(
  runs: readonly ResultsFile[],
  links?: readonly (string | undefined)[],
): string {
  const withLinks = links !== undefined;
  const lines = [
    "# zk-chaos report",
    "",
    `| scenario | ZooKeeper | nodes | seed | verdict | operations | recovery |${withLinks ? " report |" : ""}`,
    `|---|---|---|---|---|---|---|${withLinks ? "---|" : ""}`,
  ];
  runs.forEach((run, index) => {
    const recovery =
      run.timings.recoveryMs === undefined ? "none" : `${Math.round(run.timings.recoveryMs)} ms`;
    const link = links?.[index];
    lines.push(
      `| ${cell(run.scenario)} | ${cell(run.zooKeeperVersion)} | ${run.nodes} | ${run.seed} | ${MARK(run.valid)} | ${run.operations} | ${recovery} |${withLinks ? ` ${link === undefined ? "-" : `[report.html](${encodeURI(link)})`} |` : ""}`,
    );
  });
  lines.push(...headlineTable(runs), ...versionTable(runs), ...bugTable(runs));
  for (const run of runs) {
    lines.push(
      "",
      `## ${cell(run.scenario)} on ${run.nodes} node(s), ZooKeeper ${cell(run.zooKeeperVersion)}: ${MARK(run.valid)}`,
      "",
      cell(run.description),
      "",
      ...(run.expected
        ? [
            `Expected to go wrong: ${run.expected.matched === true ? "✅ as expected" : run.expected.matched === false ? "❌ NOT AS EXPECTED" : "❔ undecided"}: ${cell(run.expected.reason)}`,
            "",
          ]
        : []),
    );
    lines.push("| checker | guarantee | verdict | anomalies |", "|---|---|---|---|");
    for (const verdict of run.verdicts) {
      lines.push(
        `| ${cell(verdict.checker)} | ${cell(verdict.guarantee)} | ${MARK(verdict.valid)} | ${verdict.anomalies.length} |`,
      );
    }
    for (const group of groupAnomaliesByCause(run.verdicts)) {
      lines.push("", `Anomalies: ${cell(causeHeading(group))}`, "");
      if (group.cause !== undefined)
        lines.push(`(cause proven by events ${group.cause.events.join(", ")})`, "");
      const { shown, hidden } = shownAnomalies(group, 20);
      if (hidden > 0) lines.push(`(${hidden} more not listed: see results.json)`, "");
      for (const anomaly of shown) {
        lines.push(
          `- **${cell(anomaly.kind)}** (${cell(anomaly.checker)}): ${cell(anomaly.message)} — events ${anomaly.events.slice(0, 10).join(", ")}`,
        );
      }
    }
    if (run.valid !== true) lines.push("", `Replay: \`${run.replay}\``);
  }
  return `${lines.join("\n")}\n`;
}
