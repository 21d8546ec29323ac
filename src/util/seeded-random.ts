/**
 * Seeded randomness. Everything random in a run draws from here, so the same
 * seed replays the same plan and the same network degradations.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** 32-bit FNV-1a hash of a string: turns names into seeds. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** sfc32: a small, fast generator with a 128-bit state; good enough for test plans. */
export function seededRandom(seed: number | string): Random {
  const base = typeof seed === "string" ? hashString(seed) : seed >>> 0;
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = base ^ 0xdeadbeef;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up so that close seeds diverge.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A generator for a named sub-stream of a seed: independent of draw order elsewhere. */
export function deriveRandom(seed: number | string, ...path: readonly (string | number)[]): Random {
  return seededRandom(`${seed}/${path.join("/")}`);
}

/** An integer in [low, high] inclusive. */
export function randomInt(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** A uniformly shuffled copy (Fisher-Yates). */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** A random element; throws on an empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick from an empty list");
  return items[Math.floor(random() * items.length)] as T;
}
