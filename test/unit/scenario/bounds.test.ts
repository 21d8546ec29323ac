import { describe, expect, it } from "vitest";
import { parseScenario } from "../../../src/scenario/load-scenario.js";

/** A scenario with one line replaced or added. */
const scenario = (
  extra: readonly string[],
  workload = "workload: { kind: registers, workers: 4 }",
) => ["name: bounds", "nodes: [3, 5]", "duration: 10s", workload, ...extra, ""].join("\n");

const fault = (text: string) => ["faults:", `  - ${text}`];

describe("every bad number of a scenario is refused up front, naming file, line and field", () => {
  it.each([
    [
      "a negative duration",
      [],
      /b\.yaml:3: duration: -5 is not a duration/,
      ["duration: 10s", "duration: -5"],
    ],
    ["a zero-length run", [], /duration: must be above zero/, ["duration: 10s", "duration: 0s"]],
    [
      "a duration beyond a day",
      [],
      /duration: longer than a day/,
      ["duration: 10s", "duration: 900h"],
    ],
    [
      "a negative start",
      fault("{ at: -1, for: 1s, fault: { kind: kill } }"),
      /faults\.0\.at: -1 is not a duration/,
    ],
    [
      "a fault after the run's end",
      fault("{ at: 1h, for: 1s, fault: { kind: kill } }"),
      /b\.yaml:6: faults\.0\.at: starts at 3600 s, when the 10 s run is over/,
    ],
    [
      "a count above the smallest size",
      fault("{ at: 1s, for: 1s, fault: { kind: kill, count: 4 } }"),
      /faults\.0\.fault\.count: 4 servers, but the 3-node ensemble has 3/,
    ],
    [
      "a server id above the smallest size in a partition",
      fault("{ at: 1s, for: 1s, fault: { kind: partition, groups: [[1, 2], [5]] } }"),
      /faults\.0\.fault\.groups: server 5 does not exist in a 3-node ensemble/,
    ],
    [
      "an empty partition group",
      fault("{ at: 1s, for: 1s, fault: { kind: partition, groups: [[1, 2], []] } }"),
      /a group needs a server/,
    ],
    [
      "overlapping partition groups",
      fault("{ at: 1s, for: 1s, fault: { kind: partition, groups: [[1, 2], [2, 3]] } }"),
      /a server stands in two groups/,
    ],
    [
      "a link to a server that does not exist",
      fault("{ at: 1s, for: 1s, fault: { kind: latency, latency: 50, links: [[1, 7]] } }"),
      /faults\.0\.fault\.links: server 7 does not exist/,
    ],
    [
      "a trigger on a server that does not exist",
      fault(
        "{ at: 1s, for: 1s, when: { log: x, server: 4 }, fault: { kind: kill, target: logged } }",
      ),
      /faults\.0\.when\.server: server 4 does not exist/,
    ],
    [
      "random gaps the wrong way round",
      ["random: { kinds: [kill], minGap: 5s, maxGap: 1s }"],
      /random\.minGap: minGap is above maxGap/,
    ],
    [
      "random gaps of zero",
      ["random: { kinds: [kill], minGap: 0s }"],
      /random\.minGap: must be above zero/,
    ],
    ["an absurd heap", ["zookeeper: { heapMb: 9999999 }"], /zookeeper\.heapMb: at most 32768 MB/],
    [
      "a name too long for a folder",
      [],
      /name: at most 80 characters/,
      ["name: bounds", `name: ${"a".repeat(200)}`],
    ],
  ])("%s", (_, extra: readonly string[], message: RegExp, replace?: readonly string[]) => {
    const text = scenario(extra);
    const [from, to] = replace ?? [];
    expect(() =>
      parseScenario(
        from !== undefined && to !== undefined ? text.replace(from, to) : text,
        "b.yaml",
      ),
    ).toThrow(message);
  });

  it.each([
    [
      "a rate of zero",
      "workload: { kind: registers, workers: 4, rate: 0 }",
      /workload\.rate: operations per second per worker: above zero/,
    ],
    [
      "a rate of 1e12",
      "workload: { kind: registers, workers: 4, rate: 1e12 }",
      /workload\.rate: at most 10000/,
    ],
    [
      "a zero operation timeout",
      "workload: { kind: registers, workers: 4, operationTimeout: 0s }",
      /workload\.operationTimeout: must be above zero/,
    ],
    [
      "a zero session timeout",
      "workload: { kind: registers, workers: 4, sessionTimeout: 0 }",
      /workload\.sessionTimeout: must be above zero/,
    ],
  ])("%s", (_, workload, message) => {
    expect(() => parseScenario(scenario([], workload), "b.yaml")).toThrow(message);
  });

  it("a YAML alias bomb is refused as bad input, not a stack trace", () => {
    const bomb = [
      "name: bomb",
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
      "",
    ].join("\n");
    expect(() => parseScenario(bomb, "bomb.yaml")).toThrow(
      /bomb\.yaml:1: not a scenario: .*alias/i,
    );
  });

  it("a fault at 0 s and one that heals at once stay valid (a kill at 0 s is a real case)", () => {
    expect(
      parseScenario(scenario(fault("{ at: 0s, for: 0s, fault: { kind: restart } }")), "b.yaml")
        .faults[0]?.at,
    ).toBe(0);
  });

  it("a message fault's count is of messages: 200 held PROPOSALs on a 3-node ensemble are fine", () => {
    const parsed = parseScenario(
      scenario(
        fault(
          "{ at: 1s, for: 5s, fault: { kind: hold-message, match: { type: PROPOSAL }, link: { from: leader, to: follower }, count: 200 } }",
        ),
      ),
      "b.yaml",
    );
    expect(parsed.faults[0]?.fault).toMatchObject({ kind: "hold-message", count: 200 });
  });
});
