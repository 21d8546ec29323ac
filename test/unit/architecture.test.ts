import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cruise, type IConfiguration, type ICruiseResult } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const config = createRequire(import.meta.url)(
  join(repo, ".dependency-cruiser.cjs"),
) as IConfiguration;

/** Cruises `paths` under `baseDir` with the project's rules; returns "rule: from -> to" per violation. */
async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const { output } = await cruise(paths, {
    ...config.options,
    ...(baseDir === repo ? {} : { tsConfig: undefined }),
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
    outputType: "json",
  } as Parameters<typeof cruise>[1]);
  const result = JSON.parse(output as string) as ICruiseResult;
  return (result.summary.violations ?? []).map(
    (violation) => `${violation.rule.name}: ${violation.from} -> ${violation.to}`,
  );
}

describe("architecture: the history, the registries and the interfaces are the only doors", () => {
  it("src/ keeps every import rule", async () => {
    expect(await violations(repo, ["src"])).toEqual([]);
  });

  const fixture = mkdtempSync(join(tmpdir(), "zkchaos-arch-"));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  };

  it("each rule fires on the import it forbids", async () => {
    write("src/network/connectivity.ts", "export const majority = (n: number) => n;\n");
    write("src/network/kernel-network.ts", "export class KernelNetwork {}\n");
    write("src/ensemble/local/local-ensemble.ts", "export class LocalEnsemble {}\n");
    write("src/ensemble/docker/docker-ensemble.ts", "export const image = 'x';\n");
    write("src/ensemble/ensemble.ts", "export interface Ensemble { size: number }\n");
    write(
      "src/ensemble/ssh/ssh-ensemble.ts",
      'import { KernelNetwork } from "../../network/kernel-network.js";\nexport const k = KernelNetwork;\n',
    );
    write("src/runner/run-plan.ts", "export interface RunResult { ok: boolean }\n");
    write(
      "src/providers/local.ts",
      'export { LocalEnsemble } from "../ensemble/local/local-ensemble.js";\n',
    );
    write("src/providers/registry.ts", 'export { LocalEnsemble } from "./local.js";\n');
    write(
      "src/remote/ssh-host.ts",
      'import { KernelNetwork } from "../network/kernel-network.js";\nexport const h = KernelNetwork;\n',
    );
    write(
      "src/checkers/availability.ts",
      'import { majority } from "../network/connectivity.js";\nexport const m = majority;\n',
    );
    write(
      "src/checkers/recovery.ts",
      'import { LocalEnsemble } from "../providers/registry.js";\nexport const r = LocalEnsemble;\n',
    );
    write("src/checkers/verdict.ts", "export type Verdict = boolean;\n");
    write(
      "src/history/imported-ops.ts",
      'import type { Verdict } from "../checkers/verdict.js";\nexport type V = Verdict;\n',
    );
    write(
      "src/report/results.ts",
      'import type { RunResult } from "../runner/run-plan.js";\nexport type R = RunResult;\n',
    );
    write(
      "src/faults/nemesis.ts",
      'import { LocalEnsemble } from "../ensemble/local/local-ensemble.js";\nimport type { Ensemble } from "../ensemble/ensemble.js";\nexport const n = [LocalEnsemble] as unknown as Ensemble[];\n',
    );
    write(
      "src/cli/run.ts",
      'import { image } from "../ensemble/docker/docker-ensemble.js";\nimport { LocalEnsemble } from "../providers/local.js";\nexport const i = [image, LocalEnsemble];\n',
    );
    write(
      "src/topology/invariants.ts",
      'import { LocalEnsemble } from "../workload/a.js";\nexport const t = LocalEnsemble;\n',
    );
    write(
      "src/workload/a.ts",
      'export { LocalEnsemble } from "../ensemble/local/local-ensemble.js";\n',
    );
    write("src/testing/synthetic-history.ts", "export const synthetic = [];\n");
    write(
      "src/report/html.ts",
      'import { synthetic } from "../testing/synthetic-history.js";\nexport const h = synthetic;\n',
    );
    write(
      "src/store/store-index.ts",
      'import type { RunResult } from "../runner/run-plan.js";\nexport type S = RunResult;\n',
    );
    write("src/util/a.ts", 'import { b } from "./b.js";\nexport const a = b;\n');
    write("src/util/b.ts", 'import { a } from "./a.js";\nexport const b = () => a;\n');
    const found = await violations(fixture, ["src"]);
    expect(found).toEqual(
      expect.arrayContaining([
        "checkers-read-only-the-history: src/checkers/availability.ts -> src/network/connectivity.ts",
        "checkers-read-only-the-history: src/checkers/recovery.ts -> src/providers/registry.ts",
        "history-below-checkers: src/history/imported-ops.ts -> src/checkers/verdict.ts",
        "reports-read-the-results-document: src/report/results.ts -> src/runner/run-plan.ts",
        "providers-only-through-the-registry: src/faults/nemesis.ts -> src/ensemble/local/local-ensemble.ts",
        "providers-only-through-the-registry: src/cli/run.ts -> src/ensemble/docker/docker-ensemble.ts",
        "providers-only-through-the-registry: src/workload/a.ts -> src/ensemble/local/local-ensemble.ts",
        "provider-entries-behind-the-registry: src/cli/run.ts -> src/providers/local.ts",
        "ensemble-never-imports-network: src/ensemble/ssh/ssh-ensemble.ts -> src/network/kernel-network.ts",
        "remote-hosts-below-their-users: src/remote/ssh-host.ts -> src/network/kernel-network.ts",
        "test-fixtures-stay-out-of-the-library: src/report/html.ts -> src/testing/synthetic-history.ts",
        "domain-modules-are-pure: src/topology/invariants.ts -> src/workload/a.ts",
        "the-store-reads-run-folders: src/store/store-index.ts -> src/runner/run-plan.ts",
        "no-cycles: src/util/a.ts -> src/util/b.ts",
      ]),
    );
    // The registry, its entries and the interface are allowed doors.
    expect(found.filter((line) => line.includes("src/providers/local.ts ->"))).toEqual([]);
    expect(found.filter((line) => line.includes("src/providers/registry.ts ->"))).toEqual([]);
    expect(found.filter((line) => line.includes("-> src/ensemble/ensemble.ts"))).toEqual([]);
  });
});
