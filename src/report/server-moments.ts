/**
 * The server log lines (and fired triggers) that explain a consistency
 * anomaly: sync, truncation, leadership. Both reports show them beside the
 * anomalies; one formatter keeps their wording the same.
 */
import type { HistoryEvent } from "../history/event.js";

/** The server log moments that explain a consistency anomaly. */
const TELLING = new Set([
  "election-started",
  "leading",
  "newleader-received",
  "sending-diff",
  "sending-trunc",
  "sending-snap",
  "truncating-log",
  "snapshot-from-leader",
  "followers-not-synced",
]);

/** A telling moment of the history in words (time, event, server or trigger, the line), else undefined. */
export function momentText(event: HistoryEvent): string | undefined {
  const at = `${(event.time / 1e9).toFixed(3)} s`;
  if (event.process === "nemesis" && event.f === "trigger") {
    const value = event.value as { id?: string; server?: number; line?: string };
    if (value.line === undefined) return undefined;
    return `${at} (event ${event.index}) trigger ${value.id} fired on server ${value.server}: ${value.line}`;
  }
  if (typeof event.process !== "string" || !event.process.startsWith("server-")) return undefined;
  const value = event.value as { kind?: string; line?: string };
  if (!TELLING.has(value.kind ?? "")) return undefined;
  return `${at} (event ${event.index}) ${event.process} ${value.kind}: ${value.line ?? ""}`;
}

/** For a run with anomalies, the Markdown section of its telling moments in time order. */
export function serverMoments(anomalous: boolean, events: readonly HistoryEvent[]): string {
  if (!anomalous) return "";
  const lines = events.flatMap((event) => {
    const text = momentText(event);
    // The log line itself as code: it may hold Markdown.
    return text === undefined ? [] : [`- ${text.replace(/: (.*)$/s, ": `$1`")}`];
  });
  if (lines.length === 0) return "";
  return `\n## Server log lines around the anomalies\n\n${lines.slice(0, 200).join("\n")}\n`;
}

/**
 * The telling moments from `marginNs` before the earliest of `indexes` to
 * the latest of them, at most `limit` (the last ones: nearest the anomaly).
 */
export function momentsAround(
  events: readonly HistoryEvent[],
  indexes: readonly number[],
  marginNs = 5e9,
  limit = 20,
): string[] {
  const byIndex = new Map(events.map((event) => [event.index, event]));
  const times = indexes
    .map((index) => byIndex.get(index)?.time)
    .filter((time): time is number => time !== undefined);
  if (times.length === 0) return [];
  const from = Math.min(...times) - marginNs;
  const to = Math.max(...times);
  const lines = events
    .filter((event) => event.time >= from && event.time <= to)
    .map(momentText)
    .filter((text): text is string => text !== undefined);
  return lines.slice(-limit);
}
