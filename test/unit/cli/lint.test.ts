import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lintScenarios } from "../../../src/cli/lint-command.js";
import { main } from "../../../src/cli/main.js";

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-lint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const good = scenario(
  "good.yaml",
  "name: good\nnodes: [3, 5]\nfaults:\n  - { at: 1s, fault: { kind: kill, target: leader } }\n",
);
const targetOutside = scenario(
  "outside.yaml",
  "name: outside\nnodes: [3]\nfaults:\n  - { at: 1s, fault: { kind: kill, target: 5 } }\n",
);
const badFields = scenario("fields.yaml", "name: Bad\nduration: 10\nworkload: { kind: regs }\n");

describe("zk-chaos lint: scenario files checked as run would, nothing started", () => {
  it("names each bad file's line and field, goes on past the first, and counts runs of the good ones", () => {
    const results = lintScenarios([good, targetOutside, badFields, join(dir, "missing.yaml")]);
    expect(results[0]).toEqual({ file: good, runs: 2 });
    expect(results[1]?.error).toMatch(
      /outside\.yaml:4: faults\.0\.fault\.target: server 5 does not exist in a 3-node ensemble: use an id up to 3/,
    );
    expect(results[2]?.error).toMatch(/fields\.yaml:1: name: use lower-case letters/);
    expect(results[2]?.error).toMatch(/fields\.yaml:3: workload\.kind: /);
    expect(results[3]?.error).toMatch(
      /missing\.yaml: cannot read the scenario \(ENOENT\): check the path/,
    );
  });

  it("checks for the sizes asked for: a target fine on 3 servers is refused on 1", () => {
    const onThree = scenario(
      "three.yaml",
      "name: three\nnodes: [3]\nfaults:\n  - { at: 1s, fault: { kind: kill, target: 3 } }\n",
    );
    expect(lintScenarios([onThree])[0]?.error).toBeUndefined();
    expect(lintScenarios([onThree], [1])[0]?.error).toMatch(
      /server 3 does not exist in a 1-node ensemble/,
    );
  });

  it("checks zoo.cfg keys against the release a run would start when the scenario names none", () => {
    const unknownKey = scenario(
      "key.yaml",
      'name: key\nnodes: [3]\nzookeeper: { config: { commitLogCount: "3000" } }\n',
    );
    // Neither the local install (3.8.0) nor the default release (3.9.5) reads it from zoo.cfg.
    expect(lintScenarios([unknownKey])[0]?.error).toMatch(
      /key\.yaml: zookeeper\.config key 'commitLogCount' is not known to ZooKeeper 3\.\d+\.\d+: check its spelling; a system property your build reads can be passed with --jvm-flag -Dzookeeper\.commitLogCount=<value>/,
    );
    const knownKey = scenario(
      "known.yaml",
      'name: known\nnodes: [3]\nzookeeper: { config: { snapCount: "5000" } }\n',
    );
    expect(lintScenarios([knownKey])[0]).toEqual({ file: knownKey, runs: 1 });
  });

  it("exits 0 when every file is good and 2 otherwise, saying how many were good", async () => {
    const run = async (args: string[]) => {
      let out = "";
      let err = "";
      const code = await main(args, { out: (text) => (out += text), err: (text) => (err += text) });
      return { code, out, err };
    };
    const allGood = await run(["lint", good, "scenarios/kill-leader.yaml"]);
    expect(allGood.code, allGood.err).toBe(0);
    expect(allGood.out).toMatch(/2 of 2 file\(s\) good\n$/);
    const someBad = await run(["lint", good, targetOutside]);
    expect(someBad.code).toBe(2);
    expect(someBad.err).toMatch(/^zk-chaos: error: .*outside\.yaml:4: /);
    expect(someBad.out).toMatch(/1 of 2 file\(s\) good\n$/);
  });
});
