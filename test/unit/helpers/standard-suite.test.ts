import { describe, expect, it } from "vitest";
import type { Scenario } from "../../../src/scenario/schema.js";
import { coveringScenarios, providerFeatures } from "../../helpers/standard-suite.js";

describe("the docker suite's choice: a scenario for each thing the provider makes", () => {
  it("keeps a scenario when it asks for a fault kind (or a supervisor) none before it did", () => {
    const items = [
      { name: "baseline", kinds: [] },
      { name: "kill-f", kinds: ["kill"] },
      { name: "kill-leader", kinds: ["kill"] },
      { name: "supervised", kinds: ["kill", "supervisor"] },
      { name: "transactions", kinds: ["kill", "partition"] },
      { name: "random-halves", kinds: ["partition"] },
    ];
    expect(coveringScenarios(items, (item) => item.kinds).map((item) => item.name)).toEqual([
      "kill-f",
      "supervised",
      "transactions",
    ]);
  });

  it("names fault kinds, random kinds apart, and a supervisor", () => {
    const scenario = {
      faults: [{ at: 0, fault: { kind: "kill" } }],
      random: { kinds: ["partition"] },
      supervise: { restartAfterMs: 3000 },
    } as unknown as Scenario;
    expect(providerFeatures(scenario)).toEqual(["kill", "random:partition", "supervisor"]);
  });
});
