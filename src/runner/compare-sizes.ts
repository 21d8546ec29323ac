/**
 * Cluster sizes side by side: validations of 3, 5 and 7 servers under the
 * same load and seed, compared on what a person choosing a size weighs:
 * failures tolerated (measured and promised), worst recovery, each
 * scenario's verdict, and the writes each size got through in the same time.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { combineValidity, type Validity, validityWord } from "../checkers/verdict.js";
import { escapeHtml } from "../report/html-escape.js";
import { stripChartSvg } from "../report/strip-chart.js";
import { sizingAdvice, type Validation } from "./validate.js";

/** One size's row of the comparison. */
export interface SizeRow {
  readonly nodes: number;
  readonly valid: Validity;
  readonly measuredTolerance: number;
  readonly promisedTolerance: number;
  readonly worstRecoveryMs: number | undefined;
  /** Each scenario's verdict and operations, by scenario name. */
  readonly scenarios: Readonly<Record<string, { valid: Validity; operations: number }>>;
  /** Operations of every scenario together: the same load and duration on each size. */
  readonly operations: number;
  /** Times to elect a leader measured by the tolerance matrix (ms), sorted. */
  readonly electMs: readonly number[];
  /** Recovery after the last heal, per scenario run (ms), sorted. */
  readonly recoveryMs: readonly number[];
  /** Median over the scenario runs of their p50 latency of successes (ms). */
  readonly latencyP50Ms: number | undefined;
  /** Worst over the scenario runs of their p99 latency of successes (ms). */
  readonly latencyP99Ms: number | undefined;
  /** Each scenario run's p50 and p99 latency of successes (ms), sorted: the distributions drawn. */
  readonly runP50sMs: readonly number[];
  readonly runP99sMs: readonly number[];
  /** What the seed guide says of this size for this many agents. */
  readonly guide: readonly string[];
  /** The size's validation folder, named from beside the comparison's folder. */
  readonly report: string;
}

/** The comparison of sizes. */
export interface SizeComparison {
  readonly agents: number;
  readonly valid: Validity;
  readonly rows: readonly SizeRow[];
  readonly scenarios: readonly string[];
  readonly advice: readonly string[];
}

/** The defined values, ascending. */
const sorted = (values: readonly (number | undefined)[]) =>
  values.filter((value): value is number => value !== undefined).sort((a, b) => a - b);

/** The median of sorted values. */
const middle = (values: readonly number[]) =>
  values.length === 0 ? undefined : values[Math.floor(values.length / 2)];

/** Compares validations of several sizes (same agents, seed and suite). */
export function compareSizes(validations: readonly Validation[]): SizeComparison {
  const rows = validations.map(
    (validation): SizeRow => ({
      nodes: validation.nodes,
      valid: validation.valid,
      measuredTolerance: validation.matrix.measuredTolerance,
      promisedTolerance: validation.matrix.promisedTolerance,
      worstRecoveryMs: validation.worstRecoveryMs,
      scenarios: Object.fromEntries(
        validation.runs.map((run) => [
          run.scenario,
          { valid: run.valid, operations: run.operations },
        ]),
      ),
      operations: validation.runs.reduce((sum, run) => sum + run.operations, 0),
      electMs: sorted(validation.matrix.cells.map((cell) => cell.electMs)),
      recoveryMs: sorted(validation.runs.map((run) => run.timings.recoveryMs)),
      latencyP50Ms: middle(sorted(validation.runs.map((run) => run.latency?.p50Ms))),
      latencyP99Ms: sorted(validation.runs.map((run) => run.latency?.p99Ms)).at(-1),
      runP50sMs: sorted(validation.runs.map((run) => run.latency?.p50Ms)),
      runP99sMs: sorted(validation.runs.map((run) => run.latency?.p99Ms)),
      report: `../${basename(validation.dir)}/index.html`,
      guide: sizingAdvice(
        validation.nodes,
        validation.agents,
        validation.matrix.measuredTolerance,
        validation.matrix.promisedTolerance,
      ),
    }),
  );
  const scenarios = [...new Set(rows.flatMap((row) => Object.keys(row.scenarios)))].sort();
  return {
    agents: validations[0]?.agents ?? 0,
    valid: combineValidity(rows.map((row) => row.valid)),
    rows,
    scenarios,
    advice: comparisonAdvice(rows, validations[0]?.agents ?? 0),
  };
}

