import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

describe("zk-chaos export", () => {
  const history = join(dir, "history.jsonl");
  writeFileSync(
    history,
    [
      { index: 0, time: 0, process: 0, type: "invoke", f: "write", value: { key: 0, value: 7 } },
      { index: 1, time: 5, process: 0, type: "ok", f: "write", value: { key: 0, value: 7 } },
    ]
      .map((event) => JSON.stringify(event))
      .join("\n"),
  );

  it("writes to a file, into a folder (history.edn, as --out is a folder elsewhere), or to stdout", async () => {
    const file = join(dir, "out.edn");
    expect((await run("export", history, "--out", file)).code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain(":f :write");
    const folder = join(dir, "folder");
    mkdirSync(folder);
    const into = await run("export", history, "--out", folder);
    expect(into.code).toBe(0);
    expect(into.err).toContain(join(folder, "history.edn"));
    expect(existsSync(join(folder, "history.edn"))).toBe(true);
    expect((await run("export", history)).out.split("\n").filter(Boolean)).toHaveLength(2);
  });
});
