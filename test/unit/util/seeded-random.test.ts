import { describe, expect, it } from "vitest";
import {
  deriveRandom,
  randomInt,
  seededRandom,
  shuffled,
} from "../../../src/util/seeded-random.js";

describe("seeded randomness", () => {
  it("replays the same sequence for the same seed, and another for another", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it("derives independent named streams", () => {
    expect(deriveRandom(1, "proxy", 0)()).toBe(deriveRandom(1, "proxy", 0)());
    expect(deriveRandom(1, "proxy", 0)()).not.toBe(deriveRandom(1, "proxy", 1)());
  });

  it("draws integers in range and shuffles without losing items", () => {
    const random = seededRandom(9);
    for (let i = 0; i < 100; i++) {
      const value = randomInt(random, 3, 5);
      expect(value >= 3 && value <= 5).toBe(true);
    }
    expect(shuffled(random, [1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});
