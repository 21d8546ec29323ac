import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "zkc-cli-start-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Registers a resolve hook that writes every module the CLI loads to stderr,
 * then runs the installed entry point with `args`.
 */
function loadedModules(args: readonly string[]): { status: number | null; modules: string[] } {
  // In-thread hooks (Node 22.15+): the off-thread loader of register() may lose its output at a fast exit.
  const register = `data:text/javascript,${encodeURIComponent(
    'import { registerHooks } from "node:module"; import { writeSync } from "node:fs"; registerHooks({ resolve(s, c, next) { const r = next(s, c); writeSync(2, "LOADED " + r.url + "\\n"); return r; } });',
  )}`;
  const child = spawnSync(
    process.execPath,
    ["--import", register, join(ROOT, "bin", "zk-chaos.js"), ...args],
    { cwd: ROOT, encoding: "utf8" },
  );
  const modules = child.stderr
    .split("\n")
    .filter((line) => line.startsWith("LOADED "))
    .map((line) => line.slice("LOADED ".length));
  return { status: child.status, modules };
}

describe("a command loads only what it uses", () => {
  it("--version loads no command", () => {
    const { status, modules } = loadedModules(["--version"]);
    expect(status).toBe(0);
    expect(modules.filter((url) => url.includes("-command.js"))).toEqual([]);
  });

  it("check loads no provider, no testcontainers, no ssh2, and no other command", () => {
    const file = join(work, "history.edn");
    writeFileSync(
      file,
      [
        "{:process 0, :type :invoke, :f :write, :value 1}",
        "{:process 0, :type :ok, :f :write, :value 1}",
        "{:process 1, :type :invoke, :f :read, :value nil}",
        "{:process 1, :type :ok, :f :read, :value 1}",
        "",
      ].join("\n"),
    );
    const { status, modules } = loadedModules(["check", file]);
    expect(status).toBe(0);
    expect(modules.some((url) => url.endsWith("/cli/check-command.js"))).toBe(true);
    for (const heavy of [
      "testcontainers",
      "ssh2",
      "/providers/",
      "run-command.js",
      "/ensemble/local/",
      "/ensemble/docker/",
      "/ensemble/ssh/",
    ])
      expect(
        modules.filter((url) => url.includes(heavy)),
        heavy,
      ).toEqual([]);
  });

  it("the full list of commands still shows in the help", () => {
    const child = spawnSync(process.execPath, [join(ROOT, "bin", "zk-chaos.js"), "--help"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    for (const command of ["ensemble", "run", "validate", "explore", "check", "wire", "zookeeper"])
      expect(child.stdout).toMatch(new RegExp(`\\n  ${command} `));
  });
});
