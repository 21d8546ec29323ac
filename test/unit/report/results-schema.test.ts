import { describe, expect, it } from "vitest";
import { parseResultsFile } from "../../../src/report/results-schema.js";
import { VALID_RESULTS } from "../../helpers/results.js";

const good = VALID_RESULTS;

describe("results.json read back by `zk-chaos report`", () => {
  it("takes what zk-chaos wrote", () => {
    expect(parseResultsFile(JSON.stringify(good), "r.json").seed).toBe(7);
  });

  it.each([
    ["nodes", { nodes: "<script>alert(1)</script>" }, /r\.json: nodes: /],
    ["seed", { seed: "7; rm -rf /" }, /r\.json: seed: /],
    ["operations", { operations: -5 }, /r\.json: operations: /],
    [
      "timings",
      { timings: { ...good.timings, totalMs: "1e999<img>" } },
      /r\.json: timings\.totalMs: /,
    ],
    [
      "an anomaly's events",
      {
        verdicts: [
          {
            ...good.verdicts[0],
            valid: false,
            anomalies: [{ kind: "k", message: "m", events: ["<b>"] }],
          },
        ],
      },
      /r\.json: verdicts\.0\.anomalies\.0\.events\.0: /,
    ],
  ])(
    "a tampered %s is refused, naming the field, before anything is rendered",
    (_, change, message) => {
      expect(() => parseResultsFile(JSON.stringify({ ...good, ...change }), "r.json")).toThrow(
        message,
      );
    },
  );

  it("another schema version, or no JSON, is refused with the reason", () => {
    expect(() => parseResultsFile(JSON.stringify({ ...good, schemaVersion: 2 }), "r.json")).toThrow(
      /schema version 2 is not one this zk-chaos reads/,
    );
    expect(() => parseResultsFile("{", "r.json")).toThrow(/r\.json: not JSON/);
  });
});
