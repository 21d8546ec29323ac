import type { AvailabilityWindow } from "../checkers/availability.js";
import { validityWord } from "../checkers/verdict.js";
import type { HistoryEvent } from "../history/event.js";
import { WIRE_PROCESS } from "../history/wire.js";
import { causeHeading, groupAnomaliesByCause, shownAnomalies } from "./anomaly-groups.js";
import { DETAIL_SCRIPT, eventDataScript } from "./event-detail.js";
import { escapeHtml } from "./html-escape.js";
import { type FaultWindow, type LatencyPoint, latencySvg } from "./latency-chart.js";
import { operationSpans } from "./operation-spans.js";
import type { ResultsFile } from "./results.js";
import { serverLanesSvg } from "./server-lanes.js";
import { momentsAround } from "./server-moments.js";
import { recoveryText } from "./tolerance-text.js";
import { watchMeasurements, watchSection } from "./watch-measurements.js";
import { type WireWindow, wireDiagramHtml } from "./wire-diagram.js";

const COLORS = { ok: "#2e9d5b", fail: "#e08a1e", info: "#8a8a8a" } as const;
const WIDTH = 960;

type Span = LatencyPoint;

function faultWindows(events: readonly HistoryEvent[], end: number): FaultWindow[] {
  const started = new Map<string, { start: number; label: string }>();
  const windows: { start: number; end: number; label: string }[] = [];
  for (const event of events) {
    if (event.process !== "nemesis" || event.type !== "info") continue;
    const value = event.value as { id?: string; kind?: string };
    if (event.f === "heal" && value.id && started.has(value.id)) {
      const open = started.get(value.id) as { start: number; label: string };
      windows.push({ ...open, end: event.time });
      started.delete(value.id);
    } else if (!["heal", "heal-all", "connectivity"].includes(event.f) && value.id) {
      started.set(value.id, { start: event.time, label: `${value.id} ${event.f}` });
    }
  }
  for (const open of started.values()) windows.push({ ...open, end });
  return windows;
}

