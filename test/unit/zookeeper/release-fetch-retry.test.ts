import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fetchZooKeeper } from "../../../src/zookeeper/release-cache.js";

// Maven's side of a download that fails once cannot be had on demand: this stand-in prints
// what Maven prints for a reset connection the first time, and resolves the second time.
const STAND_IN = `#!/usr/bin/env bash
calls="$(dirname "$0")/calls"
echo "$*" >> "$calls"
out=""
for arg in "$@"; do case "$arg" in -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}";; esac; done
if [ "$(wc -l < "$calls")" -eq 1 ]; then
  echo "[ERROR] Failed to execute goal: Could not transfer artifact org.apache.zookeeper:zookeeper:jar:3.8.6: Connection reset"
  exit 1
fi
mkdir -p "$out" && echo jar > "$out/zookeeper-3.8.6.jar"
`;

let work: string | undefined;
afterEach(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = undefined;
});

describe("resolving a release with Maven", () => {
  it("a download that failed is tried again, with -U so Maven asks the repository again", async () => {
    work = mkdtempSync(join(tmpdir(), "zkc-fetch-retry-"));
    const mvn = join(work, "mvn");
    writeFileSync(mvn, STAND_IN);
    chmodSync(mvn, 0o755);
    const lines: string[] = [];
    const release = await fetchZooKeeper("3.8.6", {
      root: join(work, "cache"),
      mvn,
      log: (line) => lines.push(line),
    });
    expect(release.version).toBe("3.8.6");
    const calls = readFileSync(join(work, "calls"), "utf8").trim().split("\n");
    expect(calls).toHaveLength(2);
    // Compared as arguments: the temp folder's random name may itself hold "-U".
    expect(calls[0]?.split(" ")).not.toContain("-U");
    expect(calls[1]?.split(" ")).toContain("-U");
    expect(lines).toContain("ZooKeeper 3.8.6: a download failed; trying again in 2 s (1/3)");
    expect(existsSync(join(work, "cache", "zookeeper", "3.8.6"))).toBe(true);
  });
});
