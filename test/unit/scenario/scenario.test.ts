import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { matrixEntries, parseShard } from "../../../src/runner/run-matrix.js";
import { loadScenario, parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";
import { scenarioJsonSchema } from "../../../src/scenario/schema.js";

const SCENARIOS = fileURLToPath(new URL("../../../scenarios/", import.meta.url));

describe("scenario files", () => {
  it("the standard suite loads and plans at every size it names", () => {
    const files = readdirSync(SCENARIOS).filter((file) => file.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const scenario = loadScenario(`${SCENARIOS}${file}`);
      expect(scenario.name).toBe(file.replace(/\.yaml$/, ""));
      for (const nodes of scenario.nodes) expect(planRun(scenario, nodes, 1).nodes).toBe(nodes);
    }
  });

  it("rejects a bad file before anything starts, naming file, line, field and fix", () => {
    const text = [
      "name: x",
      "nodes: [3]",
      "faults:",
      "  - at: 1s",
      "    fault: { kind: explode }",
      "checkers: [zookeeper, magic]",
      "duration: soon",
      "bogus: 1",
    ].join("\n");
    let message = "";
    try {
      parseScenario(text, "bad.yaml");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(
      "bad.yaml:5: faults.0.fault.kind: unknown fault kind: valid kinds are kill, stop, pause",
    );
    expect(message).toContain(
      "bad.yaml:6: checkers.1: unknown checker: valid checkers are zookeeper, linearizability, availability, transactions, internal-errors, recovery",
    );
    expect(message).toContain("bad.yaml:7: duration: duration 'soon' is not a duration");
    expect(message).toContain(
      "bad.yaml:8: (top level): unknown field 'bogus': remove it or fix the spelling",
    );
    // The whole reason, the line itself and a caret under the column (it was cut off mid-line).
    expect(() => parseScenario("name: x\ndescription: a: b: c\n", "y.yaml")).toThrow(
      /y\.yaml:2:\d+: not valid YAML: [^\n]*[^:]\n {2}description: a: b: c\n {2} *\^$/,
    );
    expect(() => parseScenario("- 1\n- 2\n", "z.yaml")).toThrow(
      /z\.yaml:1: a scenario is a YAML mapping/,
    );
    expect(() =>
      parseScenario(
        "name: x\nnodes: [3]\nfaults:\n  - at: 1s\n    fault: { kind: kill, target: 5 }\n",
        "t.yaml",
      ),
    ).toThrow(/t\.yaml:5: faults\.0\.fault\.target: server 5 does not exist in a 3-node ensemble/);
  });

  it("exports a JSON Schema for editors", () => {
    const schema = scenarioJsonSchema() as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(["name", "nodes", "faults", "workload", "checkers"]),
    );
    expect(schema.required).toContain("name");
  });
});

describe("plans", () => {
  const scenario = parseScenario(
    [
      "name: mix",
      "nodes: [3, 5]",
      "faults:",
      "  - { at: 2s, for: 3s, fault: { kind: kill, count: f+1 } }",
      "random:",
      "  kinds: [kill, partition, latency]",
    ].join("\n"),
    "mix.yaml",
  );

  it("same seed, same plan, byte for byte; another seed, another plan", () => {
    expect(JSON.stringify(planRun(scenario, 5, 42))).toBe(JSON.stringify(planRun(scenario, 5, 42)));
    expect(JSON.stringify(planRun(scenario, 5, 43))).not.toBe(
      JSON.stringify(planRun(scenario, 5, 42)),
    );
  });

  it("resolves f and f+1 for the size", () => {
    expect(planRun(scenario, 5, 1).schedule.find((item) => item.id === "f1")?.spec).toEqual({
      kind: "kill",
      count: 3,
    });
    expect(planRun(scenario, 3, 1).schedule.find((item) => item.id === "f1")?.spec).toEqual({
      kind: "kill",
      count: 2,
    });
  });

  it("shards the matrix deterministically and completely", () => {
    const scenarios = [
      { file: "a", scenario },
      { file: "b", scenario },
    ];
    const all = matrixEntries(scenarios, [1, 3, 5]);
    const shards = [1, 2, 3, 4].map((index) => matrixEntries(scenarios, [1, 3, 5], [index, 4]));
    expect(shards.flat().length).toBe(all.length);
    expect(new Set(shards.flat().map((e) => `${e.file}${e.nodes}`)).size).toBe(all.length);
    expect(parseShard("2/4")).toEqual([2, 4]);
    expect(() => parseShard("5/4")).toThrow(/--shard '5\/4' must look like i\/n/);
  });
});

describe("a role pinned at a named fault", () => {
  const text = (pinAt: string) =>
    [
      "name: pinned",
      "nodes: [3]",
      "workload:",
      "  kind: registers",
      "  workers: 4",
      "  roles:",
      `    - { workers: 2, mix: { syncedRead: 1 }, pin: leader, pinAt: ${pinAt} }`,
      "faults:",
      "  - { id: cut, at: 2s, for: 1s, fault: { kind: isolate, target: leader } }",
      "",
    ].join("\n");

  it("names a fault of the scenario", () => {
    expect(parseScenario(text("cut"), "p.yaml").workload.roles?.[0]?.pinAt).toBe("cut");
  });

  it("naming no fault is refused with the file, line and the ids there are", () => {
    expect(() => parseScenario(text("cutt"), "p.yaml")).toThrow(
      /p\.yaml:7.*workload\.roles\.0\.pinAt: no fault 'cutt' in this scenario: use one of cut/,
    );
  });
});

describe("a scenario that checks nothing", () => {
  it("is refused before anything starts: a run that checks nothing is never valid", () => {
    expect(() =>
      parseScenario("name: nothing\nnodes: [3]\ncheckers: []\n", "nothing.yaml"),
    ).toThrow(/nothing\.yaml:3.*a run that checks nothing is never valid/);
  });
});
