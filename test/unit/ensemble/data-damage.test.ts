import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  damageData,
  NothingToDamageError,
  newestByZxid,
  writtenLength,
} from "../../../src/ensemble/data-damage.js";
import { seededRandom } from "../../../src/util/seeded-random.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-damage-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A data folder as ZooKeeper leaves it: myid, an older and a newer log (preallocated with zeros), a snapshot. */
function dataFolder(): { data: string; newLog: string; oldLog: string; snapshot: string } {
  const data = join(dir, "data");
  const version2 = join(data, "version-2");
  mkdirSync(version2, { recursive: true });
  writeFileSync(join(data, "myid"), "2\n");
  const records = Buffer.from(`${"ZKLG".padEnd(16, "\u0001")}${"x".repeat(300)}B`);
  const log = (name: string) => {
    const file = join(version2, name);
    writeFileSync(file, Buffer.concat([records, Buffer.alloc(4096)]));
    return file;
  };
  const snapshot = join(version2, "snapshot.100000010");
  writeFileSync(snapshot, Buffer.alloc(500, 7));
  return { data, oldLog: log("log.100000001"), newLog: log("log.10000002a"), snapshot };
}

describe("damaging a server's data, as failing disks and operators do", () => {
  it("finds where a preallocated log's records end", () => {
    const { newLog } = dataFolder();
    expect(statSync(newLog).size).toBe(317 + 4096);
    expect(writtenLength(newLog)).toBe(317);
  });

  it("a torn write cuts inside the newest log's records, never its header or an older log", () => {
    const { data, newLog, oldLog } = dataFolder();
    const report = damageData([data], "truncate-log", seededRandom(1));
    expect(report.files).toEqual([newLog]);
    expect(statSync(newLog).size).toBe(report.offset);
    expect(report.offset).toBeGreaterThan(16);
    expect(report.offset).toBeLessThan(317);
    expect(writtenLength(oldLog)).toBe(317);
  });

  it("bit rot flips 8 bytes after the header, the same bytes for the same seed", () => {
    const first = dataFolder();
    const before = readFileSync(first.newLog);
    const report = damageData([first.data], "flip-log", seededRandom(7));
    const after = readFileSync(first.newLog);
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
    expect(changed).toHaveLength(8);
    expect(changed[0]).toBe(report.offset);
    expect(report.offset).toBeGreaterThanOrEqual(16);
    rmSync(join(dir, "data"), { recursive: true });
    const again = dataFolder();
    expect(damageData([again.data], "flip-log", seededRandom(7)).offset).toBe(report.offset);
  });

  it("flips the newest snapshot's bytes", () => {
    const { data, snapshot } = dataFolder();
    const report = damageData([data], "flip-snapshot", seededRandom(3));
    expect(report.files).toEqual([snapshot]);
    expect(readFileSync(snapshot).subarray(report.offset, (report.offset ?? 0) + 8)).toEqual(
      Buffer.alloc(8, 7 ^ 0xff),
    );
  });

  it("a wipe removes the data and keeps myid; damage with nothing written says to start later", () => {
    const { data } = dataFolder();
    expect(damageData([data], "wipe", seededRandom(1)).files).toEqual([join(data, "version-2")]);
    expect(existsSync(join(data, "version-2"))).toBe(false);
    expect(readFileSync(join(data, "myid"), "utf8")).toBe("2\n");
    expect(() => damageData([data], "flip-log", seededRandom(1))).toThrow(
      /no log file to damage .*start the fault later/,
    );
    // The nemesis tells this apart from a real failure: the fault found nothing to damage.
    expect(() => damageData([data], "flip-log", seededRandom(1))).toThrow(NothingToDamageError);
  });
});

describe("the newest file by zxid", () => {
  it("compares zxids as numbers, not names, and ignores other files", () => {
    const names = [
      "log.ff",
      "log.100",
      "log.1a",
      "snapshot.200",
      "log.100.part",
      "acceptedEpoch",
      "",
    ];
    expect(newestByZxid(names, "log")).toBe("log.100");
    expect(newestByZxid(names, "snapshot")).toBe("snapshot.200");
    expect(newestByZxid(["currentEpoch"], "log")).toBeUndefined();
  });
});