function timelineSvg(all: readonly Span[], faults: readonly FaultWindow[], end: number): string {
  const processes = [...new Set(all.map((span) => span.process))].sort((a, b) => a - b);
  const row = Math.max(4, Math.min(14, Math.floor(320 / Math.max(1, processes.length))));
  const height = processes.length * row + 30;
  const x = (time: number) => ((time / Math.max(1, end)) * (WIDTH - 60) + 50).toFixed(1);
  const step = Math.max(1, Math.ceil(all.length / 6_000));
  const parts = [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="operations per worker over time">`,
  ];
  for (const fault of faults) {
    parts.push(
      `<rect class="fault" x="${x(fault.start)}" y="0" width="${Math.max(1, Number(x(fault.end)) - Number(x(fault.start))).toFixed(1)}" height="${height - 20}"><title>${escapeHtml(fault.label)}</title></rect>`,
    );
  }
  processes.forEach((process, index) => {
    parts.push(
      `<text x="2" y="${index * row + row - 2}" font-size="${Math.min(10, row)}">${process}</text>`,
    );
  });
  for (let i = 0; i < all.length; i += step) {
    const span = all[i] as Span;
    const y = processes.indexOf(span.process) * row;
    const w = Math.max(1, Number(x(span.end)) - Number(x(span.start)));
    parts.push(
      `<rect x="${x(span.start)}" y="${y + 1}" width="${w.toFixed(1)}" height="${row - 2}" fill="${COLORS[span.type]}"/>`,
    );
  }
  parts.push(
    `<text x="50" y="${height - 5}" font-size="10">0 s</text><text x="${WIDTH - 60}" y="${height - 5}" font-size="10">${(end / 1e9).toFixed(1)} s</text></svg>`,
  );
  return parts.join("");
}

const SERIES_COLORS = ["#2e6fd0", "#2e9d5b", "#e08a1e", "#7b3fb5", "#c0392b", "#16a085", "#8a6d00"];

/** Per-second series on one chart (the first is the total), faults shaded, a legend of their names. */
function seriesSvg(
  label: string,
  series: readonly { readonly name: string; readonly values: readonly number[] }[],
  unit: string,
  faults: readonly FaultWindow[] = [],
): string {
  const height = 140;
  const length = Math.max(1, ...series.map((each) => each.values.length));
  const max = Math.max(1, ...series.flatMap((each) => each.values));
  const x = (index: number) => (50 + (index / Math.max(1, length - 1)) * (WIDTH - 60)).toFixed(1);
  const y = (value: number) => (height - 40 - (value / max) * (height - 50)).toFixed(1);
  // Values are per second: a fault's times in seconds are positions on the same axis.
  const shading = faults
    .map(
      (fault) =>
        `<rect class="fault" x="${x(fault.start / 1e9)}" y="0" width="${Math.max(1, Number(x(fault.end / 1e9)) - Number(x(fault.start / 1e9))).toFixed(1)}" height="${height - 40}"><title>${escapeHtml(fault.label)}</title></rect>`,
    )
    .join("");
  const lines = series
    .map((each, index) => {
      const color = SERIES_COLORS[index % SERIES_COLORS.length] as string;
      const points = each.values.map((value, second) => `${x(second)},${y(value)}`).join(" ");
      return `<polyline fill="none" stroke="${color}" stroke-width="${index === 0 ? 2 : 1.2}" points="${points}"><title>${escapeHtml(each.name)}</title></polyline><rect x="${50 + index * 110}" y="${height - 14}" width="10" height="10" fill="${color}"/><text x="${64 + index * 110}" y="${height - 5}" font-size="10">${escapeHtml(each.name)}</text>`;
    })
    .join("");
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(label)}">${shading}${lines}<text x="2" y="12" font-size="10">${max.toFixed(max < 10 ? 1 : 0)} ${escapeHtml(unit)}</text><text x="2" y="${height - 42}" font-size="10">0</text><text x="50" y="${height - 22}" font-size="10">${escapeHtml(label)}, per second</text></svg>`;
}

/** Where the wire diagrams look: the first proof event of each cause of anomalies, then each fault's start. */
function wireWindows(
  result: ResultsFile,
  events: readonly HistoryEvent[],
  faults: readonly FaultWindow[],
): WireWindow[] {
  const byIndex = new Map(events.map((event) => [event.index, event]));
  const causes = groupAnomaliesByCause(result.verdicts)
    .slice(0, 4)
    .flatMap((group) => {
      const proof = [...(group.cause?.events ?? []), ...group.anomalies.flatMap((a) => a.events)]
        .map((index) => byIndex.get(index))
        .filter((event) => event !== undefined);
      // Messages a proof names are where the wire tells most; else its first event.
      const onWire = proof.filter((event) => event.process === WIRE_PROCESS);
      const times = (onWire.length > 0 ? onWire : proof).map((event) => event.time);
      return times.length === 0
        ? []
        : [{ centre: Math.min(...times), label: `anomaly: ${causeHeading(group)}` }];
    });
  const starts = faults.slice(0, 8).map((fault) => ({
    centre: fault.start,
    label: `fault ${fault.label} at ${(fault.start / 1e9).toFixed(2)} s`,
  }));
  return [...causes, ...starts];
}

/** The HTML report of one run: self-contained (inline CSS and SVG), opens offline. */
export function htmlReport(result: ResultsFile, events: readonly HistoryEvent[]): string {
  const end = events.reduce((latest, event) => Math.max(latest, event.time), 1);
  const all = operationSpans(events);
  const seconds = Math.max(1, Math.ceil(end / 1e9));
  const throughput = new Array<number>(seconds).fill(0);
  for (const span of all) {
    const second = Math.min(seconds - 1, Math.floor(span.end / 1e9));
    if (span.type === "ok") throughput[second] = (throughput[second] ?? 0) + 1;
  }
  const faults = faultWindows(events, end);
  const proofEvents = new Set(
    result.verdicts.flatMap((verdict) => verdict.anomalies.flatMap((anomaly) => anomaly.events)),
  );
  const byType = new Map<string, number[]>();
  for (const span of all) {
    if (span.type !== "ok") continue;
    const series = byType.get(span.f) ?? new Array<number>(seconds).fill(0);
    const second = Math.min(seconds - 1, Math.floor(span.end / 1e9));
    series[second] = (series[second] ?? 0) + 1;
    byType.set(span.f, series);
  }
  const availability = result.verdicts.find((verdict) => verdict.checker === "availability");
  const windows = (availability?.stats?.windows ?? []) as AvailabilityWindow[];
  const byIndex = new Map(events.map((event) => [event.index, event]));
  const verdictClass = (valid: unknown) =>
    valid === true ? "valid" : valid === false ? "invalid" : "unknown";
  const eventsText = (indexes: readonly number[]) =>
    escapeHtml(
      indexes
        .slice(0, 12)
        .map((index) => JSON.stringify(byIndex.get(index) ?? { index }))
        .join("\n"),
    );
  const anomalies = groupAnomaliesByCause(result.verdicts).map((group) => {
    const shown = shownAnomalies(group, 50).shown;
    const moments = momentsAround(events, [
      ...(group.cause?.events ?? []),
      ...shown.flatMap((anomaly) => anomaly.events),
    ]);
    return `<section class="cause"><h3>${escapeHtml(causeHeading(group))}</h3>${
      group.cause === undefined ? "" : `<pre>${eventsText(group.cause.events)}</pre>`
    }${
      moments.length === 0
        ? ""
        : `<details class="moments" open><summary>Server log lines up to these anomalies (${moments.length})</summary><pre>${escapeHtml(moments.join("\n"))}</pre></details>`
    }${shown
      .map(
        (anomaly) =>
          `<div class="anomaly" data-proof="${anomaly.events.filter(Number.isInteger).join(",")}"><h4>${escapeHtml(anomaly.kind)} <small>${escapeHtml(anomaly.checker)}</small></h4><p>${escapeHtml(anomaly.message)}</p><pre>${eventsText(anomaly.events)}</pre></div>`,
      )
      .join("\n")}</section>`;
  });
  const latency = latencySvg(all, faults, end, proofEvents);
  const wire = wireDiagramHtml(events, wireWindows(result, events, faults));
  const watches = watchMeasurements(events, faults);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zk-chaos: ${escapeHtml(result.scenario)} on ${escapeHtml(String(result.nodes))} node(s)</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.valid{color:#2e9d5b;font-weight:bold}.invalid{color:#c0392b;font-weight:bold}.unknown{color:#8a6d00;font-weight:bold}
.fault{fill:#c0392b;opacity:.12}.chart{display:block;border:1px solid #eee;margin:6px 0}
.anomaly{border-left:4px solid #c0392b;padding:4px 12px;margin:10px 0;background:#fdf3f2}
pre{white-space:pre-wrap;font-size:12px;background:#f6f6f6;padding:6px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
#event-detail{position:fixed;right:12px;bottom:12px;width:360px;max-height:45vh;overflow:auto;margin:0;border:1px solid #999;background:#fffff4;box-shadow:0 2px 8px #0003}
#event-detail.pinned{border:2px solid #1f4e9c}.hint{color:#666;font-size:12px}
circle.proof.lit{stroke-width:4;stroke:#ff2d00}.moments summary{cursor:pointer;color:#444}
</style></head><body>
<h1>zk-chaos: ${escapeHtml(result.scenario)} on ${escapeHtml(String(result.nodes))} node(s) — <span id="verdict" class="${verdictClass(result.valid)}">${validityWord(result.valid)}</span></h1>
<p>${escapeHtml(result.description)}</p>
<p>seed ${escapeHtml(String(result.seed))} · ZooKeeper ${escapeHtml(result.zooKeeperVersion)} · ${escapeHtml(String(result.operations))} operations · ${escapeHtml(String(result.events))} events · replay: <code>${escapeHtml(result.replay)}</code></p>
<h2>Verdicts</h2>
<table id="verdicts"><tr><th>checker</th><th>guarantee</th><th>verdict</th><th>anomalies</th></tr>
${result.verdicts.map((v) => `<tr><td>${escapeHtml(v.checker)}</td><td>${escapeHtml(v.guarantee)}</td><td class="${verdictClass(v.valid)}">${String(v.valid)}</td><td>${escapeHtml(String(v.anomalies.length))}</td></tr>`).join("\n")}
</table>
<h2>Servers over time</h2>
<div id="server-lanes">${serverLanesSvg(events, end) || "<p>No server log lines or connectivity in this history.</p>"}</div>
<h2>Operations per worker over time</h2>
<p class="legend"><span style="background:${COLORS.ok}"></span>ok<span style="background:${COLORS.fail}"></span>fail<span style="background:${COLORS.info}"></span>info (unknown)<span style="background:#c0392b;opacity:.3"></span>fault in force</p>
<div id="timeline">${timelineSvg(all, faults, end)}</div>
<h2>Throughput and latency</h2>
<div id="throughput">${seriesSvg("successful operations", [{ name: "all", values: throughput }, ...[...byType].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }))], "ops", faults)}</div>
<p class="types" id="latency-types">Latency of: <button type="button" data-show="">all</button>${latency.types.map((f, index) => ` <button type="button" data-show="${index}">${escapeHtml(f)}</button>`).join("")}</p>
<div id="latency">${latency.svg}</div>
<p class="hint">Hover a point for its events; click to pin them.</p>
<h2>Availability: expected (quorum math) vs observed</h2>
${
  availability === undefined
    ? '<p id="availability">Not checked: this scenario does not ask for the availability checker.</p>'
    : `<table id="availability"><tr><th>from (s)</th><th>to (s)</th><th>down</th><th>cut links</th><th>quorum possible</th><th>must serve</th><th>ops ok / sent</th><th>first success (ms)</th><th>longest gap (ms)</th></tr>
${windows.map((w) => `<tr><td>${(w.startMs / 1000).toFixed(1)}</td><td>${(w.endMs / 1000).toFixed(1)}</td><td>${w.down.join(",") || "-"}</td><td>${w.blocked}</td><td class="${w.expectedAvailable ? "valid" : "invalid"}">${w.expectedAvailable ? "yes" : "no"}</td><td>${w.mustServe.join(",") || "-"}</td><td>${w.succeeded} / ${w.operations}</td><td>${w.firstSuccessMs === undefined ? "-" : Math.round(w.firstSuccessMs)}</td><td>${Math.round(w.longestGapMs)}</td></tr>`).join("\n")}
</table>`
}
${watches === undefined ? "" : watchSection(watches, end, WIDTH)}
${wire === "" ? "" : `<h2>The wire around each anomaly and fault</h2>\n<p class="hint">Time flows down; hover an arrow for the message. PINGs left out; a dashed arrow is one a message fault or wire trigger took.</p>\n<div id="wire">${wire}</div>`}
<h2>Anomalies</h2>
<div id="anomalies">${anomalies.length === 0 ? "<p>None.</p>" : anomalies.join("\n")}</div>
<pre id="event-detail" hidden></pre>
${eventDataScript(events, latency.named)}
${DETAIL_SCRIPT}
</body></html>
`;
}

/** The tolerance matrix and the runs of a validation, as one self-contained page. */
export function validationHtml(input: {
  readonly nodes: number;
  readonly agents: number;
  readonly valid: unknown;
  readonly measuredTolerance: number;
  readonly promisedTolerance: number;
  readonly worstRecoveryMs: number | undefined;
  readonly advice: readonly string[];
  readonly cells: readonly {
    variant: string;
    failed: number;
    expectedAvailable: boolean;
    observedAvailable: boolean;
    electMs: number | undefined;
    recoverMs: number | undefined;
    selfHealMs?: number | undefined;
  }[];
  readonly runs: readonly {
    scenario: string;
    valid: unknown;
    operations: number;
    folder: string;
  }[];
}): string {
  const verdict = (valid: unknown) =>
    valid === true
      ? '<span class="valid">valid</span>'
      : valid === false
        ? '<span class="invalid">INVALID</span>'
        : '<span class="unknown">unknown</span>';
  const ms = (value: number | undefined) => (value === undefined ? "-" : String(Math.round(value)));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zk-chaos: validation of ${input.nodes} server(s)</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}.valid{color:#2e9d5b;font-weight:bold}.invalid{color:#c0392b;font-weight:bold}.unknown{color:#8a6d00;font-weight:bold}.mismatch{background:#fdf3f2}</style></head><body>
<h1>Validation of ${input.nodes} server(s) with ${input.agents} agent(s): ${verdict(input.valid)}</h1>
<p>Tolerates <b>${input.measuredTolerance}</b> failure(s) as measured; quorum math promises ${input.promisedTolerance}. Worst recovery: ${ms(input.worstRecoveryMs)} ms.</p>
<ul>${input.advice.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>
<h2>Tolerance matrix</h2>
<table id="tolerance-matrix"><tr><th>failure</th><th>servers failed</th><th>expected (quorum math)</th><th>observed</th><th>time to elect (ms)</th><th>time to recover (ms)</th></tr>
${input.cells.map((cell) => `<tr class="${cell.expectedAvailable === cell.observedAvailable ? "" : "mismatch"}"><td>${escapeHtml(cell.variant)}</td><td>${cell.failed}</td><td>${cell.expectedAvailable ? "available" : "unavailable"}</td><td>${cell.observedAvailable ? "available" : "unavailable"}</td><td>${ms(cell.electMs)}</td><td>${escapeHtml(recoveryText(cell))}</td></tr>`).join("\n")}
</table>
<h2>Scenarios</h2>
<table id="runs"><tr><th>scenario</th><th>verdict</th><th>operations</th><th>report</th></tr>
${input.runs.map((run) => `<tr><td>${escapeHtml(run.scenario)}</td><td>${verdict(run.valid)}</td><td>${run.operations}</td><td><a href="${escapeHtml(run.folder)}/report.html">report.html</a></td></tr>`).join("\n")}
</table></body></html>
`;
}
