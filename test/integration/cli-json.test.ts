import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "zkchaos-json-"));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The CLI's stdout alone (spawnCli merges both streams; --json keeps stdout to the document). */
function documentOf(output: string): Record<string, unknown> {
  const start = output.indexOf("{\n");
  const end = output.lastIndexOf("\n}");
  return JSON.parse(output.slice(start, end + 2)) as Record<string, unknown>;
}

describe("--json: one JSON document on stdout", () => {
  it("run --json: every run's results, the exit code unchanged", async () => {
    const cli = spawnCli([
      "run",
      "scenarios/baseline.yaml",
      "--nodes",
      "1",
      "--duration",
      "2s",
      "--seed",
      "5",
      "--out",
      out,
      "--json",
    ]);
    expect(await cli.exited, cli.output()).toBe(0);
    const document = documentOf(cli.output());
    expect(document).toMatchObject({ interrupted: false, out });
    const runs = document.runs as { scenario: string; seed: number; valid: unknown }[];
    expect(runs.map((run) => [run.scenario, run.seed, run.valid])).toEqual([["baseline", 5, true]]);
    expect(cli.output()).not.toMatch(/^valid +baseline/m);
  });

  it("run --quiet: only the result lines, no progress and no log lines", async () => {
    const cli = spawnCli([
      "run",
      "scenarios/baseline.yaml",
      "--nodes",
      "1",
      "--duration",
      "2s",
      "--seed",
      "6",
      "--out",
      out,
      "--quiet",
    ]);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/^valid +baseline zk=\S+ n=1 seed=6/m);
    expect(cli.output()).not.toMatch(/zk-chaos: |\| running \|/);
  });

  it("ensemble up --json: the connect string and servers once up, the rest on stderr", async () => {
    const cli = spawnCli(["ensemble", "up", "--nodes", "1", "--for", "1s", "--json"]);
    expect(await cli.exited, cli.output()).toBe(0);
    const document = documentOf(cli.output());
    expect(document.size).toBe(1);
    expect(String(document.connectString)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((document.servers as { status: { mode: string } }[])[0]?.status.mode).toBe("leader");
  });
});
