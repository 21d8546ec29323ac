/**
 * One figure of one series against the nights, as a small SVG line chart:
 * each night a point whose tooltip names its value, runs and versions.
 */
import { escapeHtml } from "../report/html-escape.js";
import type { TrendPoint } from "./trend.js";
import type { TrendFigure } from "./trend-figures.js";

const WIDTH = 300;
const HEIGHT = 110;
const PAD = { left: 44, right: 8, top: 16, bottom: 18 };

/** A figure's value as pages print it. */
export function formatFigure(figure: TrendFigure, value: number | undefined): string {
  if (value === undefined) return "-";
  if (figure.unit === "share") return `${(value * 100).toFixed(0)}%`;
  if (figure.unit === "count") return String(Math.round(value * 10) / 10);
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}

/** The chart of one figure over a series' nights (a note instead when no night has it). */
export function trendChart(
  figure: TrendFigure,
  points: readonly TrendPoint[],
  regressedNights: ReadonlySet<string> = new Set(),
): string {
  const present = points.filter((point) => point.values[figure.key] !== undefined);
  if (present.length === 0)
    return `<p class="hint" data-figure="${figure.key}">${escapeHtml(figure.label)}: not measured</p>`;
  const values = present.map((point) => point.values[figure.key] as number);
  const top = figure.unit === "share" ? 1 : Math.max(...values) * 1.15 || 1;
  const x = (index: number) =>
    PAD.left +
    (points.length === 1
      ? (WIDTH - PAD.left - PAD.right) / 2
      : (index * (WIDTH - PAD.left - PAD.right)) / (points.length - 1));
  const y = (value: number) => PAD.top + (1 - value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const placed = points
    .map((point, index) => ({ point, index, value: point.values[figure.key] }))
    .filter((entry): entry is typeof entry & { value: number } => entry.value !== undefined);
  const line = placed.map((entry) => `${x(entry.index).toFixed(1)},${y(entry.value).toFixed(1)}`);
  const dots = placed
    .map(
      (entry) =>
        `<circle${regressedNights.has(entry.point.night) ? ' class="regressed"' : ""} cx="${x(entry.index).toFixed(1)}" cy="${y(entry.value).toFixed(1)}" r="3" data-night="${escapeHtml(entry.point.night)}" data-value="${entry.value}"><title>${escapeHtml(`${entry.point.night}: ${formatFigure(figure, entry.value)} (${entry.point.runs} run(s), ZooKeeper ${entry.point.versions.join(", ")})`)}</title></circle>`,
    )
    .join("");
  const first = points[0]?.night ?? "";
  const last = points.at(-1)?.night ?? "";
  return `<svg class="trend" data-figure="${figure.key}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(figure.label)}">
<text x="${PAD.left}" y="11" class="label">${escapeHtml(figure.label)}</text>
<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" class="axis"/>
<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end" class="tick">${escapeHtml(formatFigure(figure, top))}</text>
<text x="${PAD.left - 4}" y="${HEIGHT - PAD.bottom}" text-anchor="end" class="tick">0</text>
<text x="${PAD.left}" y="${HEIGHT - 4}" class="tick">${escapeHtml(first)}</text>
<text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end" class="tick">${escapeHtml(last)}</text>
<polyline points="${line.join(" ")}" class="line"/>${dots}</svg>`;
}
