import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { spawnCommand } from "../../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const ACTION = join(ROOT, "action.yml");
const RUN_STEP = join(ROOT, "scripts/action/run.sh");
const workspace = mkdtempSync(join(tmpdir(), "zk-chaos-action-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** Runs the action's run step as GitHub would: inputs as environment, the workspace as the folder. */
function runStep(inputs: Record<string, string>, name: string) {
  const files = {
    summary: join(workspace, `${name}-summary.md`),
    output: join(workspace, `${name}-output.txt`),
  };
  const step = spawnCommand("bash", [RUN_STEP], {
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_ACTIONS: "true",
    GITHUB_RUN_NUMBER: "41",
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    ...inputs,
  });
  return { step, files };
}

describe("the GitHub Action (action.yml)", () => {
  it("is a valid action (action-validator, against GitHub's schema) whose inputs all reach the run step", () => {
    const validator = createRequire(import.meta.url).resolve("@action-validator/cli/cli.mjs");
    const result = spawnSync(process.execPath, [validator, ACTION], { encoding: "utf8" });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    const action = parse(readFileSync(ACTION, "utf8")) as {
      inputs: Record<string, unknown>;
      runs: { steps: { id?: string; run?: string; env?: Record<string, string> }[] };
    };
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        "scenarios",
        "nodes",
        "zookeeper-version",
        "shard",
        "provider",
        "budget",
      ]),
    );
    const run = action.runs.steps.find((step) => step.id === "run");
    const passed = Object.values(run?.env ?? {}).join(" ");
    for (const input of Object.keys(action.inputs).filter((name) => name !== "artifact-name"))
      expect(passed, `input ${input}`).toContain(`inputs.${input} }}`);
    // No input is pasted into a script, where a crafted value would run as code.
    for (const step of action.runs.steps) expect(step.run ?? "").not.toMatch(/\$\{\{/);
  });

  it("runs a scenario glob from the workspace to a valid report: step summary, outputs, run folder, no annotation", async () => {
    writeFileSync(
      join(workspace, "tiny-baseline.yaml"),
      "name: tiny-baseline\ndescription: one server, no faults\nnodes: [1]\nduration: 3s\nworkload: { kind: registers, workers: 2, rate: 10 }\n",
    );
    const { step, files } = runStep(
      {
        ZK_CHAOS_SCENARIOS: `${workspace}/tiny-*.yaml`,
        ZK_CHAOS_NODES: "1",
        ZK_CHAOS_OUT: join(workspace, "reports"),
      },
      "valid",
    );
    expect(await step.exited, step.output()).toBe(0);
    expect(step.output()).toMatch(/valid +tiny-baseline zk=\S+ n=1 seed=41/);
    expect(step.output()).not.toMatch(/::error/);
    expect(readFileSync(files.output, "utf8")).toBe(
      `exit-code=0\nreport-folder=${join(workspace, "reports")}\n`,
    );
    expect(readFileSync(files.summary, "utf8")).toMatch(/tiny-baseline/);
    const folders = readdirSync(join(workspace, "reports"));
    expect(
      folders.some(
        (name) => name.startsWith("tiny-baseline") || name.includes("-tiny-baseline-n1"),
      ),
    ).toBe(true);
  });

  it("a glob that matches nothing, or an input crafted as shell code, is refused with exit 2 and runs nothing", async () => {
    const marker = join(workspace, "pwned");
    const { step, files } = runStep(
      { ZK_CHAOS_SCENARIOS: `nothing-*.yaml $(touch ${marker}) ;touch ${marker}` },
      "refused",
    );
    expect(await step.exited, step.output()).toBe(2);
    expect(step.output()).toMatch(
      /::error title=zk-chaos::no scenario file matches 'nothing-\*\.yaml': check the scenarios input/,
    );
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(files.output)).toBe(false);
  });
});
