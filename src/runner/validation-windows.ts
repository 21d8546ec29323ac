/**
 * How long validate runs each scenario. A scenario's times are written for
 * any settings; under fast ones a fault shows its effect in a fraction of
 * them, so validate scales a scenario down as far as every window still
 * tells what it is there to tell: each fault lasts, and each next fault
 * comes, at least the telling window after the one before, which the
 * ensemble's own settings give.
 */
import type { FaultKind } from "../faults/fault-spec.js";
import { RANDOM_SHARE } from "../scenario/plan.js";
import type { Scenario, WatchSettings } from "../scenario/schema.js";
import type { ZooKeeperSettings } from "../zookeeper/settings.js";

/** The shortest run validate makes of a scenario under any settings (ms). */
export const VALIDATION_FLOOR_MS = 6000;

/** Telling windows a run lasts at least: load before, during and after a fault. */
const WINDOWS_PER_RUN = 3;

/** Faults whose effect is on the clients' sessions: a cut from the clients shows when sessions expire. */
const SESSION_FAULTS: ReadonlySet<FaultKind> = new Set(["client-isolate"]);

/**
 * Whether what a scenario checks turns on its sessions' lifetimes: host
 * registrations held as ephemerals (the topology workload), watches (they
 * live and die with a session), or a cut between clients and servers. A
 * register or transaction history is judged on its operations alone, and a
 * server fault shows in the quorum's windows, not the sessions'.
 */
export function sessionsTell(scenario: Scenario, watch?: WatchSettings): boolean {
  return (
    scenario.workload.kind === "topology" ||
    scenario.workload.watch !== undefined ||
    watch !== undefined ||
    scenario.faults.some((entry) => SESSION_FAULTS.has(entry.fault.kind as FaultKind)) ||
    (scenario.random?.kinds ?? []).some((kind) => SESSION_FAULTS.has(kind as FaultKind))
  );
}

/**
 * The shortest window in which a fault shows its effect under these
 * settings: a lost server is noticed (syncLimit ticks) and a new leader
 * gathers its quorum (initLimit ticks); when sessions tell (sessionsTell), a
 * session expires in it too (the server expires sessions a tick late at
 * most: its expiry queue counts in ticks).
 */
export function tellingWindowMs(
  settings: ZooKeeperSettings,
  sessionTimeoutMs: number | undefined,
): number {
  return Math.max(
    sessionTimeoutMs === undefined ? 0 : sessionTimeoutMs + settings.tickTime,
    2 * settings.syncLimit * settings.tickTime,
    settings.initLimit * settings.tickTime,
  );
}

/** The windows of a scenario's timed faults: each fault's length, and the gap between one start and the next. */
function windowsOf(scenario: Scenario): number[] {
  const timed = scenario.faults.filter(
    (entry) => entry.when === undefined && entry.after === undefined,
  );
  const lengths = timed.map((entry) => entry.for).filter((ms) => ms > 0);
  const starts = [...new Set(timed.map((entry) => entry.at))].sort((a, b) => a - b);
  const gaps = starts.slice(1).map((at, index) => at - (starts[index] as number));
  const tail = scenario.duration - Math.max(0, ...timed.map((entry) => entry.at + entry.for));
  return [...lengths, ...gaps, ...(timed.length > 0 ? [tail] : [])].filter((ms) => ms > 0);
}

/**
 * The duration validate runs a scenario for (ms): scaled down until its
 * shortest window is the telling window, never below three telling windows
 * (nor VALIDATION_FLOOR_MS) nor above what the scenario says. A random
 * schedule draws fault lengths of its own, in the first four fifths of the
 * run: those keep room for two of its longest faults and gaps, and for two
 * telling windows.
 */
export function validationDurationMs(scenario: Scenario, tellingMs: number): number {
  const random = scenario.random;
  const randomNeeds =
    random === undefined
      ? 0
      : Math.max(2 * (random.maxFault + random.maxGap), 2 * tellingMs) / RANDOM_SHARE;
  const windows = windowsOf(scenario);
  const scale = windows.length === 0 ? 0 : tellingMs / Math.min(...windows);
  const floor = Math.max(VALIDATION_FLOOR_MS, WINDOWS_PER_RUN * tellingMs);
  const scaled = Math.max(floor, randomNeeds, scale * scenario.duration);
  return Math.round(Math.min(scenario.duration, scaled));
}
