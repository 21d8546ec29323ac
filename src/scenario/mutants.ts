/**
 * Scenario mutants for fuzzing the loader: a scenario file with one value
 * changed (a number made negative, zero or huge, a string emptied or made
 * absurd, a field dropped, an unknown field added, a list emptied), and a
 * judge of what the loader did with it. Used by a test on a fixed sample and
 * by `bench/scenario-fuzz` on the full set. Seeded: the same seed, the same mutants.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from "yaml";
import { isZkChaosError } from "../errors.js";
import { deriveRandom, pick, type Random } from "../util/seeded-random.js";
import { parseScenario } from "./load-scenario.js";
import type { Scenario } from "./schema.js";

/** One mutant: its text and what was changed. */
export interface ScenarioMutant {
  readonly text: string;
  readonly change: string;
}

const NUMBERS = [-1, 0, 0.5, 1e12, -1e9, Number.MAX_SAFE_INTEGER, 7];
const STRINGS = ["", "-5s", "1e9h", "0s", "<script>x</script>", "x".repeat(300), "NaN", "leader"];

/** Every node of a document with its path, for picking one to change. */
function nodesOf(
  node: unknown,
  path: (string | number)[],
  out: { path: (string | number)[]; node: YamlNode }[],
) {
  if (isMap(node)) {
    out.push({ path, node: node as YamlNode });
    for (const pair of node.items) {
      // The key as written (a number stays a number, or the path would not find it again).
      const key = isScalar(pair.key) ? (pair.key.value as string | number) : String(pair.key);
      nodesOf(pair.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    out.push({ path, node: node as YamlNode });
    node.items.forEach((item, index) => {
      nodesOf(item, [...path, index], out);
    });
  } else if (isScalar(node)) out.push({ path, node: node as YamlNode });
}

/** One mutant of `text`, drawn from `random`. */
function mutate(text: string, random: Random): ScenarioMutant {
  const document = parseDocument(text);
  const found: { path: (string | number)[]; node: YamlNode }[] = [];
  nodesOf(document.contents, [], found);
  const target = pick(random, found.slice(1));
  const where = target.path.join(".");
  if (isScalar(target.node)) {
    const roll = random();
    if (roll < 0.45) {
      const value = pick(random, NUMBERS);
      document.setIn(target.path, value);
      return { text: document.toString(), change: `${where} = ${value}` };
    }
    if (roll < 0.85) {
      const value = pick(random, STRINGS);
      document.setIn(target.path, value);
      return { text: document.toString(), change: `${where} = '${value.slice(0, 20)}'` };
    }
    document.deleteIn(target.path);
    return { text: document.toString(), change: `${where} removed` };
  }
  if (isMap(target.node)) {
    if (random() < 0.5) {
      target.node.set("bogus", 1);
      return { text: document.toString(), change: `${where}.bogus added` };
    }
    document.setIn(target.path, []);
    return { text: document.toString(), change: `${where} made a list` };
  }
  if (random() < 0.5) {
    document.setIn(target.path, []);
    return { text: document.toString(), change: `${where} emptied` };
  }
  document.setIn(target.path, "not-a-list");
  return { text: document.toString(), change: `${where} made a string` };
}

/** `count` mutants of each scenario text, seeded. */
export function scenarioMutants(
  scenarios: readonly { file: string; text: string }[],
  count: number,
  seed: number,
): (ScenarioMutant & { file: string })[] {
  const mutants: (ScenarioMutant & { file: string })[] = [];
  for (const { file, text } of scenarios) {
    const random = deriveRandom(seed, "mutants", file);
    for (let index = 0; index < count; index++) mutants.push({ file, ...mutate(text, random) });
  }
  return mutants;
}

/** What the loader did with a mutant. */
export type MutantOutcome =
  | { readonly kind: "accepted"; readonly scenario: Scenario }
  | { readonly kind: "rejected"; readonly message: string }
  | { readonly kind: "rejected-without-place"; readonly message: string }
  | { readonly kind: "crashed"; readonly message: string };

/**
 * Loads a mutant: accepted, rejected with every line of the message naming
 * the file and line ("m.yaml:12: field: ..."), rejected without a place, or
 * crashed (anything but our own error: a stack trace a user would see).
 */
export function judgeMutant(text: string, file = "mutant.yaml"): MutantOutcome {
  try {
    return { kind: "accepted", scenario: parseScenario(text, file) };
  } catch (error) {
    const message = (error as Error).message;
    if (!isZkChaosError(error))
      return { kind: "crashed", message: String((error as Error).stack ?? message) };
    const placed = message
      .split("\n")
      .every((line) => line.startsWith(`${file}:`) && /^[^:]+:\d+: \S/.test(line));
    return placed ? { kind: "rejected", message } : { kind: "rejected-without-place", message };
  }
}

/** An accepted scenario that could only ever pass (checks nothing, runs for nothing): never acceptable. */
export function vacuous(scenario: Scenario): string | undefined {
  if (scenario.checkers.length === 0) return "checks nothing";
  if (scenario.duration <= 0) return "runs for no time";
  if (scenario.workload.workers <= 0) return "has no workers";
  return undefined;
}
