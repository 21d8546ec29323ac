/**
 * Benchmark: explore against today's random schedule (Jepsen's model), the
 * anchor, in the same run with the same budget per campaign.
 *   node dist/bench/explore.js [budget-minutes=5] [campaigns=3] [version=debian] [nodes=3]
 * Each random campaign runs seed after seed of a scenario whose schedule is
 * drawn at random from the same fault kinds explore draws from; each explore
 * campaign searches with its own seed. Printed per side: runs, distinct
 * signature grams (the same signature for both), and the time to the first
 * anomaly of each kind (median over campaigns), then the ratios.
 * Writes reports/bench-explore/explore.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { explore } from "../src/explore/campaign.js";
import { anomalyKey } from "../src/explore/finding.js";
import { behaviourSignature } from "../src/explore/signature.js";
import { EXPLORABLE_KINDS, explorableKinds } from "../src/explore/vocabulary.js";
import { RANDOM_FAULT_KINDS } from "../src/faults/fault-spec.js";
import { readHistoryFile } from "../src/history/reader.js";
import { runAndReport } from "../src/runner/run-matrix.js";
import { standardSuiteDir } from "../src/runner/validate.js";
import { loadScenario } from "../src/scenario/load-scenario.js";
import { planRun } from "../src/scenario/plan.js";
import { median, table } from "./stats.js";

const budgetMs = Number(process.argv[2] ?? 5) * 60_000;
const campaigns = Number(process.argv[3] ?? 3);
const version = process.argv[4] && process.argv[4] !== "debian" ? process.argv[4] : undefined;
const nodes = Number(process.argv[5] ?? 3);
const out = join("reports", "bench-explore");
mkdirSync(out, { recursive: true });

interface Side {
  runs: number[];
  grams: number[];
  /** Ms from the campaign's start to its first anomaly (Infinity: none). */
  firstAnomalyMs: number[];
  kinds: Set<string>;
}

// Both sides draw from the same vocabulary: what a random schedule may draw and explore can make here.
const { kinds } = explorableKinds(
  "local",
  RANDOM_FAULT_KINDS.filter((kind) => (EXPLORABLE_KINDS as readonly string[]).includes(kind)),
);
const randomScenario = join(out, "random-baseline.yaml");
writeFileSync(
  randomScenario,
  stringify({
    name: "random-baseline",
    description: "a random schedule over explore's fault kinds (the anchor)",
    nodes: [nodes],
    duration: "15s",
    zookeeper: { profile: "fast", ...(version ? { version } : {}) },
    workload: { kind: "registers", workers: 6, rate: 20 },
    checkers: ["zookeeper", "availability", "recovery"],
    random: {
      kinds,
      minGap: "500ms",
      maxGap: "3s",
      minFault: "500ms",
      maxFault: "4s",
    },
  }),
);

const random: Side = { runs: [], grams: [], firstAnomalyMs: [], kinds: new Set() };
const explored: Side = { runs: [], grams: [], firstAnomalyMs: [], kinds: new Set() };

for (let campaign = 1; campaign <= campaigns; campaign++) {
  // The anchor: seed after seed of the random schedule until the budget is spent.
  const started = performance.now();
  const coverage = new Set<string>();
  let runs = 0;
  let first = Number.POSITIVE_INFINITY;
  const scenario = loadScenario(randomScenario);
  for (let seed = campaign * 1000; performance.now() - started + 30_000 < budgetMs; seed++) {
    const plan = planRun(scenario, nodes, seed, undefined, version);
    const { results, dir } = await runAndReport(plan, randomScenario, {
      out: join(out, `random-${campaign}`),
    });
    runs++;
    for (const gram of behaviourSignature(await readHistoryFile(join(dir, "history.jsonl"))))
      coverage.add(gram);
    const key = anomalyKey(results.verdicts);
    for (const each of key) random.kinds.add(each);
    if (key.length > 0 && first === Number.POSITIVE_INFINITY) first = performance.now() - started;
  }
  random.runs.push(runs);
  random.grams.push(coverage.size);
  random.firstAnomalyMs.push(first);
  // The same budget for explore, no shrinking: the search alone is compared.
  const exploreStarted = performance.now();
  let exploreFirst = Number.POSITIVE_INFINITY;
  const result = await explore({
    budgetMs,
    nodes,
    ...(version ? { zookeeperVersion: version } : {}),
    provider: { provider: "local" },
    seed: campaign,
    out: join(out, `explore-${campaign}`),
    corpusDir: join(out, `explore-${campaign}`, "corpus"),
    findingsDir: join(out, `explore-${campaign}`, "findings"),
    kinds,
    maxShrinkTrials: 0,
    replays: 1,
    knownBugsDir: join(standardSuiteDir(), "known-bugs"),
    onProgress: (status) => {
      if (status.findings > 0 && exploreFirst === Number.POSITIVE_INFINITY)
        exploreFirst = performance.now() - exploreStarted;
    },
  });
  for (const finding of result.findings) for (const each of finding.key) explored.kinds.add(each);
  explored.runs.push(result.searchRuns);
  explored.grams.push(result.coverage);
  explored.firstAnomalyMs.push(exploreFirst);
  console.log(
    `campaign ${campaign}: random ${runs} runs, ${coverage.size} grams, first anomaly ${Number.isFinite(first) ? `${Math.round(first / 1000)} s` : "none"}; explore ${result.searchRuns} runs, ${result.coverage} grams, first anomaly ${Number.isFinite(exploreFirst) ? `${Math.round(exploreFirst / 1000)} s` : "none"}`,
  );
}

const seconds = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms / 1000)} s` : "none");
console.log(
  `\nexplore vs random schedule, ${campaigns} campaign(s) of ${budgetMs / 60_000} min each, ${nodes} servers, ZooKeeper ${version ?? "debian"}\n`,
);
console.log(
  table(
    ["side", "runs (median)", "grams (median)", "first anomaly (median)", "anomaly kinds"],
    [
      [
        "random (anchor)",
        String(median(random.runs)),
        String(median(random.grams)),
        seconds(median(random.firstAnomalyMs)),
        String(random.kinds.size),
      ],
      [
        "explore",
        String(median(explored.runs)),
        String(median(explored.grams)),
        seconds(median(explored.firstAnomalyMs)),
        String(explored.kinds.size),
      ],
    ],
  ),
);
const ratio = median(explored.grams) / Math.max(1, median(random.grams));
console.log(`\ngrams ratio explore/random: ${ratio.toFixed(2)}x (target 1.5x)`);
writeFileSync(
  join(out, "explore.json"),
  `${JSON.stringify({ budgetMs, campaigns, nodes, version: version ?? "debian", random: { ...random, kinds: [...random.kinds] }, explore: { ...explored, kinds: [...explored.kinds] }, ratio }, null, 2)}\n`,
);
