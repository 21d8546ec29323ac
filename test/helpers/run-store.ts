/**
 * A store of nights made from real runs: a handful of short real runs
 * (`zk-chaos run`, 1 node, two ZooKeeper releases, two seeds) copied into
 * several night folders with their start moved to that night, plus the
 * changes a store must notice, each applied to a copy and said here: a slow
 * last night (latency x6), a verdict that flips on the same commit and seed
 * (flaky), one anomaly seen on two nights (one finding), hostile strings in
 * every free field of one run, and folders that are not runs.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnCli } from "./cli.js";

/** The releases the store's runs use. */
export const STORE_VERSIONS = ["3.8.0", "3.9.5"] as const;
/** Nights of the store, oldest first. */
export const STORE_NIGHTS = [
  "2026-11-01",
  "2026-11-02",
  "2026-11-03",
  "2026-11-04",
  "2026-11-05",
  "2026-11-06",
] as const;
/** Markup that must be shown as text wherever it appears. */
export const HOSTILE = {
  scenario: '<script>alert("scenario")</script>',
  description: '"><img src=x onerror=alert("description")>',
  version: "3.8.0<svg onload=alert(3)>",
  kind: "</td><script>alert(4)</script>",
  cause: '<img src=x onerror=alert("cause")>',
  commit: '"><b id=injected>x',
  folder: "<img src=x onerror=alert(5)>",
} as const;

/** What the helper made, for the tests to check against. */
export interface NightStore {
  readonly dir: string;
  readonly realRuns: number;
  readonly runs: number;
  /** Folders that hold a results.json that is not a run (named when indexed). */
  readonly corrupt: readonly string[];
  /** The run copied into two nights with opposite verdicts. */
  readonly flaky: { scenario: string; seed: number; version: string };
}

type Json = Record<string, unknown> & {
  verdicts: { checker: string; valid: unknown; anomalies: unknown[] }[];
  latency?: { p50Ms: number; p95Ms: number; p99Ms: number };
};

function readJson(file: string): Json {
  return JSON.parse(readFileSync(file, "utf8")) as Json;
}

function writeJson(file: string, data: unknown): void {
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** Makes the real runs (about half a minute) into `work`; returns their folders. */
export async function makeRealRuns(work: string, scenario: string): Promise<string[]> {
  for (const seed of [11, 12]) {
    const cli = spawnCli(
      [
        "run",
        scenario,
        "--nodes",
        "1",
        "--duration",
        "3s",
        "--seed",
        String(seed),
        "--zookeeper-version",
        STORE_VERSIONS.join(","),
        "--out",
        work,
        "--quiet",
      ],
      { ZK_CHAOS_COMMIT: "c0ffee1" },
    );
    const code = await cli.exited;
    if (code !== 0) throw new Error(`zk-chaos run exited ${code}:\n${cli.output()}`);
  }
  return readdirSync(work)
    .filter((name) => !name.includes("-summary"))
    .map((name) => join(work, name));
}

/** Copies the real runs into night folders and applies the changes the header lists. */
export function makeNightStore(dir: string, real: readonly string[]): NightStore {
  let runs = 0;
  const copy = (from: string, night: string, name: string, change?: (results: Json) => void) => {
    const to = join(dir, `night-${night}`, name);
    cpSync(from, to, { recursive: true });
    const file = join(to, "results.json");
    const results = readJson(file);
    const time = (results.startedAt as string).slice(10);
    results.startedAt = `${night}${time}`;
    change?.(results);
    writeJson(file, results);
    runs++;
    return to;
  };
  const anomaly = (kind: string, cause: string) => ({
    kind,
    message: "a write acknowledged and then lost",
    events: [1, 2],
    cause: { message: cause, events: [3] },
  });
  const addAnomaly = (results: Json, kind: string, cause: string) => {
    results.valid = false;
    const verdict =
      results.verdicts.find((v) => v.checker === "zookeeper-registers") ?? results.verdicts[0];
    if (!verdict) throw new Error("a run without verdicts");
    verdict.valid = false;
    verdict.anomalies.push(anomaly(kind, cause));
  };
  const last = STORE_NIGHTS.at(-1) as string;
  const [first] = real;
  if (!first) throw new Error("no real runs");
  const firstResults = readJson(join(first, "results.json"));
  for (const night of STORE_NIGHTS)
    for (const [index, run] of real.entries())
      copy(run, night, `run-${index}`, (results) => {
        // The slow night: every latency six times what it was.
        if (night === last && results.latency)
          results.latency = {
            ...results.latency,
            p50Ms: results.latency.p50Ms * 6,
            p95Ms: results.latency.p95Ms * 6,
            p99Ms: results.latency.p99Ms * 6,
          };
        // One finding seen on two nights, the same kind and cause.
        if (index === 1 && (night === "2026-11-02" || night === "2026-11-05"))
          addAnomaly(results, "lost-write", "server 2 truncated its log to 0x100000004");
      });
  // Flaky: the first run again on the second night, same commit and seed, judged invalid.
  copy(first, "2026-11-02", "run-0-again", (results) =>
    addAnomaly(results, "stale-read", "no documented bug"),
  );
  // Hostile strings in every free field, in a folder whose name is markup too.
  copy(first, "2026-11-03", HOSTILE.folder, (results) => {
    results.scenario = HOSTILE.scenario;
    results.description = HOSTILE.description;
    results.zooKeeperVersion = HOSTILE.version;
    results.commit = HOSTILE.commit;
    addAnomaly(results, HOSTILE.kind, HOSTILE.cause);
  });
  // Not runs: a half-written results.json, a file of another shape, a link out of the store.
  const corrupt = ["broken/half-written", "broken/other-shape"];
  mkdirSync(join(dir, corrupt[0] as string), { recursive: true });
  writeFileSync(join(dir, corrupt[0] as string, "results.json"), '{"schemaVersion":1,"scen');
  mkdirSync(join(dir, corrupt[1] as string), { recursive: true });
  writeJson(join(dir, corrupt[1] as string, "results.json"), { ...firstResults, nodes: "three" });
  symlinkSync("/etc", join(dir, "outside"));
  return {
    dir,
    realRuns: real.length,
    runs,
    corrupt,
    flaky: {
      scenario: firstResults.scenario as string,
      seed: firstResults.seed as number,
      version: firstResults.zooKeeperVersion as string,
    },
  };
}
