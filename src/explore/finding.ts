/**
 * A finding of the explore search: the anomalies a run's checkers named, the
 * history events and server log lines that prove them, and the documented
 * bugs (the known-bugs scenarios are that table) whose versions and checkers
 * match, or the plain statement that none does.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Anomaly, Verdict } from "../checkers/verdict.js";
import type { FaultSpec } from "../faults/fault-spec.js";
import type { HistoryEvent } from "../history/event.js";
import { loadScenario } from "../scenario/load-scenario.js";
import { inRange } from "../zookeeper/version-range.js";
import type { ReproductionRate, ShrinkStep } from "./shrink.js";

/**
 * What identifies a finding: its checkers and anomaly kinds (`checker:kind`),
 * sorted. Anomalies the drawn faults made themselves (data the nemesis
 * destroyed: ZooKeeper trusts its disks) are left out: they are the faults'
 * doing, not a ZooKeeper defect, and a search that chased them would report
 * every wipe that lands.
 */
export function anomalyKey(verdicts: readonly Verdict[]): string[] {
  const keys = new Set<string>();
  for (const verdict of verdicts) {
    if (verdict.valid !== false) continue;
    for (const anomaly of verdict.anomalies)
      if (!madeByFault(anomaly)) keys.add(`${verdict.checker}:${anomaly.kind}`);
    if (verdict.anomalies.length === 0) keys.add(`${verdict.checker}:invalid`);
  }
  return [...keys].sort();
}

/** Whether the faults made an anomaly themselves (data the nemesis destroyed). */
const madeByFault = (anomaly: Anomaly): boolean => anomaly.cause?.dataDestroyed === true;

/** How many anomalies of a run the faults made themselves (data the nemesis destroyed). */
export function faultMadeAnomalies(verdicts: readonly Verdict[]): number {
  return verdicts
    .filter((verdict) => verdict.valid === false)
    .reduce((sum, verdict) => sum + verdict.anomalies.filter(madeByFault).length, 0);
}

/** Does a run show the same anomaly as a finding (a checker:kind in common)? */
export function sameAnomaly(finding: readonly string[], run: readonly string[]): boolean {
  return run.some((key) => finding.includes(key));
}

/**
 * Why faults put a run outside ZooKeeper's fault model, if they do: a peer
 * message sent twice, or cut from the middle of its stream while the
 * connection stays up. TCP delivers every byte once and in order or breaks
 * the connection, and ZAB assumes exactly such channels; what a run shows
 * only with such a fault is the fault's doing, not a ZooKeeper defect.
 */
export function outsideFaultModel(faults: readonly FaultSpec[]): string | undefined {
  for (const fault of faults) {
    if (fault.kind === "duplicate-message")
      return "it needs a peer message delivered twice, which TCP never does (ZAB assumes reliable FIFO channels)";
    if (fault.kind === "drop-message" && fault.mode !== "reset")
      return "it needs a peer message cut from its stream while the connection stayed up, which TCP never does (ZAB assumes reliable FIFO channels)";
  }
  return undefined;
}

/** A documented bug whose known-bug scenario matches a finding's release and checkers. */
export interface DocumentedBug {
  readonly jira: readonly string[];
  readonly title: string;
  readonly scenario: string;
}

/**
 * The known bugs reproduced on `version` (by their scenario's expectations)
 * whose signature names one of the finding's checkers (and whose message
 * pattern, when they give one, one of its anomalies matches), closest first: the
 * larger share of the bug's checkers the finding shows (a signature the
 * scenario names counts double the default), then more fault kinds in common
 * with the finding's run.
 */
export function documentedBugsFor(
  key: readonly string[],
  version: string,
  knownBugsDir: string,
  faultKinds: readonly string[] = [],
  /** The finding's anomaly messages: a bug that gives a message pattern must match one. */
  messages: readonly string[] = [],
): DocumentedBug[] {
  const checkers = new Set(key.map((each) => each.split(":")[0] as string));
  let files: string[];
  try {
    files = readdirSync(knownBugsDir).filter((file) => file.endsWith(".yaml"));
  } catch {
    return [];
  }
  const scored: { bug: DocumentedBug; checkers: number; kinds: number }[] = [];
  for (const file of files.sort()) {
    const scenario = loadScenario(join(knownBugsDir, file));
    const bug = scenario.bug;
    if (bug === undefined) continue;
    const reproducedHere = bug.expect.some(
      (each) => each.outcome === "reproduced" && inRange(version, each.versions),
    );
    // The share of the bug's checkers the finding shows; a bug that names them counts above the default.
    const signature = bug.signature ?? ["zookeeper-registers"];
    const shared = signature.filter((checker) => checkers.has(checker)).length;
    const common = ((bug.signature !== undefined ? 1 : 0.5) * shared) / signature.length;
    if (!reproducedHere || common === 0) continue;
    // Its own words, where the checker shows several bugs (two NullPointerExceptions differ).
    if (bug.message !== undefined) {
      const pattern = new RegExp(bug.message);
      if (!messages.some((message) => pattern.test(message))) continue;
    }
    const kinds = new Set(scenario.faults.map((entry) => entry.fault.kind as string));
    scored.push({
      bug: { jira: bug.jira, title: bug.title, scenario: scenario.name },
      checkers: common,
      kinds: faultKinds.filter((kind) => kinds.has(kind)).length,
    });
  }
  return scored
    .sort((a, b) => b.checkers - a.checkers || b.kinds - a.kinds)
    .map((each) => each.bug);
}

