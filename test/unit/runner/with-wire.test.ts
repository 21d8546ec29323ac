import { describe, expect, it } from "vitest";
import { withWire } from "../../../src/runner/run-matrix.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

const plan = (wire: string) =>
  planRun(parseScenario(`name: w\nnodes: [3]\nnetwork: { wire: ${wire} }\n`, "w.yaml"), 3, 1);

describe("run --wire", () => {
  it("overrides what the scenario says, and off removes it", () => {
    expect(plan("off").wire).toBeUndefined();
    expect(plan("full").wire).toBe("full");
    expect(withWire(plan("off"), "summary").wire).toBe("summary");
    expect(withWire(plan("full"), "off").wire).toBeUndefined();
    expect("wire" in withWire(plan("full"), "off")).toBe(false);
    expect(withWire(plan("full"), undefined).wire).toBe("full");
  });

  it("a scenario's network.wire must be one of off, summary, full", () => {
    expect(() => plan("everything")).toThrow(/wire/);
  });
});
