import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the library's API reference (npm run docs:api, TypeDoc)", () => {
  it("builds without a warning: every type an exported function or class names is exported too", () => {
    const out = mkdtempSync(join(tmpdir(), "zk-chaos-api-"));
    try {
      const typedoc = spawnSync(
        process.execPath,
        [join(ROOT, "node_modules/typedoc/bin/typedoc"), "--out", out, "--treatWarningsAsErrors"],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
      );
      expect(typedoc.status, typedoc.stdout + typedoc.stderr).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
