/**
 * Fuzzes the scenario loader: N mutants of every shipped scenario (default
 * 25), each loaded and judged. Prints how many were accepted, rejected with
 * file:line:field, rejected without a place, crashed, vacuous, and the
 * slowest load (a hang would show here).
 *   node dist/bench/scenario-fuzz.js [mutants-per-scenario=25] [seed=1]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { judgeMutant, scenarioMutants, vacuous } from "../src/scenario/mutants.js";

const perScenario = Number(process.argv[2] ?? 25);
const seed = Number(process.argv[3] ?? 1);
const roots = ["scenarios", join("scenarios", "known-bugs"), join("scenarios", "upgrades")];
const scenarios = roots.flatMap((root) =>
  readdirSync(root)
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => ({ file: join(root, file), text: readFileSync(join(root, file), "utf8") })),
);
const tally: Record<string, number> = {};
let slowest = { ms: 0, change: "" };
const problems: string[] = [];
for (const mutant of scenarioMutants(scenarios, perScenario, seed)) {
  const started = performance.now();
  const outcome = judgeMutant(mutant.text);
  const ms = performance.now() - started;
  if (ms > slowest.ms) slowest = { ms, change: `${mutant.file}: ${mutant.change}` };
  const kind = outcome.kind === "accepted" && vacuous(outcome.scenario) ? "vacuous" : outcome.kind;
  tally[kind] = (tally[kind] ?? 0) + 1;
  if (kind !== "accepted" && kind !== "rejected")
    problems.push(
      `${kind}: ${mutant.file} (${mutant.change}): ${"message" in outcome ? outcome.message.split("\n")[0] : ""}`,
    );
}
const total = Object.values(tally).reduce((sum, count) => sum + count, 0);
console.log(
  `scenario loader fuzz: ${total} mutants of ${scenarios.length} scenarios (seed ${seed})`,
);
for (const kind of ["accepted", "rejected", "rejected-without-place", "crashed", "vacuous"])
  console.log(`  ${kind.padEnd(24)} ${tally[kind] ?? 0}`);
console.log(`  slowest load: ${slowest.ms.toFixed(1)} ms (${slowest.change})`);
for (const problem of problems.slice(0, 20)) console.log(`  ${problem}`);
console.log(
  "target: 0 crashed, 0 rejected without a place, 0 vacuous; every load well under a second",
);