/** What the comparison says, in words. */
function comparisonAdvice(rows: readonly SizeRow[], agents: number): string[] {
  const advice: string[] = [];
  const recommended = recommendation(rows, agents);
  if (recommended !== undefined) advice.push(recommended);
  const sound = rows.filter(
    (row) =>
      row.valid === true && row.measuredTolerance === row.promisedTolerance && row.nodes % 2 === 1,
  );
  const smallest = [...sound]
    .filter((row) => row.measuredTolerance >= 1)
    .sort((a, b) => a.nodes - b.nodes)[0];
  if (smallest !== undefined)
    advice.push(
      `the smallest size that held everything and tolerates a failure: ${smallest.nodes} servers (${smallest.measuredTolerance} failure(s))`,
    );
  const base = rows.find((row) => row === smallest) ?? rows[0];
  for (const row of rows) {
    if (base === undefined || row === base || base.operations === 0) continue;
    const change = Math.round(((row.operations - base.operations) / base.operations) * 100);
    const through =
      change === 0
        ? "as many operations through as"
        : `${Math.abs(change)}% ${change > 0 ? "more" : "fewer"} operations through than`;
    advice.push(
      `${row.nodes} servers tolerate ${row.measuredTolerance} failure(s) and got ${through} ${base.nodes} under the same load`,
    );
  }
  for (const row of rows.filter((each) => each.valid !== true))
    advice.push(
      `${row.nodes} servers: ${row.valid === false ? "INVALID" : "unknown"}; see its folder before choosing it`,
    );
  return advice;
}

/**
 * The size to run: the smallest odd size that held everything, tolerates
 * what quorum math promises, and is what the seed guide asks for this many
 * agents (1 for development with at most 3, 3 for production, 5 or 7
 * beyond a few dozen), with the measured evidence; undefined when none did.
 */
function recommendation(rows: readonly SizeRow[], agents: number): string | undefined {
  const least = agents <= 3 ? 1 : agents <= 30 ? 3 : 5;
  const fit = rows
    .filter(
      (row) =>
        row.valid === true &&
        row.nodes % 2 === 1 &&
        row.nodes >= least &&
        row.measuredTolerance === row.promisedTolerance,
    )
    .sort((a, b) => a.nodes - b.nodes)[0];
  if (fit === undefined)
    return `recommendation: none of these sizes held everything for ${agents} agent(s) as the seed guide asks (at least ${least} servers); see each size's folder`;
  const evidence = [
    `tolerated ${fit.measuredTolerance} failure(s) as measured`,
    fit.electMs.length === 0
      ? undefined
      : `elected a leader in at most ${Math.round(fit.electMs.at(-1) as number)} ms`,
    fit.latencyP99Ms === undefined ? undefined : `p99 latency ${fit.latencyP99Ms.toFixed(1)} ms`,
  ].filter((part) => part !== undefined);
  return `recommendation: ${fit.nodes} servers for ${agents} agent(s): the seed guide asks for at least ${least} (${agents <= 3 ? "development" : agents <= 30 ? "production" : "beyond a few dozen agents"}), and ${fit.nodes} ${evidence.join(", ")}`;
}

const spread = (values: readonly number[]) =>
  values.length === 0
    ? "-"
    : `${Math.round(values[0] as number)} / ${Math.round(middle(values) as number)} / ${Math.round(values.at(-1) as number)} ms`;
const latency = (row: SizeRow) =>
  row.latencyP50Ms === undefined || row.latencyP99Ms === undefined
    ? "-"
    : `${row.latencyP50Ms.toFixed(1)} / ${row.latencyP99Ms.toFixed(1)} ms`;

/** The evidence rows every rendering of the comparison shows, label then one text per size. */
function evidenceRows(comparison: SizeComparison): [string, string[]][] {
  return [
    [
      "time to elect, tolerance matrix (min / median / max)",
      comparison.rows.map((row) => spread(row.electMs)),
    ],
    [
      "recovery after the last heal (min / median / max)",
      comparison.rows.map((row) => spread(row.recoveryMs)),
    ],
    ["latency of successes, p50 / worst p99", comparison.rows.map(latency)],
    ["the seed guide says", comparison.rows.map((row) => row.guide.join("; ") || "-")],
  ];
}

const mark = (valid: Validity) => validityWord(valid);
const ms = (value: number | undefined) => (value === undefined ? "-" : `${Math.round(value)} ms`);

