import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../../src/cli/main.js";
import { FAULT_CATALOGUE } from "../../../src/faults/fault-spec.js";
import { scenarioReferenceMarkdown } from "../../../src/scenario/scenario-reference.js";
import {
  faultVariants,
  type JsonSchemaNode,
  scenarioJsonSchema,
} from "../../../src/scenario/schema.js";

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

/** Every scenario shipped in the package, at any depth. */
function bundledScenarios(dir = "scenarios"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? bundledScenarios(join(dir, entry.name))
      : entry.name.endsWith(".yaml")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("docs/scenarios.md, the scenario reference", () => {
  it("is what `zk-chaos schema --markdown` prints (regenerate: zk-chaos schema --markdown > docs/scenarios.md)", async () => {
    let out = "";
    const code = await main(["schema", "--markdown"], {
      out: (text) => (out += text),
      err: () => {},
    });
    expect(code).toBe(0);
    expect(readFileSync("docs/scenarios.md", "utf8")).toBe(out);
  });

  it("describes every top-level field and has a section for every fault kind, in the catalogue's words", () => {
    const schema = scenarioJsonSchema() as JsonSchemaNode;
    for (const [name, field] of Object.entries(schema.properties ?? {}))
      expect(field.description, name).toMatch(/\w/);
    const reference = scenarioReferenceMarkdown();
    for (const [kind, line] of Object.entries(FAULT_CATALOGUE)) {
      expect(reference).toContain(`### \`${kind}\`\n\n${line}\n`);
    }
    expect(faultVariants(schema).map((variant) => variant.properties?.kind?.const)).toContain(
      "rolling-upgrade",
    );
    // Each link to a section lands on a heading of the page (GitHub's anchors).
    const anchors = new Set(
      [...reference.matchAll(/^#+ (.+)$/gm)].map((heading) =>
        (heading[1] as string)
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, "")
          .replaceAll(" ", "-"),
      ),
    );
    for (const link of reference.matchAll(/\]\(#([^)]+)\)/g))
      expect(anchors, link[1]).toContain(link[1]);
  });

  it("every bundled scenario names the shipped schema on its first line, by a path that resolves", () => {
    const files = bundledScenarios();
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const first = readFileSync(file, "utf8").split("\n")[0] ?? "";
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, file).not.toBeNull();
      expect(resolve(dirname(file), match?.[1] ?? ""), file).toBe(
        resolve("scenarios/scenario.schema.json"),
      );
    }
  });
});
