import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { candidateYaml } from "../../../src/explore/candidate.js";
import type { CorpusEntry } from "../../../src/explore/corpus.js";
import { candidateArbitrary, drawWith, explorableKinds } from "../../../src/explore/vocabulary.js";
import { loadScenario } from "../../../src/scenario/load-scenario.js";
import { spawnCli } from "../../helpers/cli.js";
import {
  jvmsUnder,
  leakedPortLocks,
  makeRuntimeRoot,
  removeRuntimeRoot,
} from "../../helpers/runtime.js";

let root: string;
let out: string;
beforeEach(() => {
  root = makeRuntimeRoot();
  out = mkdtempSync(join(tmpdir(), "zk-chaos-explore-"));
});
afterEach(() => {
  removeRuntimeRoot(root);
  rmSync(out, { recursive: true, force: true });
});

const KINDS = "kill,pause,isolate";
const SEED = 21;

/** JVMs whose config lives under this test's runtime root. */
const jvmsUnderRoot = () => jvmsUnder(root);

describe("zk-chaos explore", () => {
  it("runs ordinary runs within its bounds, keeps those with new behaviour in the corpus, and draws the same candidates from the same seed", async () => {
    const cli = spawnCli(
      [
        "explore",
        "--budget",
        "4m",
        "--max-runs",
        "2",
        "--max-duration",
        "8s",
        "--kinds",
        KINDS,
        "--seed",
        String(SEED),
        "--shrink-trials",
        "0",
        "--replays",
        "1",
        "--out",
        out,
      ],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    const code = await cli.exited;
    const output = cli.output();
    // 3.8.0 may show a real anomaly in two short runs; either way the campaign ends by itself.
    expect([0, 1], output).toContain(code);
    expect(output).toMatch(new RegExp(`explore: run 1, explore-${SEED}-1 \\(fresh, `));
    expect(output).toMatch(/explore: run 2, explore-\d+-2 \(/);
    expect(output).toMatch(
      /explore: 2 search run\(s\) \(\d+ in all with shrinks and replays\), coverage \d+ signature gram\(s\), corpus [12],/,
    );
    // Every run is an ordinary run folder with its report, and its scenario file replays.
    const runs = join(out, "runs");
    const folders = readdirSync(runs).filter((name) => !name.endsWith(".yaml"));
    expect(folders.filter((name) => name.includes(`-explore-${SEED}-`))).toHaveLength(2);
    for (const folder of folders) expect(existsSync(join(runs, folder, "report.html"))).toBe(true);
    const first = loadScenario(join(runs, `explore-${SEED}-1.yaml`));
    expect(first.nodes).toEqual([3]);
    // The first run reached behaviour nothing had reached: it is the corpus's first entry.
    const index = JSON.parse(readFileSync(join(out, "corpus", "index.json"), "utf8")) as {
      entries: CorpusEntry[];
    };
    expect(index.entries[0]?.id).toBe(`explore-${SEED}-1`);
    expect(index.entries[0]?.how).toBe("fresh");
    expect(index.entries[0]?.grams.length).toBeGreaterThan(0);
    expect(index.entries[0]?.grams.some((gram) => gram.includes(":fault:"))).toBe(true);
    // The same seed draws the same first candidate, byte for byte.
    const { kinds } = explorableKinds("local", KINDS.split(","));
    const drawn = drawWith(
      // The wire is recorded (the local default), so its triggers may wait for a peer message.
      candidateArbitrary(kinds, {
        nodes: 3,
        provider: "local",
        maxDurationMs: 8000,
        maxFaults: 3,
        wire: true,
      }),
      (SEED * 7919) % 2 ** 31,
    );
    expect(readFileSync(join(runs, `explore-${SEED}-1.yaml`), "utf8")).toBe(
      candidateYaml(drawn, `explore-${SEED}-1`, "a candidate of zk-chaos explore", {
        provider: "local",
        wire: "summary",
      }),
    );
    // On the local provider the wire is recorded and its message sequences are in the signature.
    expect(first.network.wire).toBe("summary");
    expect(index.entries[0]?.grams.some((gram) => gram.startsWith("wire|"))).toBe(true);
    // For people and CI: the report draws coverage and lists the corpus; JUnit has a case.
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toMatch(/2 search run\(s\)/);
    expect(html).toContain(`explore-${SEED}-1`);
    expect(html).toContain("<svg");
    expect(readFileSync(join(out, "junit.xml"), "utf8")).toMatch(/<testcase classname="explore"/);
    expect(jvmsUnderRoot()).toEqual([]);
    expect(leakedPortLocks()).toEqual([]);
  });

  it("two shards, each two candidates at once, search apart and merge into one corpus and one set of findings", async () => {
    const shard = (index: number) =>
      spawnCli(
        [
          "explore",
          "--budget",
          "3m",
          "--max-runs",
          "2",
          "--parallel",
          "2",
          "--shard",
          `${index}/2`,
          "--max-duration",
          "8s",
          "--kinds",
          KINDS,
          "--seed",
          String(SEED),
          "--shrink-trials",
          "0",
          "--replays",
          "1",
          "--out",
          join(out, `shard-${index}`),
        ],
        { ZK_CHAOS_RUNTIME_DIR: root },
      );
    const outputs: string[] = [];
    for (const index of [1, 2]) {
      const cli = shard(index);
      expect([0, 1], cli.output()).toContain(await cli.exited);
      outputs.push(cli.output());
      expect(cli.output()).toMatch(new RegExp(`seed ${SEED}, shard ${index}/2, 2 at once`));
      expect(cli.output()).toMatch(/explore: 2 search run\(s\)/);
    }
    // Each shard names its runs, and draws its own candidates from the same seed.
    const first = (index: number) =>
      readFileSync(
        join(out, `shard-${index}`, "runs", `explore-${SEED}-s${index}of2-1.yaml`),
        "utf8",
      ).replace(/s\dof2/g, "");
    expect(first(1)).not.toBe(first(2));
    const merge = spawnCli([
      "explore",
      "merge",
      join(out, "shard-1"),
      join(out, "shard-2"),
      "--into",
      join(out, "merged"),
    ]);
    expect(await merge.exited, merge.output()).toBe(0);
    const entries = (index: string) =>
      (
        JSON.parse(readFileSync(join(out, index, "corpus", "index.json"), "utf8")) as {
          entries: CorpusEntry[];
        }
      ).entries.map((entry) => entry.id);
    const merged = entries("merged");
    expect(merged.sort()).toEqual([...entries("shard-1"), ...entries("shard-2")].sort());
    expect(merge.output()).toMatch(
      new RegExp(`explore merge: 2 campaign\\(s\\) -> .*merged: corpus ${merged.length} entries`),
    );
    expect(jvmsUnderRoot()).toEqual([]);
    expect(leakedPortLocks()).toEqual([]);
  }, 240_000);

  it("SIGTERM mid-run stops the campaign, removes every server, keeps what it had, exits 143", async () => {
    const cli = spawnCli(
      ["explore", "--budget", "5m", "--kinds", KINDS, "--seed", "4", "--out", out],
      { ZK_CHAOS_RUNTIME_DIR: root },
    );
    await cli.waitFor(/explore \| search \| run 1 \|/, 60_000);
    // Into the run: its servers are up.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.output()).toBe(143);
    expect(cli.output()).toMatch(
      /interrupted \(SIGTERM\): stopped (after \d+ run\(s\)|while a run was starting or stopping)/,
    );
    expect(jvmsUnderRoot()).toEqual([]);
    expect(leakedPortLocks()).toEqual([]);
    expect(readdirSync(join(root, "runs"))).toEqual([]);
  });

  it("refuses bad input before anything starts, naming the flag and the fix", async () => {
    const kinds = spawnCli(["explore", "--kinds", "kill,teleport", "--out", out], {
      ZK_CHAOS_RUNTIME_DIR: root,
    });
    expect(await kinds.exited).toBe(2);
    expect(kinds.output()).toMatch(
      /--kinds teleport: not a kind explore draws; choose from kill, /,
    );
    const budget = spawnCli(["explore", "--budget", "soon", "--out", out], {
      ZK_CHAOS_RUNTIME_DIR: root,
    });
    expect(await budget.exited).toBe(2);
    expect(jvmsUnderRoot()).toEqual([]);
  });
});
