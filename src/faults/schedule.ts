import { BadInputError } from "../errors.js";
import { deriveRandom, pick, randomInt } from "../util/seeded-random.js";
import type { FaultKind, FaultSpec } from "./fault-spec.js";
import type { ScheduledFault } from "./nemesis.js";

/** Bounds of a random schedule. */
export interface RandomScheduleOptions {
  /** Fault kinds to draw from. */
  readonly kinds: readonly FaultKind[];
  /** The schedule ends (last heal) by this offset. */
  readonly totalMs: number;
  /** Quiet time before each fault. */
  readonly minGapMs: number;
  readonly maxGapMs: number;
  /** How long each fault stays. */
  readonly minFaultMs: number;
  readonly maxFaultMs: number;
}

/** The broadcast steps a random message fault aims at. */
const ZAB_STEPS = ["PROPOSAL", "ACK", "COMMIT"] as const;

/** A default fault of a kind, with its random choices left for the nemesis (drawn from the same seed). */
export function defaultSpec(kind: FaultKind, draw: () => number): FaultSpec {
  switch (kind) {
    case "kill":
    case "stop":
    case "pause":
      return { kind, target: draw() < 0.5 ? "leader" : "follower" };
    case "restart":
      return { kind, target: "random" };
    case "isolate":
      return { kind, target: draw() < 0.5 ? "leader" : "follower" };
    case "partition":
      return { kind, groups: draw() < 0.5 ? "random-halves" : "majority-minority" };
    case "bridge":
    case "ring":
      return { kind };
    case "one-way":
      return { kind, from: "random", to: "leader" };
    case "client-isolate":
    case "disk-full":
    case "starve":
    case "wipe":
    case "read-only":
    case "corrupt":
      return { kind, target: "random" };
    case "latency":
      return { kind, latency: 50 + Math.floor(draw() * 150), jitter: 20 };
    case "slow-fsync":
      return { kind, target: "random", delay: 100 + Math.floor(draw() * 400) };
    case "clock":
      return {
        kind,
        target: "random",
        offset: (1 + Math.floor(draw() * 60)) * 1000,
      };
    case "bandwidth":
      return { kind, rate: 50 };
    case "loss":
      return { kind, rate: 0.1 };
    case "flaky":
      return { kind, style: draw() < 0.5 ? "reset" : "slicer" };
    case "blackhole":
      return { kind, links: "all" };
    case "drop-message":
    case "duplicate-message":
    case "hold-message":
      return { kind, match: { types: [pick(draw, ZAB_STEPS)] }, count: 1 };
    case "delay-message":
      return {
        kind,
        match: { types: [pick(draw, ZAB_STEPS)] },
        count: 1,
        delay: 100 + Math.floor(draw() * 400),
      };
    case "upgrade":
    case "downgrade":
      throw new BadInputError(
        `fault '${kind}' needs a version, so it cannot be drawn at random: schedule it as a fixed fault`,
      );
    case "join":
    case "leave":
      throw new BadInputError(
        `fault '${kind}' changes the membership of a scenario with members:, so it cannot be drawn at random: schedule it as a fixed fault`,
      );
  }
}

/**
 * Draws a schedule of non-overlapping faults from a seed: the same seed and
 * options give the same schedule, byte for byte.
 */
export function randomSchedule(
  seed: number | string,
  options: RandomScheduleOptions,
): ScheduledFault[] {
  if (options.kinds.length === 0) return [];
  const random = deriveRandom(seed, "schedule");
  const schedule: ScheduledFault[] = [];
  let at = randomInt(random, options.minGapMs, options.maxGapMs);
  for (let index = 1; index <= 10_000; index++) {
    const durationMs = randomInt(random, options.minFaultMs, options.maxFaultMs);
    if (at + durationMs > options.totalMs) break;
    const kind = pick(random, options.kinds);
    schedule.push({ id: `f${index}`, at, durationMs, spec: defaultSpec(kind, random) });
    at += durationMs + randomInt(random, options.minGapMs, options.maxGapMs);
  }
  return schedule;
}
