import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnCli } from "../../helpers/cli.js";
import { describeOnProvider, expectNoDockerLeft } from "../../helpers/provider.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

describeOnProvider("zk-chaos validate on the docker provider", () => {
  it("validates 3 servers in containers (tolerance matrix and the quick suite) and leaves nothing", async () => {
    const root = makeRuntimeRoot();
    const out = mkdtempSync(join(tmpdir(), "zk-chaos-validate-docker-"));
    try {
      const cli = spawnCli(
        [
          "validate",
          "--nodes",
          "3",
          "--quick",
          "--seed",
          "9",
          "--provider",
          "docker",
          "--out",
          out,
        ],
        { ZK_CHAOS_RUNTIME_DIR: root },
      );
      expect(await cli.exited).toBe(0);
      const output = cli.output();
      expect(output).toMatch(/3 server\(s\), \d+ agent\(s\): VALID/);
      expect(output).toMatch(/tolerates 1 failure\(s\) as measured; quorum math promises 1/);
      expect(output).not.toMatch(/ ! /);
      await expectNoDockerLeft();
    } finally {
      removeRuntimeRoot(root);
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
