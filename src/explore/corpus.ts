/**
 * The corpus: candidates that reached new behaviour, with the grams they
 * brought, kept in a folder (index.json, and each entry as a scenario file)
 * so that a later campaign or another machine's starts from it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadInputError } from "../errors.js";
import type { ExploreCandidate } from "./candidate.js";

/** One corpus entry. */
export interface CorpusEntry {
  readonly id: string;
  readonly candidate: ExploreCandidate;
  /** The signature grams its run reached. */
  readonly grams: readonly string[];
  /** How many of them were new when it ran. */
  readonly fresh: number;
  /** The entry it was mutated from, and how (absent: a fresh draw). */
  readonly parent?: string;
  readonly how: string;
}

/** A corpus in memory, with the union of its grams. */
export class Corpus {
  readonly entries: CorpusEntry[] = [];
  readonly coverage = new Set<string>();
  /** How many entries reached each gram. */
  private readonly reached = new Map<string, number>();

  constructor(readonly dir: string) {}

  /** The corpus in `dir` (empty when there is none yet). */
  static load(dir: string): Corpus {
    const corpus = new Corpus(dir);
    const index = join(dir, "index.json");
    if (!existsSync(index)) return corpus;
    let parsed: { entries?: CorpusEntry[] };
    try {
      parsed = JSON.parse(readFileSync(index, "utf8")) as { entries?: CorpusEntry[] };
    } catch (error) {
      throw new BadInputError(
        `${index}: not a corpus index (${(error as Error).message}): remove it or give another --corpus folder`,
      );
    }
    for (const entry of parsed.entries ?? []) corpus.include(entry);
    return corpus;
  }

  /** Takes an entry in, in memory only (add also writes it). */
  include(entry: CorpusEntry): void {
    this.entries.push(entry);
    for (const gram of entry.grams) {
      this.coverage.add(gram);
      this.reached.set(gram, (this.reached.get(gram) ?? 0) + 1);
    }
  }

  /**
   * An entry's weight as a parent: the sum, over its grams, of one over the
   * number of entries that reached that gram. Behaviour few entries reach
   * is where the search is thin (FairFuzz's rare branches, libFuzzer's
   * entropic schedule), so mutating there reaches new behaviour sooner than
   * mutating what every entry already does.
   */
  weightOf(entry: CorpusEntry): number {
    let weight = 0;
    for (const gram of entry.grams) weight += 1 / (this.reached.get(gram) ?? 1);
    return weight;
  }

  /** A parent for the next mutation, drawn by weight with one draw of `random`; undefined when empty. */
  pickParent(random: () => number): CorpusEntry | undefined {
    const weights = this.entries.map((entry) => this.weightOf(entry));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    if (this.entries.length === 0) return undefined;
    // Entries with no grams (weight 0) everywhere: uniform.
    if (total === 0) return this.entries[Math.floor(random() * this.entries.length)];
    let point = random() * total;
    for (const [index, weight] of weights.entries()) {
      point -= weight;
      if (point < 0) return this.entries[index];
    }
    return this.entries[this.entries.length - 1];
  }

  /** Adds an entry and writes the index (atomically) and the entry's scenario file. */
  add(entry: CorpusEntry, scenarioYaml: string): void {
    this.include(entry);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${entry.id}.yaml`), scenarioYaml);
    const index = join(this.dir, "index.json");
    writeFileSync(
      `${index}.tmp`,
      `${JSON.stringify({ version: 1, entries: this.entries }, null, 1)}\n`,
    );
    renameSync(`${index}.tmp`, index);
  }
}
