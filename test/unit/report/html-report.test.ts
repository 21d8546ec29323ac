import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../../src/history/event.js";
import { htmlReport } from "../../../src/report/html.js";
import {
  type LatencyPoint,
  latencySvg,
  MAX_POINTS,
  samplePoints,
} from "../../../src/report/latency-chart.js";
import { markdownReport } from "../../../src/report/markdown.js";
import type { ResultsFile } from "../../../src/report/results.js";
import { serverLanes, serverLanesSvg } from "../../../src/report/server-lanes.js";
import { syntheticHistory } from "../../../src/testing/synthetic-history.js";

const cause = {
  message: "server 1 led from 0x1:0x25, without the committed writes up to 0x2:0x3",
  events: [7, 8, 6],
  knownBugs: ["ZOOKEEPER-4643"],
};

const results = {
  schemaVersion: 1,
  scenario: "rolling-restart",
  description: "restart each server in turn",
  nodes: 3,
  seed: 1,
  zooKeeperVersion: "3.8.0",
  valid: false,
  operations: 10,
  events: 12,
  timings: { startMs: 900, runMs: 10_000, recoveryMs: 12, totalMs: 12_000 },
  replay: "zk-chaos run scenarios/rolling-restart.yaml --nodes 3 --seed 1",
  verdicts: [
    {
      checker: "zookeeper-registers",
      guarantee: "g",
      valid: false,
      anomalies: [
        { kind: "lost-write", message: "write 11 lost", events: [2], cause },
        { kind: "duplicate-version", message: "13 and 14 share a version", events: [6], cause },
        { kind: "stale-read", message: "a read without a proven cause", events: [1] },
      ],
      elapsedMs: 3,
    },
  ],
} as unknown as ResultsFile;

describe("reports group anomalies by the cause the servers' logs prove", () => {
  it("the HTML page shows one section per cause, proven causes first, and says an unchecked section was not checked", () => {
    const page = htmlReport(results, []);
    const sections = [...page.matchAll(/<section class="cause"><h3>([^<]*)<\/h3>/g)].map(
      (m) => m[1],
    );
    expect(sections).toEqual([
      "2 anomalies from one cause: server 1 led from 0x1:0x25, without the committed writes up to 0x2:0x3",
      "1 anomaly with no cause proven from the servers&#39; logs",
    ]);
    expect(page).toContain(
      '<p id="availability">Not checked: this scenario does not ask for the availability checker.</p>',
    );
  });

  it("the Markdown report groups them the same way", () => {
    const text = markdownReport([results]);
    expect(text).toContain(
      "Anomalies: 2 anomalies from one cause: server 1 led from 0x1:0x25, without the committed writes up to 0x2:0x3",
    );
    expect(text).toContain("(cause proven by events 7, 8, 6)");
    expect(text.indexOf("from one cause")).toBeLessThan(text.indexOf("no cause proven"));
  });
});

describe("the latency chart", () => {
  const point = (i: number, type: "ok" | "fail" | "info", ms: number): LatencyPoint => ({
    start: i * 1e6,
    end: i * 1e6 + ms * 1e6,
    type,
    f: "write",
    process: i % 6,
  });

  it("draws every operation of a small run, the faults shaded, and p50/p95/p99 lines", () => {
    const points = Array.from({ length: 2000 }, (_, i) =>
      point(i, i % 100 === 0 ? "info" : "ok", 1 + (i % 50)),
    );
    const { svg } = latencySvg(points, [{ start: 1e9, end: 2e9, label: "f1 kill" }], 3.1e9);
    expect(svg.match(/<circle /g)).toHaveLength(2000);
    expect(svg.match(/<polyline class="quantile qall"/g)).toHaveLength(3);
    // Each type's own quantiles, hidden until its button shows that type alone.
    expect(svg.match(/<polyline class="quantile qt0"/g)).toHaveLength(3);
    expect(svg).toContain('svg[data-show="0"] circle.op:not(.t0)');
    expect(svg).toContain('<rect class="fault"');
    expect(svg).toContain("<title>f1 kill</title>");
    expect(svg).toContain("drawn: every operation");
  });

  it("rings the operations that prove an anomaly, even when sampled out", () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({
      ...point(i, "ok", 2),
      events: [2 * i, 2 * i + 1] as const,
    }));
    const { svg, named } = latencySvg(points, [], 11e9, new Set([9_999]));
    expect(svg.match(/<circle class="proof"/g)).toHaveLength(1);
    expect(svg).toContain('data-ev="9998,9999"');
    expect(named).toContain(9_999);
    expect(svg).toContain("proof of an anomaly: write w1 ok, events 9998, 9999");
  });

  it("the page charts throughput per operation type beside the total", () => {
    const { events } = syntheticHistory({ seed: 2, operations: 300, processes: 3, registers: 2 });
    const page = htmlReport(results, events);
    const throughput = page.slice(
      page.indexOf('<div id="throughput">'),
      page.indexOf('<div id="latency">'),
    );
    expect(
      [...throughput.matchAll(/<polyline[^>]*><title>([^<]+)<\/title>/g)].map((m) => m[1]),
    ).toEqual(expect.arrayContaining(["all", "read", "write"]));
  });

  it("samples a large run by a stated method that keeps every unknown outcome and the slowest successes", () => {
    const points = Array.from({ length: 20_000 }, (_, i) =>
      point(i, i % 1000 === 0 ? "info" : i % 3 === 0 ? "fail" : "ok", i === 7777 ? 5000 : 2),
    );
    const { drawn, method } = samplePoints(points);
    expect(drawn.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(drawn.filter((each) => each.type === "info")).toHaveLength(20);
    expect(drawn.some((each) => each.end - each.start === 5000e6)).toBe(true);
    expect(drawn.some((each) => each.type === "fail")).toBe(true);
    expect(method).toMatch(
      /^all of 20 unknown, the slowest 134 successful, and 1 in \d+ of the other 19846 \(of 20000 operations\)$/,
    );
  });
});

