import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const WORKFLOW = new URL("../../../docs/ci/nightly.yml", import.meta.url).pathname;
const PACKAGE = JSON.parse(
  readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
) as { files: string[] };

describe("docs/ci/nightly.yml, for projects that install zk-chaos", () => {
  it("is a valid GitHub Actions workflow (action-validator, against GitHub's schema)", () => {
    const validator = createRequire(import.meta.url).resolve("@action-validator/cli/cli.mjs");
    const result = spawnSync(process.execPath, [validator, WORKFLOW], { encoding: "utf8" });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it("runs the scenarios shipped in the package, reads only, caches npm, and uploads each test once", () => {
    const workflow = parse(readFileSync(WORKFLOW, "utf8")) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { run?: string; with?: Record<string, string> }[] }>;
    };
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(PACKAGE.files).toContain("scenarios");
    const suites = Object.entries(workflow.jobs).filter(
      ([name]) => !["explore", "explore-merge", "store", "chaos"].includes(name),
    );
    expect(suites.length).toBeGreaterThan(0);
    for (const [, job] of suites) {
      const runs = job.steps.map((step) => step.run ?? "").join("\n");
      expect(runs).toMatch(/npx zk-chaos run node_modules\/zk-chaos\/scenarios\/\*\.yaml/);
      expect(runs).not.toMatch(/bin\/zk-chaos\.js|npm run build/);
      expect(job.steps.some((step) => step.with?.cache === "npm")).toBe(true);
      const junit = job.steps.flatMap((step) =>
        (step.with?.path ?? "").includes("junit.xml") ? [step.with?.path] : [],
      );
      // The summary's junit.xml holds every run: the per-run ones would count each test twice.
      expect(junit).toHaveLength(1);
      expect(junit[0]).toMatch(/-summary.*\/junit\.xml$/);
    }
  });

  it("searches each night from the last night's corpus, replays committed findings, and uploads its JUnit", () => {
    const workflow = parse(readFileSync(WORKFLOW, "utf8")) as {
      jobs: Record<
        string,
        { steps: { run?: string; uses?: string; if?: string; with?: Record<string, string> }[] }
      >;
    };
    const steps = workflow.jobs.explore?.steps ?? [];
    // Shards only restore the corpus: the merge job saves the joined one.
    const cache = steps.find((step) => step.uses?.startsWith("actions/cache/restore@"));
    expect(cache?.with?.path).toBe("chaos-corpus");
    expect(cache?.with?.["restore-keys"]).toBe("zk-chaos-corpus-");
    const runs = steps.map((step) => step.run ?? "").join("\n");
    expect(runs).toMatch(
      /npx zk-chaos explore --budget 30m .*--shard \$\{\{ matrix\.shard \}\}\/2 --parallel 2.*--corpus chaos-corpus/s,
    );
    expect(runs).toMatch(/npx zk-chaos run chaos\/regressions\/\*\.yaml/);
    expect(steps.some((step) => step.with?.path === "reports/explore/junit.xml")).toBe(true);
    // The merge job joins what the shards uploaded and saves tomorrow's corpus.
    const merge = workflow.jobs["explore-merge"]?.steps ?? [];
    const uploaded = steps.find((step) => step.with?.name?.startsWith("explore-"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    expect(uploaded?.with?.name).toBe("explore-${{ matrix.shard }}");
    const download = merge.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with).toMatchObject({ pattern: "explore-*", path: "shards" });
    expect(merge.map((step) => step.run ?? "").join("\n")).toMatch(
      /npx zk-chaos explore merge shards\/explore-1\/reports\/explore shards\/explore-1\/chaos-corpus shards\/explore-2\/reports\/explore shards\/explore-2\/chaos-corpus --into merged/,
    );
    const save = merge.find((step) => step.uses?.startsWith("actions/cache/save@"));
    expect(save?.with).toMatchObject({
      path: "chaos-corpus",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
      key: "zk-chaos-corpus-${{ github.run_number }}",
    });
  });

  it("keeps a store of nights in the cache, indexes tonight's shards into it, and fails only on a new finding or a regression", () => {
    const workflow = parse(readFileSync(WORKFLOW, "utf8")) as {
      jobs: Record<
        string,
        {
          needs?: string[];
          if?: string;
          steps: { run?: string; uses?: string; with?: Record<string, string> }[];
        }
      >;
    };
    const job = workflow.jobs.store;
    expect(job?.needs).toEqual(["chaos", "chaos-docker"]);
    expect(job?.if).toBe("always()");
    const steps = job?.steps ?? [];
    const cache = steps.find((step) => step.uses?.startsWith("actions/cache@"));
    expect(cache?.with?.path).toBe("chaos-store");
    expect(cache?.with?.["restore-keys"]).toBe("zk-chaos-store-");
    const download = steps.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.path).toMatch(/^chaos-store\//);
    const runs = steps.map((step) => step.run ?? "").join("\n");
    expect(runs).toMatch(/npx zk-chaos store chaos-store/);
    expect(runs).toMatch(
      /npx zk-chaos trend chaos-store .*--fail-on-regression.*--fail-on-new-anomaly/s,
    );
    expect(steps.some((step) => step.with?.path === "trend.html")).toBe(true);
    // The suites themselves pass an anomaly (exit 1) on to the store job, never bad input.
    const action = workflow.jobs.chaos?.steps.find((step) => step.uses?.startsWith("zk-chaos/"));
    expect(action?.with?.["fail-on-anomaly"]).toBe("false");
    for (const name of ["chaos-docker"]) {
      const suite = workflow.jobs[name]?.steps.map((step) => step.run ?? "").join("\n") ?? "";
      expect(suite).toMatch(/\|\| code=\$\?\n\[ "\$code" -le 1 \]/);
    }
  });

  it("runs the standard suite through zk-chaos's own action, a shard per matrix entry, with inputs the action declares", () => {
    const workflow = parse(readFileSync(WORKFLOW, "utf8")) as {
      jobs: Record<
        string,
        {
          strategy?: { matrix?: { shard?: number[] } };
          steps: { uses?: string; with?: Record<string, string> }[];
        }
      >;
    };
    const action = parse(readFileSync(new URL("../../../action.yml", import.meta.url), "utf8")) as {
      inputs: Record<string, unknown>;
    };
    const job = workflow.jobs.chaos;
    const shards = job?.strategy?.matrix?.shard ?? [];
    expect(shards).toEqual([1, 2, 3, 4]);
    const step = job?.steps.find((each) => each.uses?.startsWith("zk-chaos/zk-chaos@"));
    expect(step?.with?.shard).toBe(`\${{ matrix.shard }}/${shards.length}`);
    for (const input of Object.keys(step?.with ?? {}))
      expect(Object.keys(action.inputs), `input ${input}`).toContain(input);
    // Each shard's artifact is one the store job downloads (reports-*).
    expect(step?.with?.["artifact-name"]).toMatch(/^reports-/);
    expect(PACKAGE.files).toEqual(expect.arrayContaining(["action.yml", "scripts/action"]));
  });
});
