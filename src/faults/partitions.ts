import type { DirectedPair } from "../network/link-topology.js";
import { majority } from "../quorum/connectivity.js";
import { type Random, shuffled } from "../util/seeded-random.js";

/** Every direction between servers of different groups: a clean split. */
export function splitPairs(groups: readonly (readonly number[])[]): DirectedPair[] {
  const pairs: DirectedPair[] = [];
  for (const [i, a] of groups.entries()) {
    for (const [j, b] of groups.entries()) {
      if (i === j) continue;
      for (const from of a) for (const to of b) pairs.push({ from, to });
    }
  }
  return pairs;
}

/** One server cut off from every other. */
export function isolateGroups(target: number, servers: readonly number[]): number[][] {
  return [[target], servers.filter((server) => server !== target)];
}

/** Two random halves (the first gets the extra server when n is odd). */
export function randomHalves(random: Random, servers: readonly number[]): number[][] {
  const order = shuffled(random, servers);
  const half = Math.ceil(order.length / 2);
  return [order.slice(0, half).sort(byId), order.slice(half).sort(byId)];
}

/** A random majority and the minority left over. */
export function majorityMinority(random: Random, servers: readonly number[]): number[][] {
  const order = shuffled(random, servers);
  const size = majority(order.length);
  return [order.slice(0, size).sort(byId), order.slice(size).sort(byId)];
}

/**
 * Two halves that share one server, the bridge: it sees everyone, the others
 * see only their half and the bridge.
 */
export function bridge(
  random: Random,
  servers: readonly number[],
): { bridge: number; halves: number[][]; pairs: DirectedPair[] } {
  const order = shuffled(random, servers);
  const middle = Math.floor(order.length / 2);
  const center = order[middle] as number;
  const left = order.slice(0, middle).sort(byId);
  const right = order.slice(middle + 1).sort(byId);
  return {
    bridge: center,
    halves: [[...left, center].sort(byId), [...right, center].sort(byId)],
    pairs: splitPairs([left, right]),
  };
}

/**
 * The majorities ring: servers on a shuffled ring each keep links only to the
 * k nearest on each side, with k just large enough that each sees a majority
 * (itself included); every server then sees a different majority. For n <= 3
 * every pair is adjacent and nothing is cut.
 */
export function majoritiesRing(
  random: Random,
  servers: readonly number[],
): { ring: number[]; pairs: DirectedPair[] } {
  const ring = shuffled(random, servers);
  const n = ring.length;
  const reach = Math.ceil((majority(n) - 1) / 2);
  const pairs: DirectedPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
      if (distance > reach) pairs.push({ from: ring[i] as number, to: ring[j] as number });
    }
  }
  return { ring, pairs };
}

function byId(a: number, b: number): number {
  return a - b;
}
