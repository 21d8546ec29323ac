import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryEvent } from "../../../src/history/event.js";
import { readHistoryFile } from "../../../src/history/reader.js";
import { runPlan } from "../../../src/runner/run-plan.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zkchaos-fault-pins-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The leader of the start is killed first, so "the leader" at the cut is another server.
const SCENARIO = [
  "name: pinned-at-the-cut",
  "nodes: [3]",
  "duration: 9s",
  "workload:",
  "  kind: registers",
  "  workers: 6",
  "  rate: 20",
  "  registers: 1",
  "  roles:",
  "    - { workers: 3, mix: { syncedRead: 1 }, pin: leader, pinAt: cut }",
  "    - { workers: 3, mix: { write: 1 }, pin: followers }",
  "checkers: [zookeeper]",
  "faults:",
  "  - { id: first, at: 1s, for: 2s, fault: { kind: kill, target: leader } }",
  "  - { id: cut, at: 5s, for: 3s, fault: { kind: isolate, target: leader } }",
  "",
].join("\n");

describe("a role pinned at a named fault", () => {
  it("takes the leader the fault is about to cut, opens its sessions there first, and stays", async () => {
    const scenario = parseScenario(SCENARIO, "pinned.yaml");
    await runPlan(planRun(scenario, 3, 4), { dir: join(dir, "run") });
    const events = await readHistoryFile(join(dir, "run", "history.jsonl"));
    const killed = events.find(
      (event) => event.process === "nemesis" && event.f === "kill" && event.type === "info",
    )?.value as { servers: number[] };
    const cut = events.find(
      (event) => event.process === "nemesis" && event.f === "isolate" && event.type === "info",
    );
    const cutServer = (cut?.value as { servers: number[] } | undefined)?.servers[0];
    const pins = events.find(
      (event) =>
        event.process === "observer" &&
        event.f === "pins" &&
        (event.value as { at?: string }).at === "cut",
    );
    expect(pins?.value).toMatchObject({ at: "cut", pins: { leader: [cutServer] } });
    // The leader at the cut is not the one of the start (that one was killed and came back as follower).
    expect(killed.servers).not.toContain(cutServer);
    const cutInvoke = events.find(
      (event) => event.process === "nemesis" && event.f === "isolate" && event.type === "invoke",
    ) as HistoryEvent;
    // Every reader's session opened on that server, after the nemesis began the fault and before it acted.
    const opened = events.filter(
      (event) =>
        ["session-0", "session-1", "session-2"].includes(String(event.process)) &&
        event.f === "session" &&
        (event.value as { event?: string }).event === "opened",
    );
    expect(opened).toHaveLength(3);
    for (const event of opened) {
      expect(event.server).toBe(cutServer);
      expect(event.index).toBeGreaterThan(cutInvoke.index);
      expect(event.index).toBeLessThan((cut as HistoryEvent).index);
    }
    // Readers did nothing before the cut, and every read they completed was answered there.
    const reads = events.filter(
      (event) => typeof event.process === "number" && event.process < 3 && event.f !== "session",
    );
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((event) => event.index > cutInvoke.index)).toBe(true);
    for (const event of reads.filter((each) => each.type === "ok"))
      expect(event.server).toBe(cutServer);
  });
});
