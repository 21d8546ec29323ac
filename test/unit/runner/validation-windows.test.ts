import { describe, expect, it } from "vitest";
import {
  sessionsTell,
  tellingWindowMs,
  VALIDATION_FLOOR_MS,
  validationDurationMs,
} from "../../../src/runner/validation-windows.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { FAST_SETTINGS, PRODUCTION_SETTINGS } from "../../../src/zookeeper/settings.js";

const scenario = (lines: string) =>
  parseScenario(
    `name: s\ndescription: d\nnodes: [3]\nworkload: { kind: registers, workers: 2, rate: 5 }\n${lines}`,
    "s.yaml",
  );

describe("validate's scenario durations: scaled to the settings' telling window", () => {
  it("the telling window is the session timeout (and the tick its expiry may wait), twice syncLimit ticks or initLimit ticks, whichever is longest", () => {
    // Fast: 4 s session and a 200 ms tick, 2 x 5 x 200 ms, 10 x 200 ms.
    expect(tellingWindowMs(FAST_SETTINGS, 4000)).toBe(4200);
    expect(tellingWindowMs(FAST_SETTINGS, 1000)).toBe(2000);
    // Production: 2 x 5 x 2 s.
    expect(tellingWindowMs(PRODUCTION_SETTINGS, 4000)).toBe(20_000);
    // No session holds what is checked: the quorum's windows alone.
    expect(tellingWindowMs(FAST_SETTINGS, undefined)).toBe(2000);
  });

  it("counts the session timeout only where sessions hold what is checked: ephemerals, watches, client cuts", () => {
    const kill =
      "duration: 20s\nfaults:\n  - { at: 5s, for: 6s, fault: { kind: kill, target: leader } }";
    expect(sessionsTell(scenario(kill))).toBe(false);
    // validate --watch adds watching agents to every scenario.
    expect(sessionsTell(scenario(kill), { agents: 2 } as never)).toBe(true);
    const cut =
      "duration: 20s\nfaults:\n  - { at: 5s, for: 6s, fault: { kind: client-isolate, target: leader } }";
    expect(sessionsTell(scenario(cut))).toBe(true);
    const randomCuts = scenario(
      "duration: 30s\nrandom: { kinds: [isolate, client-isolate], minGap: 1s, maxGap: 2s, minFault: 1s, maxFault: 3s }",
    );
    expect(sessionsTell(randomCuts)).toBe(true);
    const topology = parseScenario(
      "name: t\ndescription: d\nnodes: [3]\nduration: 20s\nworkload: { kind: topology, workers: 2, rate: 5 }",
      "t.yaml",
    );
    expect(sessionsTell(topology)).toBe(true);
    const watched = parseScenario(
      "name: w\ndescription: d\nnodes: [3]\nduration: 20s\nworkload: { kind: registers, workers: 2, rate: 5, watch: { agents: 1 } }",
      "w.yaml",
    );
    expect(sessionsTell(watched)).toBe(true);
  });

  it("scales a run down until its shortest window (a fault, a gap between starts, the quiet tail) is the telling window", () => {
    // Windows: the fault's 6 s, the tail's 9 s: 6 s becomes 4 s, so 20 s becomes 13.3 s.
    const kill = scenario(
      "duration: 20s\nfaults:\n  - { at: 5s, for: 6s, fault: { kind: kill, target: leader } }",
    );
    expect(validationDurationMs(kill, 4000)).toBe(13_333);
    // Starts 3 s apart are the shortest window: nothing to shorten at a 4 s telling window.
    const rolling = scenario(
      "duration: 20s\nfaults:\n  - { at: 4s, fault: { kind: restart, target: 1 } }\n  - { at: 7s, fault: { kind: restart, target: 2 } }",
    );
    expect(validationDurationMs(rolling, 4000)).toBe(20_000);
    // Never longer than written, whatever the settings ask.
    expect(validationDurationMs(kill, 20_000)).toBe(20_000);
  });

  it("keeps at least three telling windows, and room for two of a random schedule's longest faults and gaps", () => {
    // Three telling windows: load before, during and after a fault.
    const quiet = scenario("duration: 15s");
    expect(validationDurationMs(quiet, 4000)).toBe(12_000);
    expect(validationDurationMs(quiet, 2000)).toBe(VALIDATION_FLOOR_MS);
    expect(validationDurationMs(quiet, 1000)).toBe(VALIDATION_FLOOR_MS);
    const random = scenario(
      "duration: 30s\nrandom: { kinds: [isolate], minGap: 1s, maxGap: 2s, minFault: 1s, maxFault: 3s }",
    );
    // 2 x (3 s + 2 s) in the first four fifths of the run.
    expect(validationDurationMs(random, 4000)).toBe(12_500);
    // Two telling windows of 20 s do not fit in 30 s: as written.
    expect(validationDurationMs(random, 20_000)).toBe(30_000);
  });
});