/** The comparison as Markdown. */
export function comparisonMarkdown(comparison: SizeComparison): string {
  const sizes = comparison.rows.map((row) => `${row.nodes} servers`);
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [
    `# Cluster sizes compared, ${comparison.agents} agent(s): ${mark(comparison.valid)}`,
    "",
    ...comparison.advice.map((text) => `- ${text}`),
    "",
    line(["", ...sizes]),
    line(["---", ...sizes.map(() => "---")]),
    line(["verdict", ...comparison.rows.map((row) => mark(row.valid))]),
    line([
      "failures tolerated (measured / promised)",
      ...comparison.rows.map((row) => `${row.measuredTolerance} / ${row.promisedTolerance}`),
    ]),
    line(["worst recovery", ...comparison.rows.map((row) => ms(row.worstRecoveryMs))]),
    line(["operations, all scenarios", ...comparison.rows.map((row) => String(row.operations))]),
    ...evidenceRows(comparison).map(([label, cells]) => line([label, ...cells])),
    line(["report", ...comparison.rows.map((row) => `[index.html](${encodeURI(row.report)})`)]),
    ...comparison.scenarios.map((name) =>
      line([
        name,
        ...comparison.rows.map((row) => {
          const run = row.scenarios[name];
          return run === undefined ? "-" : `${mark(run.valid)}, ${run.operations} ops`;
        }),
      ]),
    ),
    "",
  ].join("\n");
}

/** The comparison as a self-contained page. */
export function comparisonHtml(comparison: SizeComparison): string {
  const cell = (text: string, valid?: Validity) =>
    `<td${valid === undefined ? "" : ` class="${valid === true ? "valid" : valid === false ? "invalid" : "unknown"}"`}>${escapeHtml(text)}</td>`;
  const row = (label: string, cells: string[]) =>
    `<tr><th>${escapeHtml(label)}</th>${cells.join("")}</tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zk-chaos: cluster sizes compared</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.valid{color:#2e9d5b;font-weight:bold}.invalid{color:#c0392b;font-weight:bold}.unknown{color:#8a6d00;font-weight:bold}</style></head><body>
<h1>Cluster sizes compared, ${comparison.agents} agent(s): ${escapeHtml(mark(comparison.valid))}</h1>
<ul>${comparison.advice.map((text) => `<li>${escapeHtml(text)}</li>`).join("")}</ul>
<table id="sizes"><tr><th></th>${comparison.rows.map((each) => `<th>${each.nodes} servers</th>`).join("")}</tr>
${row(
  "verdict",
  comparison.rows.map((each) => cell(mark(each.valid), each.valid)),
)}
${row(
  "failures tolerated (measured / promised)",
  comparison.rows.map((each) => cell(`${each.measuredTolerance} / ${each.promisedTolerance}`)),
)}
${row(
  "worst recovery",
  comparison.rows.map((each) => cell(ms(each.worstRecoveryMs))),
)}
${row(
  "operations, all scenarios",
  comparison.rows.map((each) => cell(String(each.operations))),
)}
${evidenceRows(comparison)
  .map(([label, cells]) =>
    row(
      label,
      cells.map((text) => cell(text)),
    ),
  )
  .join("\n")}
${row(
  "report",
  comparison.rows.map(
    (each) => `<td><a href="${escapeHtml(encodeURI(each.report))}">index.html</a></td>`,
  ),
)}
${comparison.scenarios
  .map((name) =>
    row(
      name,
      comparison.rows.map((each) => {
        const run = each.scenarios[name];
        return run === undefined
          ? cell("-")
          : cell(`${mark(run.valid)}, ${run.operations} ops`, run.valid);
      }),
    ),
  )
  .join("\n")}
</table>
<h2>Distributions, size by size</h2>
${distributionCharts(comparison)}
</body></html>
`;
}

/** Election, recovery and latency per size, each value drawn (a box from quartile to quartile, the median across). */
function distributionCharts(comparison: SizeComparison): string {
  const chart = (title: string, values: (row: SizeRow) => readonly number[]) =>
    stripChartSvg({
      title,
      unit: "ms",
      groups: comparison.rows.map((row) => ({
        label: `${row.nodes} servers`,
        values: values(row),
      })),
    });
  return [
    chart("time to elect a leader (tolerance matrix)", (row) => row.electMs),
    chart("recovery after the last heal (per scenario run)", (row) => row.recoveryMs),
    chart("p50 latency of successes (per scenario run)", (row) => row.runP50sMs),
    chart("p99 latency of successes (per scenario run)", (row) => row.runP99sMs),
  ].join("\n");
}

/** Writes index.md and index.html of the comparison into `dir` (made); returns it. */
export function writeComparison(dir: string, comparison: SizeComparison): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.md"), comparisonMarkdown(comparison));
  writeFileSync(join(dir, "index.html"), comparisonHtml(comparison));
  return dir;
}
