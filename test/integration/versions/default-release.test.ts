import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { DEFAULT_RELEASE, resolveZooKeeperInstall } from "../../../src/zookeeper/install.js";
import { describeWithVersions } from "../../helpers/versions.js";

const scratch = mkdtempSync(join(tmpdir(), "zk-chaos-default-release-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

(await describeWithVersions([DEFAULT_RELEASE]))(
  "a machine with Java and Maven but no ZooKeeper package",
  () => {
    it("resolves the default release into an empty cache by itself, says so, and runs it next time from the cache", async () => {
      const lines: string[] = [];
      const cache = { root: join(scratch, "cache"), log: (line: string) => lines.push(line) };
      const nothing = {
        debianJavaDir: join(scratch, "no-debian"),
        env: { PATH: process.env.PATH ?? "" },
        cache,
      };
      const install = await resolveZooKeeperInstall(nothing);
      expect(install.version).toBe(DEFAULT_RELEASE);
      expect(lines[0]).toBe(
        `no ZooKeeper installed (no Debian package, ZK_HOME or cached release): resolving ZooKeeper ${DEFAULT_RELEASE} from Maven Central into the cache`,
      );
      // Once cached, the cache answers: no second resolution.
      lines.length = 0;
      const again = await resolveZooKeeperInstall(nothing);
      expect(again.source).toMatch(
        new RegExp(
          `^cache entry of ZooKeeper ${DEFAULT_RELEASE.replaceAll(".", "\\.")} \\(no Debian package\\)`,
        ),
      );
      expect(lines).toEqual([]);
    }, 600_000);
  },
);
