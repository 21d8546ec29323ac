import { describe, expect, it } from "vitest";
import { slicerPieces } from "../../../src/network/toxiproxy/model.js";
import { integerSeed } from "../../../src/network/toxiproxy-container.js";

describe("the seed passed to a Toxiproxy container (-seed takes an integer)", () => {
  it("keeps a numeric seed and hashes any other string the same way every time", () => {
    expect(integerSeed(42)).toBe(42);
    expect(integerSeed("1985481311")).toBe(1985481311);
    expect(integerSeed("night-7")).toBe(integerSeed("night-7"));
    expect(integerSeed("night-7")).not.toBe(integerSeed("night-8"));
    expect(Number.isInteger(integerSeed("night-7"))).toBe(true);
  });
});

describe("the slicer's pieces, cut the way Toxiproxy cuts them", () => {
  it("halves until a piece is within the variation of the average: 1000 bytes at average 100 are sixteen pieces of 62-63", () => {
    const pieces = slicerPieces(1000, 100, 0, () => 0.5);
    expect(pieces.reduce((sum, size) => sum + size, 0)).toBe(1000);
    expect(pieces).toHaveLength(16);
    expect(new Set(pieces)).toEqual(new Set([62, 63]));
  });

  it("a variation moves the cuts but every byte is kept, and small data stays whole", () => {
    const draws = [0.1, 0.9, 0.3, 0.7, 0.5];
    let next = 0;
    const pieces = slicerPieces(777, 16, 8, () => draws[next++ % draws.length] as number);
    expect(pieces.reduce((sum, size) => sum + size, 0)).toBe(777);
    expect(Math.max(...pieces)).toBeLessThanOrEqual(16 + 8);
    expect(slicerPieces(50, 100, 0, () => 0.5)).toEqual([50]);
    expect(slicerPieces(0, 100, 0, () => 0.5)).toEqual([]);
  });
});
