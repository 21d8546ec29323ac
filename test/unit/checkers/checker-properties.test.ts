import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkZooKeeper } from "../../../src/checkers/zookeeper/zookeeper-checker.js";
import { INJECTABLE, syntheticHistory } from "../../../src/testing/synthetic-history.js";

const shape = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  processes: fc.integer({ min: 2, max: 8 }),
  registers: fc.integer({ min: 1, max: 3 }),
});

function verdictsOf(events: Parameters<typeof checkZooKeeper>[0]) {
  const verdicts = checkZooKeeper(events);
  return {
    zookeeper: verdicts.find((v) => v.checker === "zookeeper-registers"),
    general: verdicts.find((v) => v.checker === "register-linearizability"),
    all: verdicts,
  };
}

describe("both checkers on histories of a sequential register model under random concurrency", () => {
  it("judge every correct history valid (with unknown outcomes mixed in)", () => {
    fc.assert(
      fc.property(shape, fc.constantFrom(0, 0.05), ({ seed, processes, registers }, infoRate) => {
        const { events } = syntheticHistory({
          seed,
          operations: 200,
          processes,
          registers,
          infoRate,
        });
        const { all } = verdictsOf(events);
        for (const verdict of all)
          expect(
            verdict.valid,
            `${verdict.checker}: ${JSON.stringify(verdict.anomalies.slice(0, 2))}`,
          ).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  for (const anomaly of INJECTABLE) {
    it(`judge a history with one injected ${anomaly} invalid, naming its events`, () => {
      fc.assert(
        fc.property(shape, ({ seed, processes, registers }) => {
          const { events, injected } = syntheticHistory(
            { seed, operations: 300, processes, registers },
            anomaly,
          );
          fc.pre(injected.length > 0);
          const { zookeeper, general } = verdictsOf(events);
          expect(zookeeper?.valid).toBe(false);
          expect(general?.valid).toBe(false);
          const named = new Set(zookeeper?.anomalies.flatMap((a) => a.events));
          expect(
            injected.some((index) => named.has(index)),
            `anomalies ${JSON.stringify(zookeeper?.anomalies.map((a) => a.kind))} name ${injected}`,
          ).toBe(true);
          const generalNamed = new Set(general?.anomalies.flatMap((a) => a.events));
          expect(generalNamed.size).toBeGreaterThan(0);
        }),
        { numRuns: 25 },
      );
    });
  }
});
