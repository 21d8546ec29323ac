import { describe, expect, it } from "vitest";
import type { ExploreCandidate } from "../../../src/explore/candidate.js";
import { Corpus, type CorpusEntry } from "../../../src/explore/corpus.js";

const entry = (id: string, grams: string[]): CorpusEntry => ({
  id,
  candidate: {} as ExploreCandidate,
  grams,
  fresh: grams.length,
  how: "fresh",
});

/** A corpus in memory, as Corpus.load makes one. */
function corpusOf(entries: CorpusEntry[]): Corpus {
  const corpus = new Corpus("/nonexistent");
  for (const each of entries) corpus.include(each);
  return corpus;
}

describe("the corpus: which entry the next mutation starts from", () => {
  it("weighs each entry by the rarity of the behaviour it reached", () => {
    const corpus = corpusOf([
      entry("common", ["a", "b"]),
      entry("also-common", ["a", "b"]),
      entry("rare", ["a", "z"]),
    ]);
    // a: 3 entries, b: 2, z: 1.
    expect(corpus.weightOf(corpus.entries[0] as CorpusEntry)).toBeCloseTo(1 / 3 + 1 / 2);
    expect(corpus.weightOf(corpus.entries[2] as CorpusEntry)).toBeCloseTo(1 / 3 + 1);
  });

  it("draws parents by weight, one draw each: the rare entry more often than a common one", () => {
    const corpus = corpusOf([
      entry("common", ["a", "b"]),
      entry("also-common", ["a", "b"]),
      entry("rare", ["a", "z"]),
    ]);
    // Total weight 5/6 + 5/6 + 4/3 = 3: [0, 0.833) common, [0.833, 1.667) also-common, then rare.
    expect(corpus.pickParent(() => 0.1)?.id).toBe("common");
    expect(corpus.pickParent(() => 0.4)?.id).toBe("also-common");
    expect(corpus.pickParent(() => 0.6)?.id).toBe("rare");
    let draws = 0;
    const counts = new Map<string, number>();
    for (let step = 0; step < 300; step++) {
      const id = corpus.pickParent(() => (draws++ * 0.618034) % 1)?.id as string;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.get("rare") as number).toBeGreaterThan(counts.get("common") as number);
  });

  it("has no parent when empty, and draws uniformly among entries without grams", () => {
    expect(corpusOf([]).pickParent(() => 0.5)).toBeUndefined();
    const bare = corpusOf([entry("x", []), entry("y", [])]);
    expect(bare.pickParent(() => 0.75)?.id).toBe("y");
  });
});
