/**
 * A small line chart as inline SVG, for reports that plot a measure against
 * a count (latency against agents): one line per series, a dashed limit, and
 * marks for points that broke something. No script, no external asset.
 */
import { escapeHtml } from "./html-escape.js";

/** One line of the chart. */
export interface XySeries {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly marked?: boolean }[];
}

const COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989"];

/** The chart: `limit` draws a dashed horizontal line (e.g. the service level). */
export function xyChartSvg(options: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly XySeries[];
  readonly limit?: { readonly y: number; readonly label: string };
}): string {
  const width = 560;
  const height = 240;
  const left = 56;
  const bottom = 36;
  const points = options.series.flatMap((series) => series.points);
  if (points.length === 0) return `<p>${escapeHtml(options.title)}: nothing measured.</p>`;
  const maxX = Math.max(1, ...points.map((point) => point.x));
  const maxY = Math.max(1, options.limit?.y ?? 0, ...points.map((point) => point.y)) * 1.1;
  const x = (value: number) => left + ((width - left - 12) * value) / maxX;
  const y = (value: number) => height - bottom - ((height - bottom - 24) * value) / maxY;
  const lines = options.series.map((series, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const path = series.points
      .map(
        (point, at) => `${at === 0 ? "M" : "L"}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`,
      )
      .join(" ");
    const dots = series.points
      .map(
        (point) =>
          `<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="${point.marked ? 5 : 3}" fill="${point.marked ? "#fff" : colour}" stroke="${colour}" stroke-width="2"><title>${escapeHtml(series.name)}: ${point.x}, ${Math.round(point.y)}${point.marked ? " (broke)" : ""}</title></circle>`,
      )
      .join("");
    return `<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"/>${dots}<text x="${width - 150}" y="${18 + index * 14}" font-size="11" fill="${colour}">${escapeHtml(series.name)}</text>`;
  });
  const limit = options.limit
    ? `<line x1="${left}" x2="${width - 12}" y1="${y(options.limit.y).toFixed(1)}" y2="${y(options.limit.y).toFixed(1)}" stroke="#888" stroke-dasharray="5,4"/><text x="${left + 4}" y="${(y(options.limit.y) - 4).toFixed(1)}" font-size="11" fill="#666">${escapeHtml(options.limit.label)}</text>`
    : "";
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">
<text x="${left}" y="14" font-size="12" font-weight="bold">${escapeHtml(options.title)}</text>
<line x1="${left}" y1="${height - bottom}" x2="${width - 12}" y2="${height - bottom}" stroke="#888"/><line x1="${left}" y1="20" x2="${left}" y2="${height - bottom}" stroke="#888"/>
<text x="${left - 6}" y="${y(maxY / 1.1).toFixed(1)}" font-size="10" text-anchor="end">${Math.round(maxY / 1.1)}</text><text x="${left - 6}" y="${height - bottom}" font-size="10" text-anchor="end">0</text>
<text x="${x(maxX).toFixed(1)}" y="${height - bottom + 14}" font-size="10" text-anchor="end">${maxX}</text>
<text x="${(left + width) / 2}" y="${height - 6}" font-size="11" text-anchor="middle">${escapeHtml(options.xLabel)}</text>
<text x="12" y="${(height - bottom) / 2}" font-size="11" transform="rotate(-90 12 ${(height - bottom) / 2})" text-anchor="middle">${escapeHtml(options.yLabel)}</text>
${limit}${lines.join("\n")}</svg>`;
}
