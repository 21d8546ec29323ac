import { compareZxid } from "../checkers/zookeeper/watch-changes.js";
import { checkWatches } from "../checkers/zookeeper/watch-checks.js";
import { type HistoryEvent, parseZxid, type Zxid } from "../history/event.js";
import { escapeHtml } from "./html-escape.js";
import type { FaultWindow } from "./latency-chart.js";
import { sortedQuantile } from "./quantile.js";

/** Notification delays of the changes acknowledged in one stretch of the run. */
export interface DelayRow {
  readonly label: string;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** How far behind ZooKeeper one watching agent's cache ran. */
export interface StalenessRow {
  readonly agent: number;
  readonly root: string;
  /** Creations and changes of its subtree the cache came to show. */
  readonly reflected: number;
  /** Those it never showed (superseded by a delete, or missed). */
  readonly unreflected: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** (acknowledged at s, lag ms) per change, for the chart. */
  readonly points: readonly (readonly [number, number])[];
}

/** What the report shows of the watching agents. */
export interface WatchMeasurements {
  readonly delays: readonly DelayRow[];
  readonly staleness: readonly StalenessRow[];
}

const ms = (ns: number) => ns / 1e6;

function row(label: string, values: number[]): DelayRow {
  values.sort((a, b) => a - b);
  return {
    label,
    count: values.length,
    p50Ms: sortedQuantile(values, 0.5),
    p99Ms: sortedQuantile(values, 0.99),
    maxMs: values.at(-1) ?? 0,
  };
}

/**
 * Notification delay (from the write's acknowledgement to the event; below 0
 * when the watcher heard first) per fault window and outside them, and each
 * agent's cache staleness: from a change's acknowledgement until its cache
 * showed that version or a later one.
 */
export function watchMeasurements(
  events: readonly HistoryEvent[],
  faults: readonly FaultWindow[],
): WatchMeasurements | undefined {
  const ends = events.filter((event) => event.f === "watch-end");
  if (ends.length === 0) return undefined;
  const { triggered, changes: index } = checkWatches(events);
  const byWindow = new Map<string, number[]>();
  for (const each of triggered) {
    const window = faults.find((fault) => each.ackTime >= fault.start && each.ackTime <= fault.end);
    const label = window?.label ?? "no fault in force";
    const list = byWindow.get(label) ?? [];
    list.push(ms(each.time - each.ackTime));
    byWindow.set(label, list);
  }
  const delays = [...byWindow].map(([label, values]) => row(label, values));
  const cacheByAgent = new Map<string, Map<string, { time: number; mzxid: Zxid }[]>>();
  for (const event of events) {
    if (event.f !== "cache" || typeof event.process !== "string") continue;
    const value = event.value as { path: string; mzxid?: string };
    if (value.mzxid === undefined) continue;
    const paths = cacheByAgent.get(event.process) ?? new Map();
    cacheByAgent.set(event.process, paths);
    const list = paths.get(value.path) ?? [];
    list.push({ time: event.time, mzxid: parseZxid(value.mzxid) });
    paths.set(value.path, list);
  }
  const staleness = ends.map((end): StalenessRow => {
    const root = (end.value as { root: string }).root;
    const cache = cacheByAgent.get(String(end.process)) ?? new Map();
    const lags: number[] = [];
    const points: [number, number][] = [];
    let unreflected = 0;
    for (const [key, changes] of index.known) {
      if (!key.startsWith("data|")) continue;
      const path = key.slice(5);
      if (!path.startsWith(`${root}/`)) continue;
      const seen = (cache.get(path) ?? []) as { time: number; mzxid: Zxid }[];
      for (const change of changes) {
        if (change.kind === "deleted") continue;
        const ack = events[change.event]?.time ?? 0;
        const shown = seen.find((update) => compareZxid(update.mzxid, change.zxid) >= 0);
        if (shown === undefined) {
          unreflected++;
          continue;
        }
        const lag = Math.max(0, ms(shown.time - ack));
        lags.push(lag);
        points.push([ack / 1e9, lag]);
      }
    }
    const summary = row("", lags);
    return {
      agent: Number(String(end.process).slice(8)),
      root,
      reflected: lags.length,
      unreflected,
      p50Ms: summary.p50Ms,
      p99Ms: summary.p99Ms,
      maxMs: summary.maxMs,
      points,
    };
  });
  return { delays, staleness };
}

const fixed = (value: number) => (Number.isNaN(value) ? "-" : value.toFixed(1));

/** The report's watch section: delay per fault window, staleness per agent, and its chart. */
export function watchSection(measured: WatchMeasurements, end: number, width = 960): string {
  const delayRows = measured.delays
    .map(
      (each) =>
        `<tr><td>${escapeHtml(each.label)}</td><td>${each.count}</td><td>${fixed(each.p50Ms)}</td><td>${fixed(each.p99Ms)}</td><td>${fixed(each.maxMs)}</td></tr>`,
    )
    .join("\n");
  const stalenessRows = measured.staleness
    .map(
      (each) =>
        `<tr><td>${each.agent}</td><td>${escapeHtml(each.root)}</td><td>${each.reflected}</td><td>${each.unreflected}</td><td>${fixed(each.p50Ms)}</td><td>${fixed(each.p99Ms)}</td><td>${fixed(each.maxMs)}</td></tr>`,
    )
    .join("\n");
  return `<h2>Watches</h2>
<p>Notification delay: from the write's acknowledgement to the watcher's event (below 0: the watcher heard before the writer), by what was in force when the write was acknowledged.</p>
<table id="watch-delays"><tr><th>while</th><th>events</th><th>p50 (ms)</th><th>p99 (ms)</th><th>max (ms)</th></tr>
${delayRows || '<tr><td colspan="5">No event could be tied to its change.</td></tr>'}
</table>
<p>Cache staleness: from a change's acknowledgement until the agent's cache showed it (or a later version).</p>
<table id="watch-staleness"><tr><th>agent</th><th>watches</th><th>changes shown</th><th>never shown</th><th>p50 (ms)</th><th>p99 (ms)</th><th>max (ms)</th></tr>
${stalenessRows}
</table>
<div id="staleness-chart">${stalenessSvg(measured.staleness, end, width)}</div>`;
}

const AGENT_COLORS = ["#2e6fd0", "#2e9d5b", "#e08a1e", "#7b3fb5", "#c0392b", "#16a085"];

/** Each agent's lag per change over the run, one colour per agent. */
function stalenessSvg(rows: readonly StalenessRow[], end: number, width: number): string {
  const height = 160;
  const max = Math.max(1, ...rows.flatMap((each) => each.points.map(([, lag]) => lag)));
  const x = (seconds: number) =>
    (50 + (seconds / Math.max(1e-9, end / 1e9)) * (width - 60)).toFixed(1);
  const y = (lag: number) => (height - 30 - (lag / max) * (height - 40)).toFixed(1);
  const dots = rows
    .map((each, index) => {
      const color = AGENT_COLORS[index % AGENT_COLORS.length] as string;
      const step = Math.max(1, Math.ceil(each.points.length / 2000));
      const circles = each.points
        .filter((_, at) => at % step === 0)
        .map(([at, lag]) => `<circle cx="${x(at)}" cy="${y(lag)}" r="2" fill="${color}"/>`)
        .join("");
      return `${circles}<rect x="${50 + index * 90}" y="${height - 14}" width="10" height="10" fill="${color}"/><text x="${64 + index * 90}" y="${height - 5}" font-size="10">agent ${each.agent}</text>`;
    })
    .join("");
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="cache staleness per change over time">${dots}<text x="2" y="12" font-size="10">${max.toFixed(0)} ms</text><text x="2" y="${height - 32}" font-size="10">0</text></svg>`;
}
