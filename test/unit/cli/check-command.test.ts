import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeVerdict } from "../../../src/cli/check-command.js";
import { main } from "../../../src/cli/main.js";
import { syntheticHistory } from "../../../src/testing/synthetic-history.js";
import { PORCUPINE_DIR, porcupineVerdicts } from "../../helpers/shared-data.js";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zk-chaos-check-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("zk-chaos check", () => {
  it("checks a zk-chaos history: 0 when valid, 1 with the anomaly and its events when not", async () => {
    const good = join(dir, "good.jsonl");
    const bad = join(dir, "bad.jsonl");
    const toLines = (events: unknown[]) =>
      `${events.map((event) => JSON.stringify(event)).join("\n")}\n`;
    writeFileSync(
      good,
      toLines(syntheticHistory({ seed: 1, operations: 300, processes: 4, registers: 2 }).events),
    );
    const broken = syntheticHistory(
      { seed: 1, operations: 300, processes: 4, registers: 2 },
      "value-never-written",
    );
    writeFileSync(bad, toLines(broken.events));
    const ok = await run("check", good);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/valid +zookeeper-registers/);
    expect(ok.out).toMatch(/verdict: valid in/);
    const invalid = await run("check", bad);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toMatch(/INVALID +zookeeper-registers/);
    expect(invalid.out).toMatch(/value-never-written: a read of register \d returned 999999999/);
    expect(invalid.out).toContain(`events: ${broken.injected.join(", ")}`);
    const json = await run("check", bad, "--json");
    expect(JSON.parse(json.out)).toMatchObject({
      valid: false,
      format: "jsonl",
      model: "zookeeper",
    });
  });

  it.skipIf(porcupineVerdicts() === undefined)(
    "checks Porcupine logs and EDN, with 3 for unknown",
    async () => {
      expect((await run("check", `${PORCUPINE_DIR}test_data/jepsen/etcd_000.log`)).code).toBe(1);
      expect((await run("check", `${PORCUPINE_DIR}test_data/jepsen/etcd_002.log`)).code).toBe(0);
      expect((await run("check", `${PORCUPINE_DIR}test_data/kv/c10-ok.txt`)).code).toBe(0);
      expect(
        (
          await run(
            "check",
            `${PORCUPINE_DIR}test_data/kv/c10-bad.txt`,
            "--format",
            "porcupine-kv",
            "--model",
            "kv",
          )
        ).code,
      ).toBe(1);
      const unknown = await run(
        "check",
        `${PORCUPINE_DIR}test_data/jepsen/etcd_007.log`,
        "--timeout",
        "1ms",
      );
      expect(unknown.code).toBe(3);
      expect(unknown.out).toMatch(/verdict: unknown/);
    },
  );

  it("rejects unreadable input with 2, naming the file, line and reason", async () => {
    const file = join(dir, "broken.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ index: 0, time: 1, process: 1, type: "invoke", f: "read" })}\n{"index":1,"time":2,"process":1,"type":"maybe","f":"read"}\n`,
    );
    const broken = await run("check", file);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain(`${file}:2: type must be invoke, ok, fail or info`);
    expect((await run("check", join(dir, "missing.jsonl"))).err).toMatch(/no such file/);
    expect((await run("check", join(dir, "history.csv"))).err).toMatch(
      /cannot tell the history format .* pass --format/,
    );
    expect((await run("check", file, "--model", "banana")).err).toMatch(
      /Allowed choices are zookeeper, register, cas-register, kv, mutex/,
    );
    const edn = join(dir, "bad.edn");
    writeFileSync(edn, "{:process 0, :type :invoke, :f :read\n");
    expect((await run("check", edn)).err).toMatch(/bad\.edn:1: not an EDN history/);
  });
});

describe("check's lines for a verdict", () => {
  it("say what the servers prove caused an anomaly, and its documented bug, as run does", () => {
    const lines = describeVerdict(
      {
        checker: "zookeeper-registers",
        guarantee: "no stale read after sync",
        valid: false,
        elapsedMs: 8,
        anomalies: [
          {
            kind: "stale-read-after-sync",
            message: "a read of register 0 after a sync returned zxid 0x1:0x474",
            events: [4457, 4493],
            cause: {
              message: "server 5 served the read while it led (ZOOKEEPER-1675)",
              events: [3963],
              knownBugs: ["ZOOKEEPER-1675"],
            },
          },
        ],
      },
      5,
    );
    expect(lines).toContain("             events: 4457, 4493");
    expect(lines).toContain(
      "             cause: server 5 served the read while it led (ZOOKEEPER-1675) (events 3963)",
    );
  });
});
