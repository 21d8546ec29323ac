import { BadInputError } from "../errors.js";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration such as `500ms`, `30s`, `1.5m`, `2h` or `1m30s` into
 * milliseconds. A bare number means seconds, the unit people type most.
 */
export function parseDuration(text: string, what = "duration"): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    consumed = part.lastIndex;
  }
  if (trimmed.length === 0 || consumed !== trimmed.length) {
    throw new BadInputError(
      `${what} '${text}' is not a duration: use a number with a unit, like 500ms, 30s, 5m or 1h`,
    );
  }
  return Math.round(total);
}

/** Formats milliseconds for people: `850 ms`, `1.25 s`, `2m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  // Below what rounds to 60.00 s; above it, whole seconds rounded before they are split,
  // so 5 min 59.6 s reads 6m00s, not 5m60s.
  if (ms < 59_995) return `${(ms / 1000).toFixed(2)} s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
}
