import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ownedTempDir, reapOwnedTempDirs } from "../../../src/util/owned-temp-dir.js";
import { processStartTime } from "../../../src/util/process-identity.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("temp folders owned by their process", () => {
  it("a dead maker's folder is reaped; a live one's stays, and so do folders of other names", () => {
    const dir = mkdtempSync(join(tmpdir(), "zkc-owned-"));
    made.push(dir);
    // A process that has ended: its pid and a start time that no live process has.
    const ended = spawnSync("true").pid as number;
    const dead = join(dir, `zk-chaos-ssh-${ended}_1-abc123`);
    const live = join(dir, `zk-chaos-ssh-${process.pid}_${processStartTime(process.pid)}-def456`);
    const other = join(dir, "zk-chaos-ssh-not-owned");
    for (const each of [dead, live, other]) mkdirSync(join(each, "tmp"), { recursive: true });
    expect(reapOwnedTempDirs("zk-chaos-ssh", dir)).toEqual([dead]);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it("names this process as the maker", () => {
    const dir = ownedTempDir("zkc-owned-test");
    made.push(dir);
    expect(dir).toContain(`zkc-owned-test-${process.pid}_${processStartTime(process.pid)}-`);
    expect(reapOwnedTempDirs("zkc-owned-test")).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
