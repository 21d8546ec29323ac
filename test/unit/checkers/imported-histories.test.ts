import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistoryFile } from "../../../src/checkers/check-history.js";
import { readJepsenEdn } from "../../../src/history/jepsen-edn.js";
import { readPorcupineLog } from "../../../src/history/porcupine-log.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "zkchaos-imported-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const edn = (process: number, type: string, f: string, value: string) =>
  `{:process ${process}, :type :${type}, :f :${f}, :value ${value}}`;
const log = (process: number, type: string, f: string, value: string) =>
  `INFO  jepsen.util - ${process}\t:${type}\t:${f}\t${value}`;

// A cas that failed while the value still equalled `from`: possible when a
// :fail means "did not happen" (Jepsen), impossible when it means "the compare failed".
const FAILED_CAS_AT_FROM: readonly [number, string, string, string][] = [
  [0, "invoke", "write", "1"],
  [0, "ok", "write", "1"],
  [1, "invoke", "cas", "[1 2]"],
  [1, "fail", "cas", "[1 2]"],
  [2, "invoke", "read", "nil"],
  [2, "ok", "read", "1"],
];

describe("each format carries its own meaning of a failed operation", () => {
  it("Jepsen EDN: a :fail cas did not happen, so a failed cas at its `from` value is valid", async () => {
    const path = file(
      "fail-cas.edn",
      FAILED_CAS_AT_FROM.map((event) => edn(...event)),
    );
    const check = await checkHistoryFile(path);
    expect(check.valid).toBe(true);
    expect(check.notes.join("\n")).toMatch(/a :fail did not happen/);
  });

  it("Porcupine's etcd log: a failed cas failed its compare, so the same history is invalid", async () => {
    const path = file(
      "fail-cas.log",
      FAILED_CAS_AT_FROM.map((event) => log(...event)),
    );
    const check = await checkHistoryFile(path);
    expect(check.valid).toBe(false);
    expect(check.notes.join("\n")).toMatch(/a failed cas failed its compare/);
  });

  it("Jepsen EDN: a failed write did not happen, so reading its value is invalid", async () => {
    const path = file("fail-write.edn", [
      edn(0, "invoke", "write", "3"),
      edn(0, "fail", "write", "3"),
      edn(1, "invoke", "read", "nil"),
      edn(1, "ok", "read", "3"),
    ]);
    expect((await checkHistoryFile(path)).valid).toBe(false);
  });
});

describe("values compare as written, as in Knossos", () => {
  const lines = [
    edn(0, "invoke", "write", "6"),
    edn(0, "ok", "write", "6"),
    edn(1, "invoke", "read", "nil"),
    edn(1, "ok", "read", '"6"'),
  ];

  it('a read of "6" after a write of 6 is invalid (the client under test had a bug)', async () => {
    const check = await checkHistoryFile(file("strings.edn", lines));
    expect(check.valid).toBe(false);
  });

  it("--coerce-numbers reads it as 6, and the check says so", async () => {
    const check = await checkHistoryFile(file("strings.edn", lines), { coerceNumbers: true });
    expect(check.valid).toBe(true);
    expect(check.notes.join("\n")).toMatch(/values coerced: numeric strings were read as numbers/);
  });

  it("a keyword is not the string of its name", async () => {
    const check = await checkHistoryFile(
      file("keywords.edn", [
        edn(0, "invoke", "write", ":a"),
        edn(0, "ok", "write", ":a"),
        edn(1, "invoke", "read", "nil"),
        edn(1, "ok", "read", '"a"'),
      ]),
    );
    expect(check.valid).toBe(false);
  });
});

describe("the EDN reader takes what Jepsen, Knossos and Porcupine write", () => {
  const ops = [edn(0, "invoke", "write", "1"), edn(0, "ok", "write", "1")];

  it("a history that starts with ; comments, one map per line, keeping line numbers", () => {
    const events = readJepsenEdn(
      file("comments.edn", ["; recorded by jepsen", ";; and more", ...ops]),
    );
    expect(events.map((event) => [event.type, event.line])).toEqual([
      ["invoke", 3],
      ["ok", 4],
    ]);
  });

  it("a list ( ... ), a vector [ ... ] over several lines, tagged records, and a nemesis skipped", () => {
    const list = readJepsenEdn(file("list.edn", ["(", ...ops, ")"]));
    const vector = readJepsenEdn(
      file("vector.edn", [
        "[; the history",
        "#jepsen.history.Op{:index 0, :time 1, :process 0, :type :invoke, :f :write, :value 1}",
        "{:process :nemesis, :type :info, :f :start, :value nil}",
        "{:index 2, :process 0,",
        " :type :ok, :f :write, :value 1}]",
      ]),
    );
    for (const events of [list, vector]) {
      expect(events.map((event) => [event.process, event.type, event.f, event.value])).toEqual([
        [0, "invoke", "write", 1],
        [0, "ok", "write", 1],
      ]);
    }
  });

  it("something that truly is not a history is refused at its line", () => {
    expect(() =>
      readJepsenEdn(file("broken.edn", [...ops, "{:process 1, :type :invoke, :f :read"])),
    ).toThrow(/broken\.edn:3: not an EDN history/);
    expect(() => readJepsenEdn(file("not-maps.edn", ["[1 2 3]"]))).toThrow(
      /operation 1 is not an EDN map of an operation/,
    );
  });
});

describe("the Jepsen log reader takes a whole jepsen.log", () => {
  it("skips set-up and nemesis lines, reads old and new line styles", () => {
    const events = readPorcupineLog(
      file("jepsen.log", [
        "2017-03-01 12:00:00,000{GMT}\tINFO\t[main] jepsen.core: Running test etcd",
        "2017-03-01 12:00:00,100{GMT}\tINFO\t[main] jepsen.os.debian: Installing packages",
        "2017-03-01 12:00:01,000{GMT}\tINFO\t[jepsen worker 0] jepsen.util: 0\t:invoke\t:read\tnil",
        "2017-03-01 12:00:01,010{GMT}\tINFO\t[jepsen nemesis] jepsen.util: :nemesis\t:info\t:start\tnil",
        "INFO  jepsen.util - 0\t:ok\t:read\t3",
        "2017-03-01 12:00:09,000{GMT}\tINFO\t[main] jepsen.core: Everything looks good!",
      ]),
    );
    expect(
      events.map((event) => [event.process, event.type, event.f, event.value, event.line]),
    ).toEqual([
      [0, "invoke", "read", null, 3],
      [0, "ok", "read", 3, 5],
    ]);
  });

  it("a log without a single operation line is refused, naming the file", () => {
    expect(() => readPorcupineLog(file("setup-only.log", ["INFO jepsen.core - hello"]))).toThrow(
      /setup-only\.log: no operations in it/,
    );
  });

  it("an operation line whose value is not EDN names its line", () => {
    expect(() =>
      readPorcupineLog(
        file("bad-value.log", [log(0, "invoke", "write", "{:a"), log(0, "ok", "write", "1")]),
      ),
    ).toThrow(/bad-value\.log:1: value '\{:a' is not EDN/);
  });
});
