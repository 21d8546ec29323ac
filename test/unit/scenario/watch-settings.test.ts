import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { withWatchers } from "../../../src/runner/run-matrix.js";
import { refuseUnsupportedWatches } from "../../../src/runner/run-plan.js";
import { loadScenario, parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

const WATCHES = fileURLToPath(new URL("../../../scenarios/watches/", import.meta.url));

describe("watching agents in scenarios and on the command line", () => {
  it("reads a scenario's watch settings with their defaults, and names a bad one's line and fix", () => {
    const scenario = parseScenario(
      "name: x\nnodes: [3]\nworkload: { kind: topology, watch: { agents: 2 } }\n",
      "w.yaml",
    );
    expect(scenario.workload.watch).toEqual({ agents: 2, mode: "one-time", probe: 250 });
    expect(() =>
      parseScenario(
        "name: x\nnodes: [3]\nworkload:\n  watch: { agents: 2, mode: forever }\n",
        "m.yaml",
      ),
    ).toThrow(/m\.yaml:4: workload\.watch\.mode: .*one-time.*persistent/);
    expect(() =>
      parseScenario(
        "name: x\nnodes: [3]\nworkload:\n  watch: { agents: 2, brokenClient: { kind: lose } }\n",
        "b.yaml",
      ),
    ).toThrow(/b\.yaml:4: workload\.watch\.brokenClient\.kind/);
  });

  it("ships scenarios whose watching agents the plan carries", () => {
    const scenario = loadScenario(`${WATCHES}broken-client-swap.yaml`);
    expect(planRun(scenario, 3, 1).workload.watch?.brokenClient).toEqual({
      kind: "swap",
      after: 5,
    });
    expect(loadScenario(`${WATCHES}expiring-watchers.yaml`).workload.watch?.pin).toBe("leader");
  });

  it("adds watching agents to any plan, and refuses persistent watches before 3.6 naming the version", () => {
    const plan = withWatchers(planRun(loadScenario(`${WATCHES}../kill-leader.yaml`), 3, 1), {
      agents: 3,
      mode: "persistent",
      probe: 250,
    });
    expect(plan.workload.watch?.agents).toBe(3);
    expect(() => refuseUnsupportedWatches(plan, "3.5.10")).toThrow(
      /watch mode 'persistent' needs ZooKeeper 3\.6 or later \(addWatch\); this ensemble runs 3\.5\.10: use mode 'one-time'/,
    );
    expect(() => refuseUnsupportedWatches(plan, "3.6.4")).not.toThrow();
  });

  it("--watchers takes 1 to 100 and --watch-mode one of two modes, else exit 2 before anything starts", async () => {
    const run = async (...argv: string[]) => {
      let err = "";
      const code = await main(argv, { out: () => {}, err: (text) => (err += text) });
      return { code, err };
    };
    const tooMany = await run("run", `${WATCHES}expiring-watchers.yaml`, "--watchers", "101");
    expect(tooMany.code).toBe(2);
    expect(tooMany.err).toContain("--watchers: at most 100 watching agents, got 101");
    const badMode = await run("validate", "--nodes", "3", "--watchers", "2", "--watch-mode", "x");
    expect(badMode.code).toBe(2);
    expect(badMode.err).toMatch(/--watch-mode <mode>' argument 'x' is invalid/);
  });
});
