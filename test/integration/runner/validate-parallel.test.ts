import { readFileSync, statSync } from "node:fs";
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

it("validate --parallel 2 runs two at once (the matrix beside a scenario), a later scenario on the ensemble an earlier one gave back, keeps the suite's order in the report and leaves nothing", async () => {
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
  // The scenarios take the size's ensembles in turn: one slot's next run reuses what the last gave
  // back, and each keeps the log lines written while it held it.
  const pooled =
    /n=3: (\d+) ensemble\(s\) started for 3 scenario\(s\), (\d+) run\(s\) on one an earlier run gave back/.exec(
      output,
    );
  expect(pooled, output).not.toBeNull();
  expect(Number(pooled?.[1])).toBeLessThanOrEqual(2);
  expect(Number(pooled?.[2])).toBeGreaterThanOrEqual(1);
  for (const scenario of order)
    expect(
      statSync(join(folder as string, `${scenario}-n3`, "logs", "server-1.log")).size,
    ).toBeGreaterThan(0);
  expect(jvmsUnder(root)).toEqual([]);
  expect(leakedPortLocks()).toEqual([]);
}, 300_000);
