/**
 * A store: a folder of run folders at any depth (several nights, runs merged
 * from CI shards), indexed into one small file. A folder that is partial or
 * corrupt is named and skipped, never fatal; an unchanged results.json is
 * not read again; symbolic links are not followed, so nothing outside the
 * store is read.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { BadInputError } from "../errors.js";
import { parseResultsFile } from "../report/results-schema.js";
import { type RunRecord, runRecord } from "./run-record.js";

/** The index file's name, at the store's top. */
export const STORE_INDEX_FILE = "zk-chaos-store.json";
const INDEX_SCHEMA_VERSION = 1;

/** A folder that was not indexed, and why. */
export interface SkippedFolder {
  readonly path: string;
  readonly reason: string;
}

/** The store's index: every run it holds and every folder it could not read. */
export interface StoreIndex {
  readonly schemaVersion: typeof INDEX_SCHEMA_VERSION;
  readonly indexedAt: string;
  /** Runs, oldest first. */
  readonly runs: readonly RunRecord[];
  readonly skipped: readonly SkippedFolder[];
}

/** What an indexing pass did. */
export interface IndexOutcome {
  readonly index: StoreIndex;
  /** Runs whose results.json was read this time (the others came from the previous index). */
  readonly read: number;
  readonly reused: number;
  /** Summary folders of multi-run invocations: their runs have folders of their own. */
  readonly summaries: number;
}

/** How to index. */
export interface IndexOptions {
  /** Runs known already (default: the index file's); unchanged ones are not read again. */
  readonly previous?: readonly RunRecord[];
  readonly onProgress?: (done: number, total: number) => void;
}

/** Folders never descended into: tools' and dependencies' own trees. */
const NOT_RUNS = new Set(["node_modules", ".git"]);
/** results.json files read at once. */
const READ_CONCURRENCY = 32;

/** The store's folder, checked: bad input names it and the fix. */
export function storeRoot(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BadInputError(
      `${dir}: no such folder: pass the folder that holds run folders (the --out of 'zk-chaos run')`,
    );
  return dir;
}

/** The index file of a store as last written, or undefined when absent or unreadable. */
export function readStoreIndex(root: string): StoreIndex | undefined {
  try {
    const index = JSON.parse(readFileSync(join(root, STORE_INDEX_FILE), "utf8")) as StoreIndex;
    return index.schemaVersion === INDEX_SCHEMA_VERSION && Array.isArray(index.runs)
      ? index
      : undefined;
  } catch {
    return undefined;
  }
}

/** Every folder under root holding a results.json (not descending into a run folder). */
async function runFolders(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const batch = pending.splice(0, READ_CONCURRENCY);
    const listings = await Promise.all(
      batch.map(async (dir) => ({
        dir,
        entries: await readdir(dir, { withFileTypes: true }).catch(() => []),
      })),
    );
    for (const { dir, entries } of listings) {
      if (entries.some((entry) => entry.isFile() && entry.name === "results.json")) {
        found.push(dir);
        continue;
      }
      for (const entry of entries)
        if (entry.isDirectory() && !NOT_RUNS.has(entry.name)) pending.push(join(dir, entry.name));
    }
  }
  return found.sort();
}

type Read =
  | { kind: "run"; record: RunRecord; reused: boolean }
  | { kind: "summary" }
  | { kind: "skipped"; skipped: SkippedFolder };

async function readFolder(
  root: string,
  dir: string,
  previous: ReadonlyMap<string, RunRecord>,
): Promise<Read> {
  const path = relative(root, dir).split(sep).join("/") || ".";
  const file = join(dir, "results.json");
  try {
    const info = await stat(file);
    const known = previous.get(path);
    if (known && known.source.size === info.size && known.source.mtimeMs === info.mtimeMs)
      return { kind: "run", record: known, reused: true };
    const text = await readFile(file, "utf8");
    if (/^\s*\{\s*"schemaVersion":\s*1,\s*"runs":/.test(text)) return { kind: "summary" };
    const results = parseResultsFile(text, `${path}/results.json`);
    return {
      kind: "run",
      record: runRecord(results, path, { size: info.size, mtimeMs: info.mtimeMs }),
      reused: false,
    };
  } catch (error) {
    const message = (error as Error).message.replace(`${path}/results.json: `, "");
    return { kind: "skipped", skipped: { path, reason: message } };
  }
}

/** Indexes a store (reusing the previous index for unchanged runs); writes nothing. */
export async function indexStore(dir: string, options: IndexOptions = {}): Promise<IndexOutcome> {
  const root = storeRoot(dir);
  const previous = new Map(
    (options.previous ?? readStoreIndex(root)?.runs ?? []).map((run) => [run.path, run]),
  );
  const folders = await runFolders(root);
  const runs: RunRecord[] = [];
  const skipped: SkippedFolder[] = [];
  let reused = 0;
  let summaries = 0;
  for (let start = 0; start < folders.length; start += READ_CONCURRENCY) {
    const reads = await Promise.all(
      folders
        .slice(start, start + READ_CONCURRENCY)
        .map((folder) => readFolder(root, folder, previous)),
    );
    for (const read of reads) {
      if (read.kind === "summary") summaries++;
      else if (read.kind === "skipped") skipped.push(read.skipped);
      else {
        runs.push(read.record);
        if (read.reused) reused++;
      }
    }
    options.onProgress?.(Math.min(folders.length, start + READ_CONCURRENCY), folders.length);
  }
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.path.localeCompare(b.path));
  return {
    index: {
      schemaVersion: INDEX_SCHEMA_VERSION,
      indexedAt: new Date().toISOString(),
      runs,
      skipped,
    },
    read: runs.length - reused,
    reused,
    summaries,
  };
}

/** Indexes a store and writes its index file (atomically: a reader never sees half of it). */
export async function writeStoreIndex(
  dir: string,
  options: IndexOptions = {},
): Promise<IndexOutcome & { file: string }> {
  const outcome = await indexStore(dir, options);
  const file = join(dir, STORE_INDEX_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(outcome.index)}\n`);
  renameSync(`${file}.tmp`, file);
  return { ...outcome, file };
}
