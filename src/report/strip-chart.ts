/**
 * Distributions side by side as inline SVG: for each group (a cluster size),
 * every measured value as a dot over a box from the lower to the upper
 * quartile with the median drawn across. Few values (a dozen elections) are
 * shown as they are, not summarised away. No script, no external asset.
 */
import { escapeHtml } from "./html-escape.js";

/** One group of values (e.g. one size's election times). */
export interface StripGroup {
  readonly label: string;
  readonly values: readonly number[];
}

/** The value at quantile `q` (0..1) of ascending `values`, interpolated. */
export function quantile(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const at = (values.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const lower = values[low] as number;
  return lower + ((values[high] as number) - lower) * (at - low);
}

const COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989"];

/** The chart of `groups` in `unit` (ms, ...). */
export function stripChartSvg(options: {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly StripGroup[];
}): string {
  const width = 120 + 110 * Math.max(1, options.groups.length);
  const height = 220;
  const left = 56;
  const bottom = 32;
  const all = options.groups.flatMap((group) => group.values);
  if (all.length === 0) return `<p>${escapeHtml(options.title)}: nothing measured.</p>`;
  const maxY = Math.max(1, ...all) * 1.1;
  const y = (value: number) => height - bottom - ((height - bottom - 24) * value) / maxY;
  const slot = (width - left - 12) / options.groups.length;
  const parts = options.groups.map((group, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    const centre = left + slot * (index + 0.5);
    const values = [...group.values].sort((a, b) => a - b);
    const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(values, q));
    const box =
      q1 === undefined || q3 === undefined || median === undefined
        ? ""
        : `<rect x="${(centre - 22).toFixed(1)}" y="${y(q3).toFixed(1)}" width="44" height="${Math.max(1, y(q1) - y(q3)).toFixed(1)}" fill="${colour}" fill-opacity="0.12" stroke="${colour}"/><line x1="${(centre - 26).toFixed(1)}" x2="${(centre + 26).toFixed(1)}" y1="${y(median).toFixed(1)}" y2="${y(median).toFixed(1)}" stroke="${colour}" stroke-width="3"><title>${escapeHtml(group.label)}: median ${Math.round(median)} ${escapeHtml(options.unit)}</title></line>`;
    // Dots spread sideways by their rank so that equal values stay apart; no randomness.
    const dots = values
      .map((value, rank) => {
        const dx = values.length === 1 ? 0 : ((rank % 5) - 2) * 6;
        return `<circle cx="${(centre + dx).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3" fill="${colour}" fill-opacity="0.7"><title>${escapeHtml(group.label)}: ${Math.round(value)} ${escapeHtml(options.unit)}</title></circle>`;
      })
      .join("");
    const label = `<text x="${centre.toFixed(1)}" y="${height - bottom + 14}" font-size="11" text-anchor="middle">${escapeHtml(group.label)} (${values.length})</text>`;
    return `${box}${dots}${label}`;
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(options.title)}">
<text x="${left}" y="14" font-size="12" font-weight="bold">${escapeHtml(options.title)}</text>
<line x1="${left}" y1="${height - bottom}" x2="${width - 12}" y2="${height - bottom}" stroke="#888"/><line x1="${left}" y1="20" x2="${left}" y2="${height - bottom}" stroke="#888"/>
<text x="${left - 6}" y="${y(maxY / 1.1).toFixed(1)}" font-size="10" text-anchor="end">${Math.round(maxY / 1.1)}</text><text x="${left - 6}" y="${height - bottom}" font-size="10" text-anchor="end">0</text>
<text x="12" y="${(height - bottom) / 2}" font-size="11" transform="rotate(-90 12 ${(height - bottom) / 2})" text-anchor="middle">${escapeHtml(options.unit)}</text>
${parts.join("\n")}</svg>`;
}
