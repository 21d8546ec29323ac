import { describe, expect, it } from "vitest";
import {
  FAULT_CATALOGUE,
  isFaultKind,
  RANDOM_FAULT_KINDS,
} from "../../../src/faults/fault-spec.js";
import { randomSchedule } from "../../../src/faults/schedule.js";

const options = {
  kinds: ["kill", "isolate", "partition", "latency"] as const,
  totalMs: 60_000,
  minGapMs: 1000,
  maxGapMs: 3000,
  minFaultMs: 2000,
  maxFaultMs: 5000,
};

describe("random schedule", () => {
  it("is a pure function of the seed", () => {
    expect(JSON.stringify(randomSchedule(42, options))).toBe(
      JSON.stringify(randomSchedule(42, options)),
    );
    expect(JSON.stringify(randomSchedule(43, options))).not.toBe(
      JSON.stringify(randomSchedule(42, options)),
    );
  });

  it("keeps faults apart, within bounds, and ends in time", () => {
    const schedule = randomSchedule(7, options);
    expect(schedule.length).toBeGreaterThan(3);
    let lastEnd = 0;
    for (const item of schedule) {
      expect(item.at - lastEnd).toBeGreaterThanOrEqual(options.minGapMs);
      expect(item.at - lastEnd).toBeLessThanOrEqual(options.maxGapMs);
      expect(item.durationMs).toBeGreaterThanOrEqual(options.minFaultMs);
      expect(item.durationMs).toBeLessThanOrEqual(options.maxFaultMs);
      expect(options.kinds).toContain(item.spec.kind);
      lastEnd = item.at + item.durationMs;
    }
    expect(lastEnd).toBeLessThanOrEqual(options.totalMs);
  });

  it("never draws a fault only a scenario may ask for (versions, membership, root, destroyed data)", () => {
    for (const kind of [
      "upgrade",
      "downgrade",
      "disk-full",
      "starve",
      "wipe",
      "corrupt",
      "read-only",
      "slow-fsync",
      "clock",
      "join",
      "leave",
    ])
      expect(RANDOM_FAULT_KINDS).not.toContain(kind);
    expect(RANDOM_FAULT_KINDS).toEqual(expect.arrayContaining(["kill", "partition", "latency"]));
  });

  it("names every kind in the catalogue", () => {
    expect(isFaultKind("kill")).toBe(true);
    expect(isFaultKind("explode")).toBe(false);
    expect(Object.keys(FAULT_CATALOGUE)).toContain("ring");
  });
});
