import { describe, expect, it } from "vitest";
import { candidateSubnets, prefixesOverlap, serverName } from "../../../src/docker/run-network.js";

describe("run network addressing", () => {
  it("tells overlapping IPv4 prefixes from disjoint ones", () => {
    expect(prefixesOverlap("10.232.5.0/24", "10.232.5.0/24")).toBe(true);
    expect(prefixesOverlap("10.0.0.0/8", "10.232.5.0/24")).toBe(true);
    expect(prefixesOverlap("10.232.5.0/24", "10.0.0.0/8")).toBe(true);
    expect(prefixesOverlap("10.232.5.7", "10.232.5.0/24")).toBe(true);
    expect(prefixesOverlap("10.232.6.0/24", "10.232.5.0/24")).toBe(false);
    expect(prefixesOverlap("192.0.2.0/24", "10.232.5.0/24")).toBe(false);
    expect(prefixesOverlap("0.0.0.0/0", "10.232.5.0/24")).toBe(true);
  });

  it("offers every /24 of 10.232.0.0/16 once, from the given start", () => {
    const subnets = candidateSubnets(250);
    expect(subnets).toHaveLength(256);
    expect(new Set(subnets).size).toBe(256);
    expect(subnets.slice(0, 7)).toEqual([
      "10.232.250.0/24",
      "10.232.251.0/24",
      "10.232.252.0/24",
      "10.232.253.0/24",
      "10.232.254.0/24",
      "10.232.255.0/24",
      "10.232.0.0/24",
    ]);
    expect(subnets.every((subnet) => prefixesOverlap("10.232.0.0/16", subnet))).toBe(true);
  });

  it("names servers as a deployment does", () => {
    expect([1, 2, 7].map(serverName)).toEqual(["zk1", "zk2", "zk7"]);
  });
});
