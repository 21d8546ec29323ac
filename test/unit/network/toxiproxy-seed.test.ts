import { describe, expect, it } from "vitest";
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
