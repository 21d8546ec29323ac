import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareOutputFolder } from "../../../src/util/output-folder.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zkchaos-out-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the output folder, checked before anything starts", () => {
  it("is made level by level and left without the probe file", () => {
    const folder = join(dir, "a", "b", "c");
    expect(prepareOutputFolder(folder)).toBe(folder);
    expect(existsSync(folder)).toBe(true);
    expect(existsSync(join(folder, `.zk-chaos-write-probe-${process.pid}`))).toBe(false);
  });

  it("a kernel pseudo file system, a file in the way, or a folder that cannot be made is bad input, named", () => {
    expect(() => prepareOutputFolder("/proc/x")).toThrow(
      /--out \/proc\/x: \/proc\/x is on a kernel pseudo file system/,
    );
    const file = join(dir, "plain-file");
    writeFileSync(file, "");
    expect(() => prepareOutputFolder(join(file, "reports"))).toThrow(/is a file, not a folder/);
    expect(() => prepareOutputFolder("/sys/fs/x", "--out")).toThrow(/pseudo file system/);
  });
});
