/**
 * The latency of every operation against time, on a log scale, coloured by
 * outcome, with per-second p50/p95/p99 lines of the successful ones and the
 * faults shaded: the chart Jepsen users read first. Plain SVG; each point
 * names its history events (data-ev) for the page's detail panel.
 */
import { escapeHtml } from "./html-escape.js";
import { sortedQuantile } from "./quantile.js";

/** One operation as the chart needs it. */
export interface LatencyPoint {
  /** Invocation and completion (ns since the run started). */
  readonly start: number;
  readonly end: number;
  readonly type: "ok" | "fail" | "info";
  readonly f: string;
  readonly process: number;
  /** History indexes of its invocation and completion, when known. */
  readonly events?: readonly [number, number];
}

/** A fault's time in force. */
export interface FaultWindow {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

/** Most points drawn; beyond it the chart samples (the method is printed under it). */
export const MAX_POINTS = 2500;

const WIDTH = 960;
const HEIGHT = 260;
const LEFT = 50;
const COLORS = { ok: "#2e9d5b", fail: "#e08a1e", info: "#8a8a8a" } as const;
const QUANTILES = [
  { q: 0.5, label: "p50", color: "#1f4e9c" },
  { q: 0.95, label: "p95", color: "#7b3fb5" },
  { q: 0.99, label: "p99", color: "#c0392b" },
] as const;

/** Every `stride`-th item, so that at most `room` remain. */
function thin<T>(items: readonly T[], room: number): { kept: T[]; stride: number } {
  const stride = Math.max(1, Math.ceil(items.length / Math.max(1, room)));
  return { kept: items.filter((_, index) => index % stride === 0), stride };
}

/**
 * Which points to draw: all of them up to MAX_POINTS; beyond, in this order
 * of precedence, unknown outcomes (up to a third of the room), the slowest 1%
 * of the successful ones (up to a sixth), then an even stride through the
 * failed and the other successful ones in what room is left.
 */
export function samplePoints(points: readonly LatencyPoint[]): {
  drawn: LatencyPoint[];
  method: string;
} {
  if (points.length <= MAX_POINTS) return { drawn: [...points], method: "every operation" };
  const unknown = thin(
    points.filter((point) => point.type === "info"),
    Math.floor(MAX_POINTS / 3),
  );
  const ok = points.filter((point) => point.type === "ok");
  const slow = [...ok]
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .slice(0, Math.min(Math.ceil(ok.length / 100), Math.floor(MAX_POINTS / 6)));
  const slowSet = new Set(slow);
  const rest = points.filter(
    (point) => point.type === "fail" || (point.type === "ok" && !slowSet.has(point)),
  );
  const even = thin(rest, MAX_POINTS - unknown.kept.length - slow.length);
  const stride = (n: number) => (n === 1 ? "all" : `1 in ${n}`);
  return {
    drawn: [...unknown.kept, ...slow, ...even.kept].sort((a, b) => a.start - b.start),
    method: `${stride(unknown.stride)} of ${Math.ceil(unknown.kept.length * unknown.stride)} unknown, the slowest ${slow.length} successful, and ${stride(even.stride)} of the other ${rest.length} (of ${points.length} operations)`,
  };
}

/** A point's history events as a data attribute, for the page's detail panel. */
const dataEvents = (point: LatencyPoint) =>
  point.events === undefined ? "" : ` data-ev="${point.events.join(",")}"`;

/** The latency chart of a run, and the history events its points name. */
export function latencySvg(
  points: readonly LatencyPoint[],
  faults: readonly FaultWindow[],
  end: number,
  /** History indexes that prove an anomaly: their operations are ringed, sampled or not. */
  proof: ReadonlySet<number> = new Set(),
): { svg: string; named: number[]; types: string[] } {
  const latencyMs = (point: LatencyPoint) => Math.max(0.01, (point.end - point.start) / 1e6);
  const top = Math.max(10, ...points.map(latencyMs));
  const decades = Math.ceil(Math.log10(top)) + 1;
  const x = (time: number) => (LEFT + (time / Math.max(1, end)) * (WIDTH - LEFT - 10)).toFixed(1);
  const y = (ms: number) =>
    (HEIGHT - 25 - ((Math.log10(Math.max(0.1, ms)) + 1) / decades) * (HEIGHT - 35)).toFixed(1);
  const { drawn, method } = samplePoints(points);
  const named: number[] = [];
  // One type at a time on demand (the page's buttons set data-show): its points and its own quantiles.
  const types = [...new Set(points.map((point) => point.f))].sort();
  const typeRules = types
    .map(
      (_, index) =>
        `svg[data-show="${index}"] circle.op:not(.t${index}),svg[data-show="${index}"] .qall{display:none}svg[data-show="${index}"] .qt${index}{display:inline}`,
    )
    .join("");
  const parts = [
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="latency of every operation" data-types="${escapeHtml(types.join(","))}"><style>${types.map((_, index) => `.qt${index}`).join(",") || ".qt"}{display:none}${typeRules}</style>`,
  ];
  for (const fault of faults) {
    parts.push(
      `<rect class="fault" x="${x(fault.start)}" y="0" width="${Math.max(1, Number(x(fault.end)) - Number(x(fault.start))).toFixed(1)}" height="${HEIGHT - 25}"><title>${escapeHtml(fault.label)}</title></rect>`,
    );
  }
  for (let decade = -1; decade < decades - 1; decade++) {
    const ms = 10 ** decade;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - 10}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/><text x="2" y="${Number(y(ms)) + 3}" font-size="10">${ms < 1 ? ms : ms.toLocaleString("en")} ms</text>`,
    );
  }
  for (const point of drawn) {
    named.push(...(point.events ?? []));
    parts.push(
      `<circle class="op t${types.indexOf(point.f)}" cx="${x(point.start)}" cy="${y(latencyMs(point))}" r="1.6" fill="${COLORS[point.type]}"${dataEvents(point)}><title>${escapeHtml(`${point.f} w${point.process} ${point.type} ${latencyMs(point).toFixed(1)} ms @${(point.start / 1e9).toFixed(2)} s`)}</title></circle>`,
    );
  }
  for (const point of points) {
    if (point.events === undefined || !point.events.some((index) => proof.has(index))) continue;
    named.push(...point.events);
    parts.push(
      `<circle class="proof" cx="${x(point.start)}" cy="${y(latencyMs(point))}" r="4.5" fill="none" stroke="#c0392b" stroke-width="1.5"${dataEvents(point)}><title>${escapeHtml(`proof of an anomaly: ${point.f} w${point.process} ${point.type}, events ${point.events.join(", ")}`)}</title></circle>`,
    );
  }
  // Quantile lines from every successful operation, not only the drawn ones: of all, and of each type.
  const seconds = Math.max(1, Math.ceil(end / 1e9));
  const quantileLines = (selected: readonly LatencyPoint[], className: string, what: string) => {
    const perSecond: number[][] = Array.from({ length: seconds }, () => []);
    for (const point of selected)
      if (point.type === "ok")
        perSecond[Math.min(seconds - 1, Math.floor(point.start / 1e9))]?.push(latencyMs(point));
    for (const list of perSecond) list.sort((a, b) => a - b);
    for (const { q, label, color } of QUANTILES) {
      const line = perSecond
        .map((list, second) =>
          list.length === 0
            ? undefined
            : `${x((second + 0.5) * 1e9)},${y(sortedQuantile(list, q))}`,
        )
        .filter((point) => point !== undefined)
        .join(" ");
      if (line !== "")
        parts.push(
          `<polyline class="quantile ${className}" fill="none" stroke="${color}" stroke-width="1.5" points="${line}"><title>${escapeHtml(`${label} per second${what}`)}</title></polyline>`,
        );
    }
  };
  quantileLines(points, "qall", "");
  types.forEach((f, index) => {
    quantileLines(
      points.filter((point) => point.f === f),
      `qt${index}`,
      ` of ${f}`,
    );
  });
  parts.push(
    `<text x="${LEFT}" y="${HEIGHT - 5}" font-size="10">0 s</text><text x="${WIDTH - 60}" y="${HEIGHT - 5}" font-size="10">${(end / 1e9).toFixed(1)} s</text><text x="${LEFT + 60}" y="${HEIGHT - 5}" font-size="10">${escapeHtml(`latency, log scale; p50/p95/p99 per second of successful operations; drawn: ${method}`)}</text></svg>`,
  );
  return { svg: parts.join(""), named, types };
}
