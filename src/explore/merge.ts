/**
 * Joins what several campaigns left (shards on CI machines, nights apart):
 * one corpus holding every entry once, and one finding per anomaly, the best
 * shrunk of those that showed it (highest replay rate, then fewest faults,
 * then shortest), the others named beside it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { BadInputError } from "../errors.js";
import { Corpus } from "./corpus.js";
import type { ExploreFinding } from "./explore-result.js";

/** What a merge joined. */
export interface MergeResult {
  readonly into: string;
  /** Corpus entries in the merged corpus, and how many of them came from each input. */
  readonly corpus: number;
  readonly coverage: number;
  /** One per anomaly: the kept finding and the ids of the others that showed it. */
  readonly findings: readonly {
    readonly kept: ExploreFinding;
    readonly alike: readonly string[];
  }[];
  /** Finding folders without finding.json (older campaigns): copied as they are. */
  readonly unread: readonly string[];
}

/** A campaign folder's corpus and findings folders (as `explore` lays them out), or a corpus folder alone (--corpus). */
function layoutOf(folder: string): { corpus: string; findings: string } {
  if (!existsSync(folder))
    throw new BadInputError(
      `explore merge: ${folder} does not exist: give campaign folders (--out of explore) or corpus folders (--corpus)`,
    );
  if (existsSync(join(folder, "index.json")))
    return { corpus: folder, findings: join(folder, "findings") };
  const layout = { corpus: join(folder, "corpus"), findings: join(folder, "findings") };
  if (!existsSync(layout.corpus) && !existsSync(layout.findings))
    throw new BadInputError(
      `explore merge: ${folder} holds neither corpus/ nor findings/ nor a corpus index.json: give the --out folder of an explore campaign or its --corpus folder`,
    );
  return layout;
}

/** Better first: inside ZooKeeper's fault model, then replays more often, with fewer faults, in less time. */
function better(a: ExploreFinding, b: ExploreFinding): number {
  const rate = (finding: ExploreFinding) =>
    finding.rate.of === 0 ? 0 : finding.rate.reproduced / finding.rate.of;
  const outside = (finding: ExploreFinding) => (finding.outsideModel === undefined ? 0 : 1);
  return (
    outside(a) - outside(b) ||
    rate(b) - rate(a) ||
    a.faults - b.faults ||
    a.durationMs - b.durationMs
  );
}

/** Merges campaign folders into `into` (its corpus/ and findings/, and merge.json). */
export function mergeExplorations(folders: readonly string[], into: string): MergeResult {
  if (folders.length === 0)
    throw new BadInputError("explore merge: give at least one campaign folder");
  const layouts = folders.map(layoutOf);
  const corpus = Corpus.load(join(into, "corpus"));
  const known = new Set(corpus.entries.map((entry) => entry.id));
  for (const layout of layouts) {
    for (const entry of Corpus.load(layout.corpus).entries) {
      if (known.has(entry.id)) continue;
      known.add(entry.id);
      const file = join(layout.corpus, `${entry.id}.yaml`);
      corpus.add(
        entry,
        existsSync(file)
          ? readFileSync(file, "utf8")
          : `# ${entry.id}: the corpus it came from (${layout.corpus}) had no scenario file for it\n`,
      );
    }
  }
  const byAnomaly = new Map<string, { finding: ExploreFinding; from: string }[]>();
  const unread: string[] = [];
  for (const layout of layouts) {
    if (!existsSync(layout.findings)) continue;
    for (const id of readdirSync(layout.findings).sort()) {
      const dir = join(layout.findings, id);
      const record = join(dir, "finding.json");
      if (!existsSync(record)) {
        unread.push(dir);
        continue;
      }
      const finding = JSON.parse(readFileSync(record, "utf8")) as ExploreFinding;
      const key = [...finding.key].sort().join("|");
      byAnomaly.set(key, [...(byAnomaly.get(key) ?? []), { finding, from: dir }]);
    }
  }
  const findingsDir = join(into, "findings");
  mkdirSync(findingsDir, { recursive: true });
  const findings = [...byAnomaly.values()].map((alike) => {
    const [best, ...others] = [...alike].sort((a, b) => better(a.finding, b.finding));
    const kept = best as { finding: ExploreFinding; from: string };
    const dir = join(findingsDir, kept.finding.id);
    cpSync(kept.from, dir, { recursive: true });
    return {
      kept: { ...kept.finding, dir },
      alike: others.map((other) => other.finding.id),
    };
  });
  for (const dir of unread) cpSync(dir, join(findingsDir, basename(dir)), { recursive: true });
  const result: MergeResult = {
    into,
    corpus: corpus.entries.length,
    coverage: corpus.coverage.size,
    findings,
    unread,
  };
  writeFileSync(join(into, "merge.json"), `${JSON.stringify({ folders, ...result }, null, 2)}\n`);
  return result;
}
