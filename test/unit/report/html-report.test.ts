import { describe, expect, it } from "vitest";
import { htmlReport } from "../../../src/report/html.js";
import { markdownReport } from "../../../src/report/markdown.js";
import type { ResultsFile } from "../../../src/report/results.js";

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
