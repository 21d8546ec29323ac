import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../../src/cli/main.js";
import { scenarioJsonSchema } from "../../../src/scenario/schema.js";

describe("scenarios/scenario.schema.json, for editors", () => {
  it("is what `zk-chaos schema` prints (regenerate: zk-chaos schema > scenarios/scenario.schema.json)", async () => {
    let out = "";
    const code = await main(["schema"], { out: (text) => (out += text), err: () => {} });
    expect(code).toBe(0);
    expect(readFileSync("scenarios/scenario.schema.json", "utf8")).toBe(out);
    expect(JSON.parse(out)).toEqual(scenarioJsonSchema());
  });

  it("names every top-level field the shipped scenarios use, and the transactions workload", () => {
    const schema = scenarioJsonSchema() as {
      properties: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
    };
    for (const file of readdirSync("scenarios").filter((name) => name.endsWith(".yaml"))) {
      const scenario = parse(readFileSync(join("scenarios", file), "utf8")) as Record<
        string,
        unknown
      >;
      for (const field of Object.keys(scenario))
        expect(Object.keys(schema.properties), `${file}: ${field}`).toContain(field);
    }
    expect(schema.properties.workload?.properties?.kind?.enum).toContain("transactions");
  });
});
