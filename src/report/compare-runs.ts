/**
 * Two runs side by side (two versions, two configurations, before and after
 * a change): their verdicts checker by checker, their availability windows,
 * and the latency distribution of each operation type, with the differences
 * said in words. Pure: the CLI reads the run folders and writes the pages.
 */

import type { AvailabilityWindow } from "../checkers/availability.js";
import { validityWord } from "../checkers/verdict.js";
import type { HistoryEvent } from "../history/event.js";
import { escapeHtml } from "./html-escape.js";
import { operationSpans } from "./operation-spans.js";
import { sortedQuantile } from "./quantile.js";
import type { ResultsFile } from "./results.js";

/** One run as the comparison reads it. */
export interface ComparedRun {
  /** How the run is named in the comparison (its folder). */
  readonly label: string;
  readonly results: ResultsFile;
  readonly events: readonly HistoryEvent[];
}

/** Latency of one operation type's successes, and its outcomes. */
export interface LatencySummary {
  readonly f: string;
  readonly ok: number;
  readonly fail: number;
  readonly unknown: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** What the comparison says of one run. */
export interface RunSide {
  readonly label: string;
  readonly title: string;
  readonly valid: ResultsFile["valid"];
  readonly verdicts: Readonly<Record<string, { valid: unknown; anomalies: number }>>;
  readonly windows: readonly AvailabilityWindow[] | undefined;
  /** Windows where a quorum was possible but clients got nothing done. */
  readonly missedWindows: number;
  readonly longestGapMs: number | undefined;
  readonly recoveryMs: number | undefined;
  readonly durationS: number;
  readonly okPerSecond: number;
  readonly latency: readonly LatencySummary[];
  /** Sorted latencies (ms) of every successful operation, for the distribution chart. */
  readonly okLatencies: readonly number[];
}

/** The comparison of two runs. */
export interface RunComparison {
  readonly a: RunSide;
  readonly b: RunSide;
  readonly checkers: readonly string[];
  readonly findings: readonly string[];
}

function side(run: ComparedRun): RunSide {
  const { results } = run;
  const spans = operationSpans(run.events);
  const byType = new Map<string, { ok: number[]; fail: number; unknown: number }>();
  for (const span of spans) {
    const entry = byType.get(span.f) ?? { ok: [], fail: 0, unknown: 0 };
    if (span.type === "ok") entry.ok.push((span.end - span.start) / 1e6);
    else if (span.type === "fail") entry.fail++;
    else entry.unknown++;
    byType.set(span.f, entry);
  }
  const latency = [...byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([f, entry]): LatencySummary => {
      const sorted = entry.ok.sort((x, y) => x - y);
      return {
        f,
        ok: sorted.length,
        fail: entry.fail,
        unknown: entry.unknown,
        p50: sortedQuantile(sorted, 0.5),
        p95: sortedQuantile(sorted, 0.95),
        p99: sortedQuantile(sorted, 0.99),
        max: sorted.at(-1) ?? Number.NaN,
      };
    });
  const okLatencies = spans
    .filter((span) => span.type === "ok")
    .map((span) => (span.end - span.start) / 1e6)
    .sort((x, y) => x - y);
  const durationS = Math.max(
    1e-9,
    run.events.reduce((latest, event) => Math.max(latest, event.time), 0) / 1e9,
  );
  const availability = results.verdicts.find((verdict) => verdict.checker === "availability");
  const windows = availability?.stats?.windows as AvailabilityWindow[] | undefined;
  return {
    label: run.label,
    title: `${results.scenario}, ZooKeeper ${results.zooKeeperVersion}, ${results.nodes} node(s), seed ${results.seed}`,
    valid: results.valid,
    verdicts: Object.fromEntries(
      results.verdicts.map((verdict) => [
        verdict.checker,
        { valid: verdict.valid, anomalies: verdict.anomalies.length },
      ]),
    ),
    windows,
    missedWindows:
      windows?.filter((window) => window.expectedAvailable && window.succeeded === 0).length ?? 0,
    longestGapMs:
      windows === undefined
        ? undefined
        : Math.max(0, ...windows.map((window) => window.longestGapMs)),
    recoveryMs: results.timings.recoveryMs,
    durationS,
    okPerSecond: okLatencies.length / durationS,
    latency,
    okLatencies,
  };
}

const ratio = (b: number, a: number) => (a > 0 ? b / a : Number.NaN);

/** The differences a person would ask about first, in words. */
function findings(a: RunSide, b: RunSide, checkers: readonly string[]): string[] {
  const said: string[] = [];
  const verdict = validityWord;
  if (a.valid !== b.valid) said.push(`verdict: ${verdict(a.valid)} in A, ${verdict(b.valid)} in B`);
  for (const checker of checkers) {
    const left = a.verdicts[checker];
    const right = b.verdicts[checker];
    if (left === undefined || right === undefined) {
      said.push(`${checker} ran only in ${left === undefined ? "B" : "A"}`);
    } else if (left.valid !== right.valid || left.anomalies !== right.anomalies) {
      said.push(
        `${checker}: ${verdict(left.valid)} with ${left.anomalies} anomalies in A, ${verdict(right.valid)} with ${right.anomalies} in B`,
      );
    }
  }
  if (a.missedWindows !== b.missedWindows)
    said.push(
      `windows where a quorum could serve but nothing succeeded: ${a.missedWindows} in A, ${b.missedWindows} in B`,
    );
  const throughput = ratio(b.okPerSecond, a.okPerSecond);
  if (Number.isFinite(throughput) && Math.abs(throughput - 1) >= 0.1)
    said.push(
      `B completed ${b.okPerSecond.toFixed(0)} operations/s, ${throughput.toFixed(2)}x A's ${a.okPerSecond.toFixed(0)}`,
    );
  for (const left of a.latency) {
    const right = b.latency.find((entry) => entry.f === left.f);
    if (right === undefined) continue;
    for (const q of ["p50", "p99"] as const) {
      const change = ratio(right[q], left[q]);
      if (Number.isFinite(change) && (change >= 1.5 || change <= 1 / 1.5))
        said.push(
          `${left.f} ${q}: ${left[q].toFixed(1)} ms in A, ${right[q].toFixed(1)} ms in B (${change.toFixed(2)}x)`,
        );
    }
  }
  if (a.recoveryMs !== undefined && b.recoveryMs !== undefined) {
    const change = ratio(b.recoveryMs, a.recoveryMs);
    if (Number.isFinite(change) && Math.abs(b.recoveryMs - a.recoveryMs) >= 500)
      said.push(
        `recovery after the last heal: ${Math.round(a.recoveryMs)} ms in A, ${Math.round(b.recoveryMs)} ms in B`,
      );
  }
  if (said.length === 0)
    said.push(
      "no difference worth noting: same verdicts, throughput and latency within 10% / 1.5x",
    );
  return said;
}

/** Compares two runs. */
export function compareRuns(first: ComparedRun, second: ComparedRun): RunComparison {
  const a = side(first);
  const b = side(second);
  const checkers = [...new Set([...Object.keys(a.verdicts), ...Object.keys(b.verdicts)])];
  return { a, b, checkers, findings: findings(a, b, checkers) };
}

const ms = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value)
    ? "-"
    : value < 10
      ? value.toFixed(2)
      : value.toFixed(0);
