/**
 * The wire in the HTML report: for the seconds around each anomaly's proof
 * and each fault, a lane per server with time flowing down and an arrow per
 * peer message from sender to receiver (ShiViz's picture); hovering an arrow
 * shows the message. PINGs are left out; what a message rule did is marked.
 * Pure: events in, SVG out.
 */
import type { HistoryEvent } from "../history/event.js";
import { type WireEvent, wireMessages } from "../history/wire.js";
import { escapeHtml } from "./html-escape.js";

/** One window of the diagram: its middle, and what it is about. */
export interface WireWindow {
  /** History time (ns) the window is centred on. */
  readonly centre: number;
  readonly label: string;
}

/** Colours by the protocol step a message belongs to. */
const STEP_COLOURS: Readonly<Record<string, string>> = {
  NOTIFICATION: "#8e44ad",
  HANDSHAKE: "#8e44ad",
  FOLLOWERINFO: "#1f4e9c",
  OBSERVERINFO: "#1f4e9c",
  LEADERINFO: "#1f4e9c",
  ACKEPOCH: "#1f4e9c",
  DIFF: "#d35400",
  TRUNC: "#c0392b",
  SNAP: "#d35400",
  SNAPSHOT: "#d35400",
  NEWLEADER: "#c0392b",
  UPTODATE: "#c0392b",
};
const OTHER_COLOUR = "#5d6d7e";

const WIDTH = 960;
const ROW = 9;
/** At most this many messages a window: the nearest to its middle. */
const MAX_MESSAGES = 160;

/** The messages of `wire` within `halfNs` of `centre`, PINGs left out, nearest first trimmed to the cap, in time order. */
function windowMessages(wire: readonly WireEvent[], centre: number, halfNs: number): WireEvent[] {
  return wire
    .filter((event) => event.value.type !== "PING" && Math.abs(event.time - centre) <= halfNs)
    .sort((a, b) => Math.abs(a.time - centre) - Math.abs(b.time - centre))
    .slice(0, MAX_MESSAGES)
    .sort((a, b) => a.index - b.index);
}

function tooltip(event: WireEvent): string {
  const value = event.value;
  const summary = Object.entries(value.summary ?? {})
    .map(([key, field]) => `${key}=${field}`)
    .join(" ");
  return [
    `#${event.index} ${(event.time / 1e9).toFixed(4)} s`,
    `${value.type} ${value.sender} -> ${value.receiver} (${value.channel}, connection ${value.connection})`,
    value.zxid ? `zxid ${value.zxid}` : "",
    value.size !== undefined ? `${value.size} bytes` : "",
    summary,
    value.action ? `${value.action} by ${value.by ?? "a rule"}` : "",
  ]
    .filter((line) => line !== "")
    .join("\n");
}

/** One window's SVG: lanes, arrows, and the window's label. */
function windowSvg(messages: readonly WireEvent[], servers: readonly number[], window: WireWindow) {
  const lane = (server: number) =>
    60 + (servers.indexOf(server) * (WIDTH - 120)) / Math.max(1, servers.length - 1);
  const height = 40 + messages.length * ROW + 10;
  const parts = [
    `<svg class="chart wire" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="peer messages around ${escapeHtml(window.label)}">`,
    `<text x="8" y="14" font-size="12">${escapeHtml(window.label)}</text>`,
  ];
  for (const server of servers)
    parts.push(
      `<text x="${lane(server)}" y="30" font-size="11" text-anchor="middle">server ${server}</text><line x1="${lane(server)}" y1="34" x2="${lane(server)}" y2="${height - 4}" stroke="#ccc"/>`,
    );
  messages.forEach((event, row) => {
    const value = event.value;
    const y = 40 + row * ROW;
    const colour = STEP_COLOURS[value.type ?? ""] ?? OTHER_COLOUR;
    const [from, to] = [lane(value.sender), lane(value.receiver)];
    const head = to > from ? to - 5 : to + 5;
    const marked = value.action !== undefined;
    parts.push(
      `<g data-event="${event.index}"><title>${escapeHtml(tooltip(event))}</title><line x1="${from}" y1="${y}" x2="${head}" y2="${y + ROW - 3}" stroke="${colour}" stroke-width="${marked ? 3 : 1.2}"${marked ? ' stroke-dasharray="4 2"' : ""}/><circle cx="${to}" cy="${y + ROW - 3}" r="2.5" fill="${colour}"/><text x="${(from + to) / 2}" y="${y + 3}" font-size="8" text-anchor="middle" fill="${colour}">${escapeHtml(value.type ?? "")}${marked ? ` [${escapeHtml(value.action ?? "")}]` : ""}</text></g>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

/** The diagrams of the windows (half a second either side each), or "" when the history has no wire. */
export function wireDiagramHtml(
  events: readonly HistoryEvent[],
  windows: readonly WireWindow[],
  halfNs = 500e6,
): string {
  const wire = wireMessages(events);
  if (wire.length === 0) return "";
  const servers = [
    ...new Set(wire.flatMap((event) => [event.value.sender, event.value.receiver])),
  ].sort((a, b) => a - b);
  const shown = windows
    .map((window) => ({ window, messages: windowMessages(wire, window.centre, halfNs) }))
    .filter((entry) => entry.messages.length > 0);
  if (shown.length === 0) return "";
  return shown
    .map(
      ({ window, messages }) =>
        `<details class="wire-window"${window === shown[0]?.window ? " open" : ""}><summary>${escapeHtml(window.label)} (${messages.length} messages)</summary>${windowSvg(messages, servers, window)}</details>`,
    )
    .join("\n");
}
