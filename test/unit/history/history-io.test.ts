import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readHistoryFile } from "../../../src/history/reader.js";
import { HistoryRecorder, JsonlSink, MemorySink } from "../../../src/history/recorder.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-history-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("history recorder and reader", () => {
  it("round-trips events through history.jsonl with index and monotonic nanosecond time", async () => {
    const file = join(dir, "history.jsonl");
    let fake = 1_000n;
    const sink = new JsonlSink(file);
    const memory = new MemorySink();
    const recorder = new HistoryRecorder([sink, memory], () => (fake += 500n));
    recorder.record({ process: 0, type: "invoke", f: "write", value: { path: "/r", value: 7 } });
    recorder.record({
      process: 0,
      type: "ok",
      f: "write",
      value: { path: "/r", value: 7 },
      server: 2,
      session: "0100ab",
      stat: { czxid: "4294967298", mzxid: "4294967299", version: 1 },
    });
    recorder.record({ process: "nemesis", type: "info", f: "kill", value: { servers: [1] } });
    recorder.close();
    const events = await readHistoryFile(file);
    expect(events).toEqual(memory.events);
    expect(events.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(events.map((e) => e.time)).toEqual([500, 1000, 1500]);
    expect(events[1]?.stat?.mzxid).toBe("4294967299");
  });

  it("names the file, line and reason of a bad line", async () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({ index: 0, time: 1, process: 1, type: "invoke", f: "read" }),
        JSON.stringify({ index: 1, time: 2, process: 1, type: "done", f: "read" }),
      ].join("\n"),
    );
    await expect(readHistoryFile(file)).rejects.toThrow(
      `${file}:2: type must be invoke, ok, fail or info, got "done"`,
    );
    writeFileSync(
      file,
      `${JSON.stringify({ index: 0, time: 1, process: 1, type: "ok", f: "read", stat: { czxid: 5, mzxid: "1" } })}\n`,
    );
    await expect(readHistoryFile(file)).rejects.toThrow(/:1: stat.czxid must be a decimal string/);
    writeFileSync(
      file,
      `{"index":0,\n${JSON.stringify({ index: 0, time: 1, process: 1, type: "ok", f: "read" })}\n`,
    );
    await expect(readHistoryFile(file)).rejects.toThrow(/:1: not valid JSON/);
    await expect(readHistoryFile(join(dir, "missing.jsonl"))).rejects.toThrow(/no such file/);
  });

  it("reads lines longer than its 4 MiB chunks, a character split across two chunks, CRLF, blank lines and no final newline", async () => {
    const file = join(dir, "long.jsonl");
    const wide = "漢".repeat(1_500_000); // 4.5 MB of 3-byte characters: crosses the first chunk's end.
    const event = (index: number, value: unknown) =>
      JSON.stringify({ index, time: index + 1, process: 1, type: "info", f: "note", value });
    // Three leads, one byte apart: the chunk's end falls inside a character in two of them.
    for (const lead of ["", "a", "ab"]) {
      writeFileSync(file, `${event(0, lead + wide)}\r\n\n${event(1, "été")}\r\n${event(2, lead)}`);
      const events = await readHistoryFile(file);
      expect(events.map((each) => each.value)).toEqual([lead + wide, "été", lead]);
    }
    // A bad line past a long one is still named by its number.
    writeFileSync(file, `${event(0, wide)}\n\n${event(5, 1)}\n`);
    await expect(readHistoryFile(file)).rejects.toThrow(`${file}:3: index is 5, expected 1`);
    // A chunk whose only newline ends the line the chunk before began: still one line each.
    writeFileSync(file, `${event(0, wide)}\n${event(1, wide)}\n${event(5, 1)}\n`);
    await expect(readHistoryFile(file)).rejects.toThrow(`${file}:3: index is 5, expected 2`);
  });

  it("drops a last line cut short by a crash", async () => {
    const file = join(dir, "crashed.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ index: 0, time: 1, process: 1, type: "invoke", f: "read" })}\n{"index":1,"ti`,
    );
    expect(await readHistoryFile(file)).toHaveLength(1);
  });
});