const mark = (valid: unknown) =>
  valid === true
    ? "✅ valid"
    : valid === false
      ? "❌ INVALID"
      : valid === undefined
        ? "-"
        : "❔ unknown";
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The comparison in Markdown (also fit for $GITHUB_STEP_SUMMARY). */
export function runComparisonMarkdown(comparison: RunComparison): string {
  const { a, b } = comparison;
  const lines = [
    "# zk-chaos: two runs compared",
    "",
    `- **A** ${cell(a.label)}: ${cell(a.title)}: ${mark(a.valid)}`,
    `- **B** ${cell(b.label)}: ${cell(b.title)}: ${mark(b.valid)}`,
    "",
    "## What differs",
    "",
    ...comparison.findings.map((line) => `- ${cell(line)}`),
    "",
    "## Verdicts",
    "",
    "| checker | A | anomalies | B | anomalies |",
    "|---|---|---|---|---|",
    ...comparison.checkers.map((checker) => {
      const left = a.verdicts[checker];
      const right = b.verdicts[checker];
      return `| ${cell(checker)} | ${mark(left?.valid)} | ${left?.anomalies ?? "-"} | ${mark(right?.valid)} | ${right?.anomalies ?? "-"} |`;
    }),
    "",
    "## Availability and recovery",
    "",
    "| | A | B |",
    "|---|---|---|",
    `| availability windows | ${a.windows?.length ?? "not checked"} | ${b.windows?.length ?? "not checked"} |`,
    `| windows a quorum could serve with no success | ${a.missedWindows} | ${b.missedWindows} |`,
    `| longest gap while a quorum was possible (ms) | ${ms(a.longestGapMs)} | ${ms(b.longestGapMs)} |`,
    `| recovery after the last heal (ms) | ${ms(a.recoveryMs)} | ${ms(b.recoveryMs)} |`,
    `| successful operations per second | ${a.okPerSecond.toFixed(0)} | ${b.okPerSecond.toFixed(0)} |`,
    "",
    "## Latency of successful operations (ms)",
    "",
    "| operation | run | ok | fail | unknown | p50 | p95 | p99 | max |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const types = [...new Set([...a.latency, ...b.latency].map((entry) => entry.f))].sort();
  for (const f of types) {
    for (const [name, run] of [
      ["A", a],
      ["B", b],
    ] as const) {
      const entry = run.latency.find((each) => each.f === f);
      if (entry === undefined) continue;
      lines.push(
        `| ${cell(f)} | ${name} | ${entry.ok} | ${entry.fail} | ${entry.unknown} | ${ms(entry.p50)} | ${ms(entry.p95)} | ${ms(entry.p99)} | ${ms(entry.max)} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

const WIDTH = 960;
const HEIGHT = 240;
const LEFT = 50;

/** Latency distributions of both runs' successes as two cumulative curves on a log axis. */
function distributionSvg(a: RunSide, b: RunSide): string {
  const top = Math.max(10, a.okLatencies.at(-1) ?? 0, b.okLatencies.at(-1) ?? 0);
  const decades = Math.ceil(Math.log10(top)) + 1;
  const x = (latency: number) =>
    (LEFT + ((Math.log10(Math.max(0.1, latency)) + 1) / decades) * (WIDTH - LEFT - 10)).toFixed(1);
  const y = (fraction: number) => (HEIGHT - 25 - fraction * (HEIGHT - 35)).toFixed(1);
  const curve = (sorted: readonly number[], color: string, name: string) => {
    // At most ~400 steps: the curve's shape, not every operation.
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points: string[] = [];
    for (let i = 0; i < sorted.length; i += step)
      points.push(`${x(sorted[i] as number)},${y((i + 1) / sorted.length)}`);
    if (sorted.length > 0) points.push(`${x(sorted.at(-1) as number)},${y(1)}`);
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(" ")}"><title>${escapeHtml(name)}</title></polyline>`;
  };
  const grid: string[] = [];
  for (let decade = -1; decade < decades - 1; decade++) {
    const value = 10 ** decade;
    grid.push(
      `<line x1="${x(value)}" x2="${x(value)}" y1="10" y2="${HEIGHT - 25}" stroke="#ddd"/><text x="${x(value)}" y="${HEIGHT - 10}" font-size="10">${value < 1 ? value : value.toLocaleString("en")} ms</text>`,
    );
  }
  for (const fraction of [0.5, 0.95, 0.99])
    grid.push(
      `<line x1="${LEFT}" x2="${WIDTH - 10}" y1="${y(fraction)}" y2="${y(fraction)}" stroke="#eee"/><text x="2" y="${Number(y(fraction)) + 3}" font-size="10">p${Math.round(fraction * 100)}</text>`,
    );
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="latency distributions">${grid.join("")}${curve(a.okLatencies, "#1f4e9c", `A: ${a.label}`)}${curve(b.okLatencies, "#e08a1e", `B: ${b.label}`)}<rect x="${LEFT + 300}" y="4" width="10" height="10" fill="#1f4e9c"/><text x="${LEFT + 314}" y="13" font-size="11">A</text><rect x="${LEFT + 340}" y="4" width="10" height="10" fill="#e08a1e"/><text x="${LEFT + 354}" y="13" font-size="11">B</text></svg>`;
}

/** The comparison as one self-contained page. */
export function runComparisonHtml(comparison: RunComparison): string {
  const { a, b } = comparison;
  const verdict = (valid: unknown) =>
    valid === true
      ? '<span class="valid">valid</span>'
      : valid === false
        ? '<span class="invalid">INVALID</span>'
        : valid === undefined
          ? "-"
          : '<span class="unknown">unknown</span>';
  const types = [...new Set([...a.latency, ...b.latency].map((entry) => entry.f))].sort();
  const latencyRows = types.flatMap((f) =>
    [
      ["A", a],
      ["B", b],
    ].flatMap(([name, run]) => {
      const entry = (run as RunSide).latency.find((each) => each.f === f);
      return entry === undefined
        ? []
        : [
            `<tr><td>${escapeHtml(f)}</td><td>${name}</td><td>${entry.ok}</td><td>${entry.fail}</td><td>${entry.unknown}</td><td>${ms(entry.p50)}</td><td>${ms(entry.p95)}</td><td>${ms(entry.p99)}</td><td>${ms(entry.max)}</td></tr>`,
          ];
    }),
  );
  const windowRows = (run: RunSide) =>
    run.windows === undefined
      ? "<p>Not checked: this run did not ask for the availability checker.</p>"
      : `<table><tr><th>from (s)</th><th>to (s)</th><th>down</th><th>quorum possible</th><th>ops ok / sent</th><th>longest gap (ms)</th></tr>${run.windows
          .map(
            (w) =>
              `<tr><td>${(w.startMs / 1000).toFixed(1)}</td><td>${(w.endMs / 1000).toFixed(1)}</td><td>${escapeHtml(w.down.join(",") || "-")}</td><td class="${w.expectedAvailable ? "valid" : "invalid"}">${w.expectedAvailable ? "yes" : "no"}</td><td>${w.succeeded} / ${w.operations}</td><td>${Math.round(w.longestGapMs)}</td></tr>`,
          )
          .join("")}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zk-chaos: two runs compared</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.valid{color:#2e9d5b;font-weight:bold}.invalid{color:#c0392b;font-weight:bold}.unknown{color:#8a6d00;font-weight:bold}.chart{display:block;border:1px solid #eee;margin:6px 0}.sides{display:flex;gap:16px}.sides>div{flex:1}</style></head><body>
<h1>Two runs compared</h1>
<ul id="runs"><li><b>A</b> ${escapeHtml(a.label)}: ${escapeHtml(a.title)}: ${verdict(a.valid)}</li><li><b>B</b> ${escapeHtml(b.label)}: ${escapeHtml(b.title)}: ${verdict(b.valid)}</li></ul>
<h2>What differs</h2>
<ul id="findings">${comparison.findings.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
<h2>Verdicts</h2>
<table id="verdicts"><tr><th>checker</th><th>A</th><th>anomalies</th><th>B</th><th>anomalies</th></tr>${comparison.checkers
    .map((checker) => {
      const left = a.verdicts[checker];
      const right = b.verdicts[checker];
      return `<tr><td>${escapeHtml(checker)}</td><td>${verdict(left?.valid)}</td><td>${left?.anomalies ?? "-"}</td><td>${verdict(right?.valid)}</td><td>${right?.anomalies ?? "-"}</td></tr>`;
    })
    .join("")}</table>
<h2>Latency of successful operations</h2>
<div id="distribution">${distributionSvg(a, b)}</div>
<table id="latency"><tr><th>operation</th><th>run</th><th>ok</th><th>fail</th><th>unknown</th><th>p50 (ms)</th><th>p95</th><th>p99</th><th>max</th></tr>${latencyRows.join("")}</table>
<h2>Availability windows</h2>
<p>Successful operations per second: A ${a.okPerSecond.toFixed(0)}, B ${b.okPerSecond.toFixed(0)}. Recovery after the last heal: A ${ms(a.recoveryMs)} ms, B ${ms(b.recoveryMs)} ms.</p>
<div class="sides" id="availability"><div><h3>A</h3>${windowRows(a)}</div><div><h3>B</h3>${windowRows(b)}</div></div>
</body></html>
`;
}
