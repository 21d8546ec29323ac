import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { spawnCommand } from "../../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "zk-chaos-install-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** This Node's own folder first on PATH: npm, npx and the installed CLI run on the Node running the tests. */
const env = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}` };

/** Runs npm (or npx) in a folder, its output collected; no shell. */
async function npm(tool: "npm" | "npx", args: string[], cwd: string): Promise<string> {
  const child = spawnCommand(
    join(dirname(process.execPath), tool),
    args,
    { ...env, NPM_CONFIG_UPDATE_NOTIFIER: "false" },
    undefined,
    cwd,
  );
  const code = await child.exited;
  expect(code, `${tool} ${args.join(" ")} in ${cwd}:\n${child.output()}`).toBe(0);
  return child.output();
}

/** An empty project folder, as a user would start from. */
function emptyProject(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `try-${name}`, private: true })}\n`,
  );
  return dir;
}

/** The installed CLI runs a bundled scenario to a valid report in that folder. */
async function runsABundledScenario(project: string): Promise<void> {
  const output = await npm(
    "npx",
    [
      "--no-install",
      "zk-chaos",
      "run",
      "node_modules/zk-chaos/scenarios/baseline.yaml",
      "--nodes",
      "1",
      "--duration",
      "3s",
      "--seed",
      "5",
      "--out",
      "reports",
    ],
    project,
  );
  expect(output).toMatch(/valid +baseline zk=\S+ n=1 seed=5/);
  const [folder] = readdirSync(join(project, "reports"));
  expect(folder).toMatch(/baseline-n1-zk/);
  for (const file of ["results.json", "report.html", "history.jsonl"])
    expect(existsSync(join(project, "reports", folder as string, file)), file).toBe(true);
}

describe("installing zk-chaos from outside this repository", () => {
  it.concurrent("npm pack, then npm install of the tarball in an empty folder: npx zk-chaos runs a bundled scenario", async () => {
    // The build the tests run on is current (the test command builds first); packing does not rebuild
    // it under the feet of tests running beside this one.
    const packed = await npm(
      "npm",
      ["pack", "--ignore-scripts", "--pack-destination", scratch, "--loglevel=error"],
      ROOT,
    );
    const name = packed.split("\n").find((line) => /^zk-chaos-.*\.tgz$/.test(line.trim()));
    const tarball = join(scratch, (name ?? "no tarball named in npm's output").trim());
    expect(tarball).toMatch(/zk-chaos-\d+\.\d+\.\d+\.tgz$/);
    const project = emptyProject("from-tarball");
    await npm("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], project);
    // The package carries what a user reads and what the GitHub Action runs.
    for (const shipped of [
      "docs/scenarios.md",
      "action.yml",
      "scripts/action/run.sh",
      "scenarios/scenario.schema.json",
    ])
      expect(existsSync(join(project, "node_modules/zk-chaos", shipped)), shipped).toBe(true);
    await runsABundledScenario(project);
  }, 300_000);

  it.concurrent("npm install of the git repository builds through prepare: npx zk-chaos runs a bundled scenario", async () => {
    // The committed state of this clone (what a git URL would give).
    const head = spawnSync("git", ["-C", ROOT, "rev-parse", "HEAD"], { encoding: "utf8" });
    expect(head.status, head.stderr).toBe(0);
    const project = emptyProject("from-git");
    await npm(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `git+file://${ROOT.replace(/\/$/, "")}#${head.stdout.trim()}`,
      ],
      project,
    );
    expect(existsSync(join(project, "node_modules/zk-chaos/dist/src/cli/main.js"))).toBe(true);
    await runsABundledScenario(project);
  }, 420_000);
});