describe("server lanes", () => {
  const log = (
    index: number,
    seconds: number,
    server: number,
    kind: string,
    line: string,
  ): HistoryEvent => ({
    index,
    time: seconds * 1e9,
    process: `server-${server}`,
    type: "info",
    f: "log",
    value: { kind, line },
  });
  const view = (index: number, seconds: number, down: number[]): HistoryEvent => ({
    index,
    time: seconds * 1e9,
    process: "nemesis",
    type: "info",
    f: "connectivity",
    value: {
      servers: [1, 2],
      conditions: { 1: down.includes(1) ? "down" : "up", 2: down.includes(2) ? "down" : "up" },
      blocked: [],
      clientsBlocked: [],
    },
  });
  const events: HistoryEvent[] = [
    view(0, 0, []),
    {
      index: 7,
      time: 0.5e9,
      process: "observer",
      type: "ok",
      f: "status",
      value: { statuses: { 2: { state: "serving", mode: "follower" } } },
    },
    log(1, 1, 1, "leading", "... - LEADING"),
    log(
      2,
      1.2,
      1,
      "quorum-of-supporters",
      "Have quorum of supporters, sids: [[1, 2]]; starting up and setting last processed zxid: 0x100000000",
    ),
    log(3, 1, 2, "following", "... - FOLLOWING"),
    view(4, 3, [1]),
    log(5, 4, 2, "truncating-log", "Truncating log to get in sync with the leader 0x1 <b>"),
    view(6, 5, []),
  ];

  it("follows each server's role and condition, with its epochs and key lines", () => {
    const { servers, segments, ticks, epochs } = serverLanes(events, 6e9);
    expect(servers).toEqual([1, 2]);
    expect(
      segments.filter((s) => s.server === 1).map((s) => [s.state, s.start / 1e9, s.end / 1e9]),
    ).toEqual([
      ["unknown", 0, 1],
      ["leader", 1, 3],
      ["down", 3, 5],
      ["leader", 5, 6],
    ]);
    // A srvr sample gives server 2 its role before its own line does.
    expect(segments.find((s) => s.server === 2 && s.state === "follower")?.start).toBe(0.5e9);
    expect(epochs).toMatchObject([{ server: 1, line: "epoch 0x1" }]);
    expect(ticks.map((t) => [t.server, t.kind])).toEqual([
      [1, "quorum-of-supporters"],
      [2, "truncating-log"],
    ]);
    const svg = serverLanesSvg(events, 6e9);
    expect(svg).toContain(
      "server 2 at 4.00 s: Truncating log to get in sync with the leader 0x1 &lt;b&gt;",
    );
    expect(svg).not.toContain("<b>");
  });
});

describe("the wire in the HTML report", () => {
  const message = (
    index: number,
    ms: number,
    type: string,
    sender: number,
    receiver: number,
    extra: Record<string, unknown> = {},
  ): HistoryEvent => ({
    index,
    time: ms * 1e6,
    process: "wire",
    type: "info",
    f: "message",
    value: { channel: "quorum", sender, receiver, connection: 0, type, size: 20, ...extra },
  });
  const events: HistoryEvent[] = [
    message(0, 100, "PROPOSAL", 1, 3, { zxid: "0x2:0x3" }),
    message(1, 101, "PING", 1, 3),
    message(2, 102, "NEWLEADER", 1, 3, { zxid: "0x2:0x0" }),
    message(3, 140, "ACK", 3, 1, { zxid: "0x2:0x0", action: "hold", by: "crash-in-sync" }),
    {
      index: 4,
      time: 141e6,
      process: "nemesis",
      type: "info",
      f: "kill",
      value: { id: "crash-in-sync", servers: [3] },
    },
    message(5, 5000, "COMMIT", 1, 2, { zxid: "0x2:0x9" }),
  ];

  it("draws the messages around each fault as arrows between server lanes, hover text and rule marks included, PINGs out", () => {
    const page = htmlReport({ ...results, verdicts: [] } as unknown as ResultsFile, events);
    expect(page).toContain("<h2>The wire around each anomaly and fault</h2>");
    const wire = page.slice(page.indexOf('<div id="wire">'), page.indexOf("<h2>Anomalies</h2>"));
    expect(wire).toMatch(/<summary>fault crash-in-sync kill at 0\.14 s \(3 messages\)<\/summary>/);
    expect([...wire.matchAll(/<text [^>]*>server (\d)<\/text>/g)].map((m) => m[1])).toEqual([
      "1",
      "2",
      "3",
    ]);
    expect(wire).toContain(
      "ACK 3 -&gt; 1 (quorum, connection 0)\nzxid 0x2:0x0\n20 bytes\nhold by crash-in-sync",
    );
    expect(wire).toContain("ACK [hold]");
    expect(wire).not.toContain("PING");
    // The COMMIT 4.9 s later is outside the window.
    expect(wire).not.toContain("COMMIT");
  });

  it("has no wire section when the run did not record the wire", () => {
    expect(htmlReport(results, [])).not.toContain("The wire around");
  });
});
