/**
 * The wire as text: one line per peer message in history order, a lane per
 * server with an arrow from sender to receiver (ShiViz's picture in a
 * terminal), the type, zxid and summary; fault actions and key server log
 * lines interleaved as markers; runs of PINGs folded into one line. Pure:
 * events in, lines out.
 */
import type { HistoryEvent } from "../history/event.js";
import { WIRE_PROCESS, type WireEventValue } from "../history/wire.js";

/** What part of the wire to show. */
export interface WireTimelineOptions {
  /** Only events within this many ms of event `around` (by history index). */
  readonly around?: number;
  readonly windowMs?: number;
  /** Only these message types (NOTIFICATION, PROPOSAL, ...). */
  readonly types?: readonly string[];
  /** Keep PINGs as lines of their own. */
  readonly pings?: boolean;
}

const LANE = 4;

/** Arrow from lane `from` to lane `to` of `lanes` lanes, e.g. "·   ●──>·   ". */
export function laneArrow(from: number, to: number, lanes: number): string {
  const cells: string[] = Array.from({ length: lanes * LANE }, (_, at) =>
    at % LANE === 0 ? "·" : " ",
  );
  const [low, high] = from < to ? [from, to] : [to, from];
  for (let at = low * LANE + 1; at < high * LANE; at++) cells[at] = "─";
  cells[from * LANE] = "●";
  cells[to * LANE] = "▶";
  if (from > to) cells[to * LANE] = "◀";
  return cells.join("");
}

function seconds(event: HistoryEvent): string {
  return `${(event.time / 1e9).toFixed(3).padStart(8)} s`;
}

function summaryText(value: WireEventValue): string {
  return Object.entries(value.summary ?? {})
    .map(([key, field]) => `${key}=${field}`)
    .join(" ");
}

/** The timeline's lines. */
export function wireTimeline(
  events: readonly HistoryEvent[],
  options: WireTimelineOptions = {},
): string[] {
  const wire = events.filter((event) => event.process === WIRE_PROCESS);
  const servers = [
    ...new Set(
      wire.flatMap((event) => {
        const value = event.value as WireEventValue;
        return [value.sender, value.receiver];
      }),
    ),
  ].sort((a, b) => a - b);
  if (servers.length === 0) return [];
  const lane = new Map(servers.map((id, at) => [id, at]));
  const centre = options.around !== undefined ? events[options.around] : undefined;
  const windowNs = (options.windowMs ?? 2000) * 1e6;
  const inWindow = (event: HistoryEvent) =>
    centre === undefined || Math.abs(event.time - centre.time) <= windowNs;
  const lines = [`${" ".repeat(11)}${servers.map((id) => String(id).padEnd(LANE)).join("")}`];
  let folded: { count: number; first: HistoryEvent } | undefined;
  const flush = () => {
    if (folded === undefined) return;
    lines.push(
      `${seconds(folded.first)} ${" ".repeat(servers.length * LANE)} ${folded.count} PING`,
    );
    folded = undefined;
  };
  for (const event of events) {
    if (!inWindow(event)) continue;
    if (event.process === "nemesis" && event.type === "info" && event.f !== "heal-all") {
      flush();
      lines.push(
        `${seconds(event)} ${"~".repeat(servers.length * LANE)} nemesis ${event.f} ${JSON.stringify(event.value)}`,
      );
      continue;
    }
    if (
      typeof event.process === "string" &&
      event.process.startsWith("server-") &&
      event.f === "log"
    ) {
      flush();
      const kind = (event.value as { kind?: string }).kind ?? "";
      lines.push(
        `${seconds(event)} ${" ".repeat(servers.length * LANE)} ${event.process}: ${kind}`,
      );
      continue;
    }
    if (event.process !== WIRE_PROCESS) continue;
    const value = event.value as WireEventValue;
    if (event.f === "undecoded") {
      flush();
      lines.push(
        `${seconds(event)} ${laneArrow(lane.get(value.sender) ?? 0, lane.get(value.receiver) ?? 0, servers.length)} undecoded from byte ${value.offset}: ${value.reason}`,
      );
      continue;
    }
    const type = value.type ?? "?";
    if (options.types && !options.types.includes(type)) continue;
    if (type === "PING" && !options.pings) {
      folded = folded ? { ...folded, count: folded.count + 1 } : { count: 1, first: event };
      continue;
    }
    flush();
    const channel = value.channel === "election" ? "e" : "q";
    lines.push(
      `${seconds(event)} ${laneArrow(lane.get(value.sender) ?? 0, lane.get(value.receiver) ?? 0, servers.length)} ${channel} ${type}${value.zxid ? ` ${value.zxid}` : ""}${value.summary && Object.keys(value.summary).length > 0 ? ` ${summaryText(value)}` : ""}${value.action ? `  [${value.action} by ${value.by ?? "a rule"}]` : ""}`,
    );
  }
  flush();
  return lines;
}
