import { describe, expect, it } from "vitest";
import {
  bridge,
  isolateGroups,
  majoritiesRing,
  majorityMinority,
  randomHalves,
  splitPairs,
} from "../../../src/faults/partitions.js";
import {
  type ConnectivityView,
  connected,
  majority,
  possibleLeaders,
  quorumPossible,
  tolerance,
} from "../../../src/quorum/connectivity.js";
import { seededRandom } from "../../../src/util/seeded-random.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function view(
  n: number,
  blocked: { from: number; to: number }[],
  down: number[] = [],
): ConnectivityView {
  return {
    servers: ids(n),
    conditions: Object.fromEntries(ids(n).map((id) => [id, down.includes(id) ? "down" : "up"])),
    blocked: blocked.map((p) => [p.from, p.to] as const),
    clientsBlocked: [],
  };
}

describe("quorum math", () => {
  it("knows majorities and tolerance", () => {
    expect([1, 3, 4, 5, 7].map(majority)).toEqual([1, 2, 3, 3, 4]);
    expect([1, 3, 4, 5, 7].map(tolerance)).toEqual([0, 1, 1, 2, 3]);
  });

  it("kill f keeps a quorum, kill f+1 loses it", () => {
    expect(quorumPossible(view(5, [], [1, 2]))).toBe(true);
    expect(quorumPossible(view(5, [], [1, 2, 3]))).toBe(false);
    expect(quorumPossible(view(1, [], [1]))).toBe(false);
  });
});

describe("partitions", () => {
  it("split blocks every direction across groups and nothing inside them", () => {
    const pairs = splitPairs([[1], [2, 3]]);
    expect(pairs).toHaveLength(4);
    expect(pairs).toContainEqual({ from: 1, to: 2 });
    expect(pairs).toContainEqual({ from: 3, to: 1 });
    expect(pairs).not.toContainEqual({ from: 2, to: 3 });
  });

  it("isolating one server leaves the rest as the quorum", () => {
    const v = view(3, splitPairs(isolateGroups(3, ids(3))));
    expect(possibleLeaders(v)).toEqual([1, 2]);
    expect(connected(v, 1, 3)).toBe(false);
  });

  it("random halves of 4 leave no side able to lead", () => {
    const groups = randomHalves(seededRandom(1), ids(4));
    expect(groups.map((g) => g.length)).toEqual([2, 2]);
    expect(quorumPossible(view(4, splitPairs(groups)))).toBe(false);
  });

  it("majority/minority keeps exactly the majority side able to lead", () => {
    for (const n of [3, 5, 7]) {
      const [big, small] = majorityMinority(seededRandom(n), ids(n)) as [number[], number[]];
      expect(big).toHaveLength(majority(n));
      const leaders = possibleLeaders(view(n, splitPairs([big, small])));
      expect(leaders.sort()).toEqual([...big].sort());
    }
  });

  it("a bridge sees everyone; only its neighbours can lead with it", () => {
    const plan = bridge(seededRandom(3), ids(5));
    const v = view(5, plan.pairs);
    for (const other of ids(5)) expect(connected(v, plan.bridge, other)).toBe(true);
    expect(plan.halves[0]).toContain(plan.bridge);
    expect(plan.halves[1]).toContain(plan.bridge);
    expect(quorumPossible(v)).toBe(true);
  });

  it.each([4, 5, 7, 9])("a majorities ring of %i gives each server a different majority", (n) => {
    const plan = majoritiesRing(seededRandom(n), ids(n));
    const v = view(n, plan.pairs);
    const seen = new Set<string>();
    for (const server of ids(n)) {
      const visible = ids(n).filter((other) => connected(v, server, other));
      expect(visible.length).toBeGreaterThanOrEqual(majority(n));
      expect(visible.length).toBeLessThan(n);
      seen.add(visible.join(","));
    }
    expect(seen.size).toBe(n);
  });

  it("the same seed draws the same groups", () => {
    expect(randomHalves(seededRandom(5), ids(7))).toEqual(randomHalves(seededRandom(5), ids(7)));
    expect(bridge(seededRandom(5), ids(7))).toEqual(bridge(seededRandom(5), ids(7)));
  });
});
