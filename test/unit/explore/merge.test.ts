import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shardSeed } from "../../../src/explore/campaign.js";
import type { ExploreCandidate } from "../../../src/explore/candidate.js";
import { Corpus } from "../../../src/explore/corpus.js";
import { mergeExplorations } from "../../../src/explore/merge.js";
import { checkParallel, defaultParallel } from "../../../src/explore/parallel.js";

const root = mkdtempSync(join(tmpdir(), "zk-chaos-merge-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const candidate = (faults: number): ExploreCandidate => ({
  nodes: 3,
  durationMs: 8000,
  workload: { workers: 2, rate: 10, registers: 1 },
  faults: Array.from({ length: faults }, (_, index) => ({
    id: `x${index + 1}`,
    atMs: 1000 * (index + 1),
    forMs: 1000,
    spec: { kind: "kill", target: "leader" },
  })) as ExploreCandidate["faults"],
});

/** A campaign folder as explore leaves it: corpus entries and findings with finding.json. */
function campaign(
  name: string,
  entries: { id: string; grams: string[] }[],
  findings: { id: string; key: string[]; reproduced: number; of: number; faults: number }[],
): string {
  const dir = join(root, name);
  const corpus = new Corpus(join(dir, "corpus"));
  for (const entry of entries)
    corpus.add(
      { id: entry.id, candidate: candidate(1), grams: entry.grams, fresh: 1, how: "fresh" },
      `name: ${entry.id}\n`,
    );
  for (const finding of findings) {
    const folder = join(dir, "findings", finding.id);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "scenario.yaml"), `name: ${finding.id}\n`);
    writeFileSync(
      join(folder, "finding.json"),
      JSON.stringify({
        id: finding.id,
        key: finding.key,
        dir: folder,
        rate: { reproduced: finding.reproduced, of: finding.of },
        faults: finding.faults,
        durationMs: 8000,
        jira: [],
      }),
    );
  }
  return dir;
}

describe("explore at scale: shards, merge, parallel", () => {
  it("gives each shard its own seed, the same on every machine", () => {
    expect(shardSeed(7, 1)).toBe(1_000_010);
    expect(shardSeed(7, 2)).toBe(2_000_013);
    expect(shardSeed(2 ** 31 - 1, 1)).toBe(1_000_002);
  });

  it("joins corpora with every entry once and keeps the best finding of each anomaly, naming the others", () => {
    const one = campaign(
      "s1",
      [
        { id: "e1", grams: ["a", "b"] },
        { id: "e2", grams: ["c"] },
      ],
      [
        { id: "f-s1-1", key: ["registers:lost"], reproduced: 1, of: 3, faults: 1 },
        { id: "f-s1-2", key: ["watches:twice"], reproduced: 2, of: 3, faults: 2 },
      ],
    );
    const two = campaign(
      "s2",
      [
        { id: "e2", grams: ["c"] },
        { id: "e3", grams: ["d"] },
      ],
      [{ id: "f-s2-1", key: ["registers:lost"], reproduced: 3, of: 3, faults: 2 }],
    );
    const old = join(root, "s3");
    mkdirSync(join(old, "findings", "f-old"), { recursive: true });
    writeFileSync(join(old, "findings", "f-old", "finding.md"), "# an older finding\n");
    const into = join(root, "merged");
    const merged = mergeExplorations([one, two, old], into);
    expect(merged.corpus).toBe(3);
    expect(merged.coverage).toBe(4);
    expect(Corpus.load(join(into, "corpus")).entries.map((entry) => entry.id)).toEqual([
      "e1",
      "e2",
      "e3",
    ]);
    expect(readFileSync(join(into, "corpus", "e3.yaml"), "utf8")).toBe("name: e3\n");
    // 3/3 beats 1/3 though it has more faults.
    const lost = merged.findings.find((each) => each.kept.key.includes("registers:lost"));
    expect(lost?.kept.id).toBe("f-s2-1");
    expect(lost?.alike).toEqual(["f-s1-1"]);
    expect(existsSync(join(into, "findings", "f-s2-1", "scenario.yaml"))).toBe(true);
    expect(existsSync(join(into, "findings", "f-s1-1"))).toBe(false);
    expect(merged.findings).toHaveLength(2);
    expect(merged.unread).toEqual([join(old, "findings", "f-old")]);
    expect(existsSync(join(into, "findings", "f-old", "finding.md"))).toBe(true);
    expect(JSON.parse(readFileSync(join(into, "merge.json"), "utf8")).folders).toEqual([
      one,
      two,
      old,
    ]);
    // Merging again adds nothing twice; a corpus folder alone (explore --corpus) is read as one.
    expect(mergeExplorations([one, two], into).corpus).toBe(3);
    const cached = campaign("cache", [{ id: "e9", grams: ["z"] }], []);
    expect(mergeExplorations([join(cached, "corpus")], into).corpus).toBe(4);
  });

  it("refuses folders that are not campaigns, naming them", () => {
    expect(() => mergeExplorations([join(root, "none")], join(root, "m2"))).toThrow(
      /none does not exist: give campaign folders/,
    );
    mkdirSync(join(root, "empty"));
    expect(() => mergeExplorations([join(root, "empty")], join(root, "m2"))).toThrow(
      /holds neither corpus\/ nor findings\/ nor a corpus index\.json/,
    );
  });

  it("refuses a --parallel beyond the cores or the free memory, saying the largest that fits", () => {
    expect(() => checkParallel(2, 3, { cores: 2, freeMb: 8000 })).not.toThrow();
    expect(() => checkParallel(3, 3, { cores: 2, freeMb: 8000 })).toThrow(
      /this machine has 2 core\(s\).*use --parallel 2 or less/,
    );
    expect(() => checkParallel(4, 7, { cores: 8, freeMb: 6000 })).toThrow(
      /4 ensembles of 7 servers need about 11200 MB, and 6000 MB are free: use --parallel 2/,
    );
    expect(() => checkParallel(0, 3, { cores: 2, freeMb: 8000 })).toThrow(/1 or more/);
  });

  it("by default runs one ensemble per core, as memory allows, and at least one", () => {
    expect(defaultParallel(7, { cores: 2, freeMb: 20_000 })).toBe(2);
    expect(defaultParallel(7, { cores: 8, freeMb: 6000 })).toBe(2);
    expect(defaultParallel(7, { cores: 2, freeMb: 1000 })).toBe(1);
  });
});
