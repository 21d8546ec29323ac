import { describe, expect, it } from "vitest";
import { spawnCli } from "../../helpers/cli.js";

const edn = (type: string, f: string, value: string) =>
  `{:process 0, :type :${type}, :f :${f}, :value ${value}}`;

describe("zk-chaos check - (the history on standard input)", () => {
  /** A write of 1, then a read that returned `read`, checked from standard input. */
  const checkReadOf = (read: string) =>
    spawnCli(
      ["check", "-", "--format", "jepsen-edn"],
      {},
      [
        edn("invoke", "write", "1"),
        edn("ok", "write", "1"),
        edn("invoke", "read", "nil"),
        edn("ok", "read", read),
        "",
      ].join("\n"),
    );

  it("checks what comes in, in the format --format names", async () => {
    const valid = checkReadOf("1");
    expect(await valid.exited, valid.output()).toBe(0);
    expect(valid.output()).toMatch(/\(stdin\): 4 events, jepsen-edn/);
    expect(await checkReadOf("2").exited).toBe(1);
  });

  it("a bad line is named as standard input's, not a temp file's", async () => {
    const bad = spawnCli(["check", "-"], {}, '{"index":0}\n');
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/^zk-chaos: error: \(stdin\):1: /m);
    expect(bad.output()).not.toMatch(/zk-chaos-stdin-/);
  });
});
