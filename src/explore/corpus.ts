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
    for (const entry of parsed.entries ?? []) corpus.remember(entry);
    return corpus;
  }

  private remember(entry: CorpusEntry): void {
    this.entries.push(entry);
    for (const gram of entry.grams) this.coverage.add(gram);
  }

  /** Adds an entry and writes the index (atomically) and the entry's scenario file. */
  add(entry: CorpusEntry, scenarioYaml: string): void {
    this.remember(entry);
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