/** The JIRA keys of documented bugs, each once, closest bug first (two scenarios may share a family). */
export function documentedKeys(bugs: readonly DocumentedBug[]): string[] {
  return [...new Set(bugs.flatMap((bug) => bug.jira))];
}

/** Everything finding.md says. */
export interface FindingReport {
  readonly id: string;
  readonly key: readonly string[];
  readonly version: string;
  readonly verdicts: readonly Verdict[];
  readonly events: readonly HistoryEvent[];
  readonly originalDir: string;
  readonly shrunkDir?: string;
  readonly steps: readonly ShrinkStep[];
  readonly faultsBefore: number;
  readonly faultsAfter: number;
  readonly durationBefore: number;
  readonly durationAfter: number;
  readonly rate: ReproductionRate;
  readonly alsoOn: readonly { version: string; rate: ReproductionRate }[];
  readonly bugs: readonly DocumentedBug[];
  /** Why the shrunk scenario is outside ZooKeeper's fault model (outsideFaultModel), if it is. */
  readonly outsideModel?: string | undefined;
}

/** One history event in a line of text. */
function eventLine(event: HistoryEvent): string {
  const value = JSON.stringify(event.value ?? null);
  return `#${event.index} ${(event.time / 1e9).toFixed(3)} s ${event.process} ${event.type} ${event.f} ${value.length > 160 ? `${value.slice(0, 157)}...` : value}`;
}

/** The server log events that speak of trouble or of synchronisation, up to `most`. */
function telltaleLines(events: readonly HistoryEvent[], most: number): HistoryEvent[] {
  const telling = new Set([
    "truncating-log",
    "snapshot-from-leader",
    "diff-from-leader",
    "newleader-received",
    "unrecoverable-error",
    "load-failed",
    "disk-full",
    "followers-not-synced",
  ]);
  return events
    .filter(
      (event) =>
        event.f === "log" &&
        telling.has((event.value as { kind?: string } | undefined)?.kind ?? ""),
    )
    .slice(-most);
}

/** finding.md: what happened, what proves it, how it shrank and replays, which documented bug explains it. */
export function findingMarkdown(report: FindingReport): string {
  const byIndex = new Map(report.events.map((event) => [event.index, event]));
  const lines = [
    `# Finding ${report.id}`,
    "",
    `ZooKeeper ${report.version}: ${report.key.join(", ")}.`,
    "",
    "## What happened",
    "",
  ];
  for (const verdict of report.verdicts.filter((each) => each.valid === false)) {
    lines.push(`- **${verdict.checker}** (${verdict.guarantee})`);
    for (const anomaly of verdict.anomalies.slice(0, 5)) {
      lines.push(`  - ${anomaly.kind}: ${anomaly.message}`);
      const proof = anomaly.events.slice(0, 6).flatMap((index) => {
        const event = byIndex.get(index);
        return event === undefined ? [] : [`    - ${eventLine(event)}`];
      });
      if (proof.length > 0) lines.push("    proven by history events:", ...proof);
      if (anomaly.cause) lines.push(`    cause: ${JSON.stringify(anomaly.cause)}`);
    }
  }
  const said = telltaleLines(report.events, 12);
  lines.push("", "## Server log lines", "");
  if (said.length === 0)
    lines.push("No server logged synchronisation or failure lines in this run.");
  for (const event of said)
    lines.push(
      `- ${event.process} (#${event.index}): ${(event.value as { line?: string }).line?.trim() ?? ""}`,
    );
  lines.push(
    "",
    "## Shrinking and replay",
    "",
    `From ${report.faultsBefore} fault(s) over ${report.durationBefore} ms to ${report.faultsAfter} fault(s) over ${report.durationAfter} ms in ${report.steps.length} tried step(s):`,
    "",
    ...report.steps.map(
      (step) =>
        `- ${step.kept ? "kept" : "not kept"}: ${step.how} (${step.rate.reproduced}/${step.rate.of})`,
    ),
    "",
    `The shrunk scenario (scenario.yaml) showed the anomaly in ${report.rate.reproduced}/${report.rate.of} replays on ${report.version}.`,
    ...report.alsoOn.map(
      (other) => `On ${other.version}: ${other.rate.reproduced}/${other.rate.of} replays.`,
    ),
    "",
    `Original run: ${report.originalDir}`,
    ...(report.shrunkDir ? [`Shrunk runs: ${report.shrunkDir}`] : []),
    "",
    "## Documented bugs",
    "",
  );
  if (report.outsideModel !== undefined)
    lines.push(
      `Not a ZooKeeper defect: the shrunk scenario is outside ZooKeeper's fault model (${report.outsideModel}). It is kept for the record and not counted as a finding.`,
    );
  else if (report.bugs.length === 0) lines.push("No documented bug explains it.");
  for (const bug of report.bugs)
    lines.push(
      `- ${bug.jira.join(", ")}: ${bug.title} (its family: the known-bugs scenario ${bug.scenario} reproduces on this version with the same checkers)`,
    );
  return `${lines.join("\n")}\n`;
}
