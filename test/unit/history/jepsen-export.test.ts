import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistoryFile } from "../../../src/checkers/check-history.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { readJepsenEdn } from "../../../src/history/jepsen-edn.js";
import { toJepsenEdn } from "../../../src/history/jepsen-export.js";
import { syntheticHistory } from "../../../src/testing/synthetic-history.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zkchaos-export-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exported = (name: string, events: readonly HistoryEvent[]) => {
  const path = join(dir, `${name}.edn`);
  writeFileSync(path, toJepsenEdn(events));
  return path;
};

describe("export to Jepsen EDN, round-tripped through our own EDN import", () => {
  it("every operation pairs an invocation with one completion; sessions, observers and plain reads stay out", () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: "invoke", f: "write", value: { key: 1, value: 5 } },
      {
        index: 1,
        time: 2,
        process: "session-0",
        type: "info",
        f: "session",
        value: { event: "disconnected" },
      },
      {
        index: 2,
        time: 3,
        process: 0,
        type: "ok",
        f: "write",
        value: { key: 1, value: 5 },
        server: 2,
        session: "a1",
      },
      { index: 3, time: 4, process: 1, type: "invoke", f: "read", value: { key: 1, value: null } },
      { index: 4, time: 5, process: 1, type: "ok", f: "read", value: { key: 1, value: 5 } },
      {
        index: 5,
        time: 6,
        process: 1,
        type: "invoke",
        f: "read",
        value: { key: 1, value: null, synced: true },
      },
      { index: 6, time: 7, process: 1, type: "ok", f: "read", value: { key: 1, value: 5 } },
      { index: 7, time: 8, process: "nemesis", type: "invoke", f: "kill", value: { id: "f1" } },
      { index: 8, time: 9, process: "observer", type: "ok", f: "status", value: {} },
    ];
    const path = exported("literal", events);
    const imported = readJepsenEdn(path);
    expect(
      imported.map((event) => [event.process, event.type, event.f, event.key, event.value]),
    ).toEqual([
      [0, "invoke", "write", 1, 5],
      [0, "ok", "write", 1, 5],
      [1, "invoke", "read", 1, null],
      [1, "ok", "read", 1, 5],
    ]);
  });

  it("a correct history stays valid and an anomaly stays invalid, register by register", async () => {
    const valid = syntheticHistory({
      seed: 3,
      operations: 400,
      processes: 5,
      registers: 3,
      infoRate: 0.02,
    });
    expect((await checkHistoryFile(exported("valid", valid.events))).valid).toBe(true);
    const broken = syntheticHistory(
      { seed: 3, operations: 400, processes: 5, registers: 3 },
      "value-never-written",
    );
    expect((await checkHistoryFile(exported("broken", broken.events))).valid).toBe(false);
  });
});

describe("export leaves watching agents out", () => {
  it("their reads, probes and watch registrations are not operations any Jepsen model knows", () => {
    const events: HistoryEvent[] = [
      { index: 0, time: 1, process: 0, type: "invoke", f: "write", value: { key: 1, value: 5 } },
      {
        index: 1,
        time: 2,
        process: 7,
        type: "invoke",
        f: "watch-read",
        value: { path: "/r/r1", watch: "data" },
      },
      {
        index: 2,
        time: 3,
        process: 7,
        type: "ok",
        f: "watch-read",
        value: { path: "/r/r1", mzxid: "9" },
      },
      { index: 3, time: 4, process: 0, type: "ok", f: "write", value: { key: 1, value: 5 } },
      { index: 4, time: 5, process: 7, type: "invoke", f: "add-watch", value: { path: "/r" } },
      { index: 5, time: 6, process: 7, type: "ok", f: "add-watch", value: { path: "/r" } },
    ];
    const lines = toJepsenEdn(events).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.includes(":f :write"))).toBe(true);
  });
});
