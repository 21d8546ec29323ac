/**
 * The store's pages: the trend page (the served one and the self-contained
 * trend file are the same markup), the list of runs with its filters, and
 * a folder's listing. Every string from results.json is escaped.
 */
import { validityWord } from "../checkers/verdict.js";
import { escapeHtml } from "../report/html-escape.js";
import {
  type FlakyScenario,
  flakyScenarios,
  type GroupedFinding,
  groupedFindings,
} from "./flakes.js";
import type { RunRecord } from "./run-record.js";
import { REGRESSION_RULE, type Regression, regressions, trendSeries } from "./trend.js";
import { formatFigure, trendChart } from "./trend-chart.js";
import { TREND_FIGURES } from "./trend-figures.js";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}h3{font-size:15px;margin:18px 0 4px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.valid{color:#2e9d5b;font-weight:bold}.invalid{color:#c0392b;font-weight:bold}.unknown{color:#8a6d00;font-weight:bold}
.hint{color:#666;font-size:12px}.charts{display:flex;flex-wrap:wrap;gap:6px}
svg.trend{border:1px solid #eee}svg .line{fill:none;stroke:#1f4e9c;stroke-width:1.5}svg circle{fill:#1f4e9c}svg circle.regressed{fill:#c0392b;r:5}td{white-space:nowrap}
svg .axis{stroke:#999}svg .label{font-size:11px;fill:#333}svg .tick{font-size:9px;fill:#666}
.regressed{background:#fdf3f2}.new{color:#c0392b;font-weight:bold}form.filters label{margin-right:10px}
nav a{margin-right:14px}`;

/** A whole page around a body; no outside resources. */
export function storePage(title: string, body: string, nav = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head><body>
${nav}<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function verdictCell(valid: RunRecord["valid"]): string {
  const word = validityWord(valid);
  const css = valid === true ? "valid" : valid === false ? "invalid" : "unknown";
  return `<td class="${css}">${escapeHtml(word)}</td>`;
}

/** Everything the trend page says, computed once so the text and the exit code agree. */
export interface TrendAnalysis {
  readonly runs: readonly RunRecord[];
  readonly baselineRuns: number | undefined;
  readonly regressions: readonly Regression[];
  readonly flaky: readonly FlakyScenario[];
  readonly findings: readonly GroupedFinding[];
}

/** The trends, regressions, flakes and findings of a store (against a baseline store when given). */
export function analyseTrend(
  runs: readonly RunRecord[],
  baseline?: readonly RunRecord[],
): TrendAnalysis {
  return {
    runs,
    baselineRuns: baseline?.length,
    regressions: regressions(runs, baseline),
    flaky: flakyScenarios(runs),
    findings: groupedFindings(runs, baseline),
  };
}

function seriesSection(
  series: ReturnType<typeof trendSeries>[number],
  regressed: ReadonlySet<string>,
): string {
  const id = `${series.scenario} · ${series.nodes} node(s)`;
  const header = TREND_FIGURES.map((figure) => `<th>${escapeHtml(figure.label)}</th>`).join("");
  const rows = series.points
    .map(
      (point) =>
        `<tr><td>${escapeHtml(point.night)}</td><td>${point.runs}</td><td>${escapeHtml(point.versions.join(", "))}</td>${TREND_FIGURES.map(
          (figure) => {
            const value = point.values[figure.key];
            const mark = regressed.has(`${figure.key}\u0000${point.night}`)
              ? ' class="regressed"'
              : "";
            return `<td${mark} data-figure="${figure.key}"${value === undefined ? "" : ` data-value="${value}"`}>${escapeHtml(formatFigure(figure, value))}</td>`;
          },
        ).join("")}</tr>`,
    )
    .join("\n");
  return `<section class="series" data-scenario="${escapeHtml(series.scenario)}" data-nodes="${series.nodes}">
<h3>${escapeHtml(id)}</h3>
<div class="charts">${TREND_FIGURES.map((figure) =>
    trendChart(
      figure,
      series.points,
      new Set(
        series.points
          .filter((point) => regressed.has(`${figure.key}\u0000${point.night}`))
          .map((point) => point.night),
      ),
    ),
  ).join("\n")}</div>
<table class="nights"><tr><th>night</th><th>runs</th><th>ZooKeeper</th>${header}</tr>
${rows}
</table></section>`;
}

/** The trend page: a summary, regressions, findings, flakes and one section per scenario and size. */
export function trendPage(analysis: TrendAnalysis, title = "zk-chaos trends", nav = ""): string {
  const series = trendSeries(analysis.runs);
  const nights = new Set(analysis.runs.map((run) => run.night));
  const newFindings = analysis.findings.filter((finding) => finding.isNew);
  const regressedBySeries = new Map<string, Set<string>>();
  for (const regression of analysis.regressions) {
    const key = `${regression.scenario}\u0000${regression.nodes}`;
    const set = regressedBySeries.get(key) ?? new Set<string>();
    set.add(`${regression.figure}\u0000${regression.night}`);
    regressedBySeries.set(key, set);
  }
  const figureOf = (key: string) =>
    TREND_FIGURES.find((figure) => figure.key === key) ?? TREND_FIGURES[0];
  const body = `<p id="summary">${analysis.runs.length} run(s) over ${nights.size} night(s), ${series.length} scenario/size series; baseline: ${analysis.baselineRuns === undefined ? "this store's earlier nights" : `another store (${analysis.baselineRuns} run(s))`}. <span id="regression-count">${analysis.regressions.length}</span> regression(s), <span id="new-finding-count">${newFindings.length}</span> new finding(s), <span id="flaky-count">${analysis.flaky.length}</span> flaky scenario(s).</p>
<h2>Regressions</h2>
<p class="hint">Rule: ${escapeHtml(REGRESSION_RULE)}.</p>
${
  analysis.regressions.length === 0
    ? "<p>None.</p>"
    : `<table id="regressions"><tr><th>scenario</th><th>nodes</th><th>figure</th><th>night</th><th>value</th><th>baseline best..worst</th><th>limit</th></tr>
${analysis.regressions
  .map((r) => {
    const figure = figureOf(r.figure) as (typeof TREND_FIGURES)[number];
    return `<tr class="regressed"><td>${escapeHtml(r.scenario)}</td><td>${r.nodes}</td><td>${escapeHtml(figure.label)}</td><td>${escapeHtml(r.night)}</td><td>${escapeHtml(formatFigure(figure, r.value))}</td><td>${escapeHtml(`${formatFigure(figure, r.baselineBest)} .. ${formatFigure(figure, r.baselineWorst)} (${r.baselineNights} nights)`)}</td><td>${escapeHtml(formatFigure(figure, r.limit))}</td></tr>`;
  })
  .join("\n")}</table>`
}
<h2>Findings</h2>
${
  analysis.findings.length === 0
    ? "<p>No anomaly in any run.</p>"
    : `<table id="findings"><tr><th></th><th>checker</th><th>kind</th><th>cause</th><th>first seen</th><th>last seen</th><th>nights</th><th>occurrences</th><th>scenarios</th><th>ZooKeeper</th></tr>
${analysis.findings
  .map(
    (f) =>
      `<tr><td>${f.isNew ? '<span class="new">new</span>' : ""}</td><td>${escapeHtml(f.checker)}</td><td>${escapeHtml(f.kind)}</td><td>${escapeHtml(f.cause)}</td><td>${escapeHtml(f.firstSeen)}</td><td>${escapeHtml(f.lastSeen)}</td><td>${f.nights}</td><td>${f.occurrences}</td><td>${escapeHtml(f.scenarios.join(", "))}</td><td>${escapeHtml(f.versions.join(", "))}</td></tr>`,
  )
  .join("\n")}</table>`
}
<h2>Flaky scenarios</h2>
<p class="hint">A scenario is flaky when runs of the same commit, seed, size and ZooKeeper version disagree on the verdict.</p>
${
  analysis.flaky.length === 0
    ? "<p>None.</p>"
    : `<table id="flaky"><tr><th>scenario</th><th>nodes</th><th>seed</th><th>ZooKeeper</th><th>commit</th><th>valid</th><th>invalid</th><th>runs</th></tr>
${analysis.flaky
  .map(
    (f) =>
      `<tr><td>${escapeHtml(f.scenario)}</td><td>${f.nodes}</td><td>${f.seed}</td><td>${escapeHtml(f.zooKeeperVersion)}</td><td>${escapeHtml(f.commit ?? "-")}</td><td>${f.valid}</td><td>${f.invalid}</td><td>${escapeHtml(f.runs.join(", "))}</td></tr>`,
  )
  .join("\n")}</table>`
}
<h2>Trends per scenario and size</h2>
<p class="hint">Each night's value is the median of that night's runs. Election: the longest time from a change of connectivity (a quorum still possible) to the first success.</p>
${series.map((s) => seriesSection(s, regressedBySeries.get(`${s.scenario}\u0000${s.nodes}`) ?? new Set())).join("\n")}`;
  return storePage(title, body, nav);
}

/** The filters of the runs list, as the query string carries them. */
export const RUN_FILTERS = ["scenario", "nodes", "version", "verdict", "night", "commit"] as const;
/** Chosen filter values, by name. */
export type RunFilters = Partial<Record<(typeof RUN_FILTERS)[number], string>>;

const FILTER_VALUE: Readonly<Record<(typeof RUN_FILTERS)[number], (run: RunRecord) => string>> = {
  scenario: (run) => run.scenario,
  nodes: (run) => String(run.nodes),
  version: (run) => run.zooKeeperVersion,
  verdict: (run) => validityWord(run.valid).toLowerCase(),
  night: (run) => run.night,
  commit: (run) => run.commit ?? "",
};

/** The runs that match every chosen filter. */
export function filterRuns(runs: readonly RunRecord[], filters: RunFilters): RunRecord[] {
  return runs.filter((run) =>
    RUN_FILTERS.every((name) => {
      const wanted = filters[name];
      return wanted === undefined || wanted === "" || FILTER_VALUE[name](run) === wanted;
    }),
  );
}

/** The list of runs, newest first, with a filter form; `href` is where a run's folder is served. */
export function runsPage(
  runs: readonly RunRecord[],
  filters: RunFilters,
  options: { href: (path: string) => string; nav?: string; skipped?: number },
): string {
  const form = RUN_FILTERS.map((name) => {
    const values = [...new Set(runs.map(FILTER_VALUE[name]))].filter((v) => v !== "").sort();
    const choices = values
      .map(
        (value) =>
          `<option${filters[name] === value ? " selected" : ""}>${escapeHtml(value)}</option>`,
      )
      .join("");
    return `<label>${name} <select name="${name}"><option value="">any</option>${choices}</select></label>`;
  }).join("");
  const shown = filterRuns(runs, filters).reverse();
  const rows = shown
    .map(
      (run) =>
        `<tr data-path="${escapeHtml(run.path)}"><td>${escapeHtml(run.startedAt.replace("T", " ").slice(0, 19))}</td><td>${escapeHtml(run.scenario)}</td><td>${run.nodes}</td><td>${escapeHtml(run.zooKeeperVersion)}</td><td>${run.seed}</td>${verdictCell(run.valid)}<td>${run.figures.anomalies}</td><td>${escapeHtml((run.commit ?? "-").slice(0, 12))}</td><td><a href="${escapeHtml(options.href(run.path))}report.html">report</a> · <a href="${escapeHtml(options.href(run.path))}">files</a></td></tr>`,
    )
    .join("\n");
  const body = `<form class="filters" method="get" action="">${form}<button type="submit">filter</button></form>
<p id="shown">${shown.length} of ${runs.length} run(s)${options.skipped ? `; ${options.skipped} folder(s) skipped (see the index)` : ""}.</p>
<table id="runs"><tr><th>started (UTC)</th><th>scenario</th><th>nodes</th><th>ZooKeeper</th><th>seed</th><th>verdict</th><th>anomalies</th><th>commit</th><th></th></tr>
${rows}
</table>`;
  return storePage("zk-chaos runs", body, options.nav ?? "");
}

/** A folder's listing: its subfolders and files, each a link. */
export function folderPage(
  path: string,
  entries: readonly { name: string; folder: boolean }[],
  nav = "",
): string {
  const items = entries
    .map(
      (entry) =>
        `<li><a href="${escapeHtml(encodeURIComponent(entry.name))}${entry.folder ? "/" : ""}">${escapeHtml(entry.name)}${entry.folder ? "/" : ""}</a></li>`,
    )
    .join("\n");
  return storePage(`/${path}`, `<p><a href="../">..</a></p><ul id="entries">${items}</ul>`, nav);
}
