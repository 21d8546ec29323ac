import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readHistoryFile } from "../../../src/history/reader.js";
import { type WireEvent, wireMessages } from "../../../src/history/wire.js";
import { spawnCli } from "../../helpers/cli.js";

// A real run on the local provider with network.wire: the peer links' messages are in its
// history, every stream decoded to the end, the leader change visible on the wire, and
// `zk-chaos wire` prints them.

const root = mkdtempSync(join(tmpdir(), "zkc-wire-run-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const scenario = join(root, "kill-leader-wire.yaml");
writeFileSync(
  scenario,
  `name: kill-leader-wire
nodes: [3]
duration: 9s
workload: { kind: registers, workers: 3, rate: 10 }
network: { wire: summary }
faults:
  - { at: 3s, for: 3s, fault: { kind: kill, target: leader } }
`,
);

const leaderInfos = (messages: readonly WireEvent[]) =>
  messages.filter((event) => event.value.type === "LEADERINFO");

describe("a run with network.wire: summary", () => {
  it("records elections, syncs and commits message by message, and shows the new leader on the wire", async () => {
    const out = join(root, "out");
    const run = spawnCli(["run", scenario, "--seed", "5", "--out", out]);
    expect(await run.exited, run.output()).toBe(0);
    const dir = join(out, readdirSync(out).find((name) => name.includes("kill-leader-wire")) ?? "");
    const events = await readHistoryFile(join(dir, "history.jsonl"));
    expect(events.filter((event) => event.process === "wire" && event.f === "undecoded")).toEqual(
      [],
    );
    const messages = wireMessages(events);
    const types = new Set(messages.map((event) => event.value.type));
    for (const wanted of [
      "HANDSHAKE",
      "NOTIFICATION",
      "FOLLOWERINFO",
      "LEADERINFO",
      "ACKEPOCH",
      "NEWLEADER",
      "UPTODATE",
      "PROPOSAL",
      "ACK",
      "COMMIT",
    ])
      expect(types, wanted).toContain(wanted);
    // The killed leader's successor sends LEADERINFO in a later epoch, after the kill.
    const kill = events.find(
      (event) => event.process === "nemesis" && event.f === "kill" && event.type === "info",
    );
    if (kill === undefined) throw new Error("the nemesis recorded no kill");
    const before = leaderInfos(messages).filter((event) => event.index < kill.index);
    const after = leaderInfos(messages).filter((event) => event.index > kill.index);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    const killed = (kill.value as { servers: number[] }).servers[0];
    expect(before[0]?.value.sender).toBe(killed);
    expect(after.map((event) => event.value.sender)).not.toContain(killed);
    expect(Number.parseInt(after[0]?.value.zxid?.split(":")[0] ?? "0", 16)).toBeGreaterThan(
      Number.parseInt(before[0]?.value.zxid?.split(":")[0] ?? "0", 16),
    );
    const timeline = spawnCli(["wire", dir, "--types", "NEWLEADER,ACK,UPTODATE"]);
    expect(await timeline.exited, timeline.output()).toBe(0);
    expect(timeline.output()).toMatch(/NEWLEADER 0x\d+:0x0/);
    expect(timeline.output()).toMatch(/UPTODATE/);
    expect(timeline.output()).toMatch(/nemesis kill/);
    expect(timeline.output()).not.toMatch(/ PROPOSAL /);
  }, 120_000);

  it("`zk-chaos wire` on a run without the wire says how to record it (exit 2)", async () => {
    const history = join(root, "history.jsonl");
    writeFileSync(
      history,
      `${JSON.stringify({ index: 0, time: 0, process: 0, type: "invoke", f: "read" })}\n`,
    );
    const cli = spawnCli(["wire", history]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/recorded no peer messages.*network: \{ wire: summary \}/);
  });
});
