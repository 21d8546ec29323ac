/**
 * A lane per server on the run's time axis: its role as it logged it
 * (leader, follower, looking), what the nemesis did to its process (down,
 * paused, starved), the epochs it led, and its key log lines as ticks (hover
 * for the line). Built from the history alone.
 */
import type { HistoryEvent } from "../history/event.js";
import { epochStartZxid } from "../history/server-log.js";
import type { ConnectivityView } from "../quorum/connectivity.js";
import { escapeHtml } from "./html-escape.js";

/** What a lane shows at an instant. */
export type LaneState = "leader" | "follower" | "looking" | "down" | "paused" | "slow" | "unknown";

/** A stretch of one state on a lane. */
export interface LaneSegment {
  readonly server: number;
  readonly state: LaneState;
  readonly start: number;
  readonly end: number;
}

/** A key log line on a lane. */
export interface LaneTick {
  readonly server: number;
  readonly time: number;
  readonly kind: string;
  readonly line: string;
}

const ROLE_OF: Readonly<Record<string, LaneState>> = {
  leading: "leader",
  following: "follower",
  looking: "looking",
  "election-started": "looking",
  shutdown: "looking",
};

/** Log kinds worth a tick: synchronisation, truncation, failures. */
const TICKS = new Set([
  "quorum-of-supporters",
  "truncating-log",
  "sending-trunc",
  "snapshot-from-leader",
  "sending-snap",
  "newleader-received",
  "unrecoverable-error",
  "disk-full",
  "load-failed",
]);

const COLORS: Readonly<Record<LaneState, string>> = {
  leader: "#1f4e9c",
  follower: "#8fb8e8",
  looking: "#e0c341",
  down: "#c0392b",
  paused: "#8e44ad",
  slow: "#e67e22",
  unknown: "#eeeeee",
};

const serverOf = (process: HistoryEvent["process"]): number | undefined =>
  typeof process === "string" && process.startsWith("server-")
    ? Number(process.slice("server-".length))
    : undefined;

/** The segments and ticks of every server's lane. */
export function serverLanes(
  events: readonly HistoryEvent[],
  end: number,
): { servers: number[]; segments: LaneSegment[]; ticks: LaneTick[]; epochs: LaneTick[] } {
  const role = new Map<number, LaneState>();
  const condition = new Map<number, LaneState | undefined>();
  const since = new Map<number, { state: LaneState; start: number }>();
  const segments: LaneSegment[] = [];
  const ticks: LaneTick[] = [];
  const epochs: LaneTick[] = [];
  const servers = new Set<number>();
  const shown = (server: number): LaneState =>
    condition.get(server) ?? role.get(server) ?? "unknown";
  const update = (server: number, time: number) => {
    servers.add(server);
    const state = shown(server);
    const open = since.get(server);
    if (open?.state === state) return;
    if (open !== undefined && time > open.start)
      segments.push({ server, state: open.state, start: open.start, end: time });
    since.set(server, { state, start: open === undefined ? 0 : time });
  };
  for (const event of events) {
    if (event.process === "nemesis" && event.f === "connectivity") {
      const view = event.value as ConnectivityView;
      for (const server of view.servers) {
        const state = view.conditions[server];
        condition.set(
          server,
          state === "down" || state === "paused" || state === "slow" ? state : undefined,
        );
        update(server, event.time);
      }
      continue;
    }
    if (event.process === "observer" && event.f === "status" && event.type === "ok") {
      // srvr samples fill in roles taken before the servers' log lines were followed.
      const statuses = ((event.value ?? {}) as { statuses?: Record<string, { mode?: string }> })
        .statuses;
      for (const [id, status] of Object.entries(statuses ?? {})) {
        const sampled =
          status.mode === "leader" ? "leader" : status.mode === "follower" ? "follower" : undefined;
        if (sampled === undefined || role.has(Number(id))) continue;
        role.set(Number(id), sampled);
        update(Number(id), event.time);
      }
      continue;
    }
    const server = serverOf(event.process);
    if (server === undefined || event.f !== "log") continue;
    const { kind, line } = (event.value ?? {}) as { kind?: string; line?: string };
    if (kind === undefined) continue;
    const next = ROLE_OF[kind];
    if (next !== undefined) {
      role.set(server, next);
      update(server, event.time);
    }
    if (TICKS.has(kind)) ticks.push({ server, time: event.time, kind, line: line ?? kind });
    const epochStart = kind === "quorum-of-supporters" && line ? epochStartZxid(line) : undefined;
    if (epochStart !== undefined)
      epochs.push({
        server,
        time: event.time,
        kind,
        line: `epoch 0x${(epochStart >> 32n).toString(16)}`,
      });
  }
  for (const [server, open] of since)
    if (end > open.start) segments.push({ server, state: open.state, start: open.start, end });
  return { servers: [...servers].sort((a, b) => a - b), segments, ticks, epochs };
}

/** The lanes as SVG (empty string when the history has no server lines or connectivity). */
export function serverLanesSvg(events: readonly HistoryEvent[], end: number): string {
  const { servers, segments, ticks, epochs } = serverLanes(events, end);
  if (servers.length === 0) return "";
  const width = 960;
  const row = 18;
  const height = servers.length * row + 34;
  const x = (time: number) => (50 + (time / Math.max(1, end)) * (width - 60)).toFixed(1);
  const y = (server: number) => servers.indexOf(server) * row;
  const parts = [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="server roles over time">`,
  ];
  for (const server of servers)
    parts.push(`<text x="2" y="${y(server) + row - 5}" font-size="10">server ${server}</text>`);
  for (const segment of segments) {
    const w = Math.max(0.5, Number(x(segment.end)) - Number(x(segment.start)));
    parts.push(
      `<rect x="${x(segment.start)}" y="${y(segment.server) + 2}" width="${w.toFixed(1)}" height="${row - 4}" fill="${COLORS[segment.state]}"><title>server ${segment.server}: ${segment.state} ${(segment.start / 1e9).toFixed(2)}-${(segment.end / 1e9).toFixed(2)} s</title></rect>`,
    );
  }
  for (const epoch of epochs)
    parts.push(
      `<text x="${Number(x(epoch.time)) + 2}" y="${y(epoch.server) + row - 6}" font-size="9" fill="#fff">${escapeHtml(epoch.line.replace("epoch ", "e"))}</text>`,
    );
  for (const tick of ticks)
    parts.push(
      `<line class="tick" x1="${x(tick.time)}" x2="${x(tick.time)}" y1="${y(tick.server)}" y2="${y(tick.server) + row}" stroke="#111" stroke-width="1.5"><title>${escapeHtml(`server ${tick.server} at ${(tick.time / 1e9).toFixed(2)} s: ${tick.line.slice(0, 240)}`)}</title></line>`,
    );
  const legend = (Object.keys(COLORS) as LaneState[])
    .filter((state) => state !== "unknown")
    .map(
      (state, index) =>
        `<rect x="${50 + index * 90}" y="${height - 14}" width="10" height="10" fill="${COLORS[state]}"/><text x="${64 + index * 90}" y="${height - 5}" font-size="10">${state}</text>`,
    )
    .join("");
  parts.push(
    `${legend}<text x="${50 + 6 * 90}" y="${height - 5}" font-size="10">| key log line (hover)</text></svg>`,
  );
  return parts.join("");
}
