import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnCli } from "../../helpers/cli.js";
import {
  freshFolder,
  freshRuntimeRoot,
  jvmsUnder,
  leakedPortLocks,
} from "../../helpers/runtime.js";

const runtimeRoot = freshRuntimeRoot();
const outFolder = freshFolder("zk-chaos-validate-parallel-");

it("validate --parallel 2 runs two at once (the matrix beside a scenario), each on its own ensemble, keeps the suite's order in the report and leaves nothing", async () => {
  const root = runtimeRoot();
  const cli = spawnCli(
    ["validate", "--nodes", "3", "--quick", "--parallel", "2", "--seed", "9", "--out", outFolder()],
    { ZK_CHAOS_RUNTIME_DIR: root },
  );
  expect(await cli.exited, cli.output()).toBe(0);
  const output = cli.output();
  expect(output).toMatch(/3 server\(s\), \d+ agent\(s\): VALID/);
  expect(output).toMatch(/tolerates 1 failure\(s\) as measured; quorum math promises 1/);
  // The matrix and the first scenario share the pool: the scenario starts before the matrix's
  // last cell is measured.
  const lines = output.split("\n");
  const started = (index: number) =>
    lines.findIndex((line) => new RegExp(`\\(${index}/3\\): running`).test(line));
  const lastCell = lines.findIndex((line) => /n=3 partition 3: expected/.test(line));
  expect(started(1), output).toBeGreaterThanOrEqual(0);
  expect(started(1), output).toBeLessThan(lastCell);
  // The report lists the runs in the suite's order, whatever order they ended in.
  const [folder] = output.match(/\/[^\s]*-validate-n3/) ?? [];
  const index = readFileSync(join(folder as string, "index.md"), "utf8");
  const order = [...index.matchAll(/\]\(([a-z0-9-]+)-n3\/report\.html\)/g)].map(
    (match) => match[1],
  );
  expect(order, index).toHaveLength(3);
  expect(order).toEqual([...order].sort());
  expect(jvmsUnder(root)).toEqual([]);
  expect(leakedPortLocks()).toEqual([]);
}, 300_000);
