import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { judgeMutant, scenarioMutants, vacuous } from "../../../src/scenario/mutants.js";

const SCENARIOS = new URL("../../../scenarios/", import.meta.url).pathname;

describe("the scenario loader under a fixed sample of mutants (the full set: bench/scenario-fuzz)", () => {
  const files = readdirSync(SCENARIOS).filter((file) => file.endsWith(".yaml"));
  const mutants = scenarioMutants(
    files.map((file) => ({ file, text: readFileSync(join(SCENARIOS, file), "utf8") })),
    4,
    20261129,
  );

  it("never crashes, never refuses without naming file and line, never accepts a run that cannot fail", () => {
    expect(mutants.length).toBeGreaterThanOrEqual(60);
    const problems: string[] = [];
    let rejected = 0;
    for (const mutant of mutants) {
      const outcome = judgeMutant(mutant.text);
      if (outcome.kind === "rejected") rejected++;
      else if (outcome.kind === "accepted") {
        const why = vacuous(outcome.scenario);
        if (why) problems.push(`${mutant.file} (${mutant.change}): accepted, but it ${why}`);
      } else
        problems.push(`${mutant.file} (${mutant.change}): ${outcome.kind}: ${outcome.message}`);
    }
    expect(problems).toEqual([]);
    // The sample must exercise rejections, not only harmless changes.
    expect(rejected).toBeGreaterThan(mutants.length / 2);
  });
});
