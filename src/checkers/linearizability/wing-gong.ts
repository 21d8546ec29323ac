import type { LinOp, Model } from "./model.js";

/** What one search concluded. */
export interface SearchResult {
  readonly valid: boolean | "unknown";
  /** Ids of the longest linearizable prefix found, in linearization order. */
  readonly longestPrefix: readonly number[];
  /** Ids of the operations that could not be linearized after that prefix. */
  readonly stuck: readonly number[];
  readonly steps: number;
}

interface Entry {
  readonly call: boolean;
  readonly op: number;
  readonly time: number;
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

function entries<I, O>(ops: readonly LinOp<I, O>[]): Entry {
  const list: Entry[] = [];
  ops.forEach((op, index) => {
    const call: Entry = {
      call: true,
      op: index,
      time: op.call,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    const ret: Entry = {
      call: false,
      op: index,
      time: op.ret,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    call.match = ret;
    list.push(call, ret);
  });
  // By time; at equal times calls first (such operations count as concurrent).
  list.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1));
  const head: Entry = {
    call: false,
    op: -1,
    time: Number.NEGATIVE_INFINITY,
    match: undefined,
    prev: undefined,
    next: undefined,
  };
  let last = head;
  for (const entry of list) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

function lift(entry: Entry): void {
  (entry.prev as Entry).next = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  const match = entry.match as Entry;
  (match.prev as Entry).next = match.next;
  if (match.next) match.next.prev = match.prev;
}

function unlift(entry: Entry): void {
  const match = entry.match as Entry;
  (match.prev as Entry).next = match;
  if (match.next) match.next.prev = match;
  (entry.prev as Entry).next = entry;
  if (entry.next) entry.next.prev = entry;
}

/** Hash of a state key: FNV-1a of a string, a mix of a number's bits. */
function keyHash(key: string | number): number {
  if (typeof key === "number") {
    const value = Number.isFinite(key) ? key : -1;
    return (
      Math.imul((value | 0) ^ 0x5bd1e995, 0x27d4eb2d) ^
      Math.imul((value / 4294967296) | 0, 0x165667b1)
    );
  }
  const text = key;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Steps between two yields of a search. */
export const SLICE = 4096;

/**
 * Wing & Gong's backtracking search for a linearization, with Lowe's cache
 * of (linearized set, state) pairs already explored, as Porcupine does it.
 * A generator: it yields its step count every SLICE steps, so that a
 * scheduler can run many partitions side by side, stop them all when one
 * proves a violation, and say how far a search it stopped had got.
 */
export function* linearizationSearch<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly LinOp<I, O>[],
): Generator<number, SearchResult> {
  const head = entries(ops);
  const words = Math.ceil(ops.length / 32) || 1;
  const linearized = new Uint32Array(words);
  // Lowe's cache with exact comparison (as Porcupine): a collision must never
  // make an unexplored configuration look explored. An open-addressing table
  // of record numbers; records live in flat pools (bits, hash, state key): no
  // object or typed array is allocated per explored configuration.
  let bits = 12;
  let table = new Int32Array(1 << bits);
  let mask = table.length - 1;
  // Fibonacci hashing: the slot comes from the product's high bits, well mixed whatever the hash.
  const slotOf = (hash: number): number => Math.imul(hash, 0x9e3779b1) >>> (32 - bits);
  let pool = new Uint32Array(words * 1024);
  let hashes = new Uint32Array(1024);
  const stateKeys: (string | number)[] = [];
  const sameBits = (record: number): boolean => {
    const base = record * words;
    for (let w = 0; w < words; w++) if (pool[base + w] !== linearized[w]) return false;
    return true;
  };
  /** Doubles the table and puts every record back. */
  const grow = (): void => {
    bits++;
    table = new Int32Array(1 << bits);
    mask = table.length - 1;
    for (let record = 0; record < stateKeys.length; record++) {
      let slot = slotOf(hashes[record] as number);
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = record + 1;
    }
  };
  /** True when (linearized, state) was explored; otherwise records it and returns false. */
  const visit = (hash: number, stateKey: string | number): boolean => {
    let slot = slotOf(hash);
    for (let at = table[slot] as number; at !== 0; at = table[slot] as number) {
      const record = at - 1;
      if (hashes[record] === hash && stateKeys[record] === stateKey && sameBits(record))
        return true;
      slot = (slot + 1) & mask;
    }
    const record = stateKeys.length;
    if ((record + 1) * words > pool.length) {
      const grown = new Uint32Array(pool.length * 2);
      grown.set(pool);
      pool = grown;
    }
    if (record >= hashes.length) {
      const grown = new Uint32Array(hashes.length * 2);
      grown.set(hashes);
      hashes = grown;
    }
    pool.set(linearized, record * words);
    hashes[record] = hash;
    stateKeys.push(stateKey);
    table[slot] = record + 1;
    // At most half full: probes stay short.
    if (stateKeys.length * 2 > table.length) grow();
    return false;
  };
  // Zobrist hashing: each operation has a random word; the set's hash is their XOR.
  const zobrist = Uint32Array.from(
    ops,
    (_, index) => Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(index + 7, 0x85ebca6b),
  );
  let setHash = 0;
  // The stack of choices, as parallel arrays (no allocation per step).
  const callEntries: Entry[] = [];
  const callStates: S[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let best: number[] = [];
  let stuck: number[] = [];
  while (head.next !== undefined) {
    if (++steps % SLICE === 0) yield steps;
    if (entry === undefined) break;
    if (entry.call) {
      const op = ops[entry.op] as LinOp<I, O>;
      const next = model.step(state, op.input, op.output);
      let advanced = false;
      if (next !== undefined) {
        const word = entry.op >>> 5;
        const bit = 1 << (entry.op & 31);
        linearized[word] = (linearized[word] as number) | bit;
        const stateKey = model.key(next);
        // A model that keeps its own hash spares hashing long keys at every step.
        const stateHash = model.hash ? model.hash(next) : keyHash(stateKey);
        const hash = (setHash ^ (zobrist[entry.op] as number) ^ stateHash) >>> 0;
        if (!visit(hash, stateKey)) {
          setHash ^= zobrist[entry.op] as number;
          callEntries.push(entry);
          callStates.push(state);
          state = next;
          lift(entry);
          entry = head.next;
          advanced = true;
        } else {
          linearized[word] = (linearized[word] as number) & ~bit;
        }
      }
      if (!advanced) entry = entry.next;
      continue;
    }
    // A return whose operation is not linearized yet: undo the last choice.
    if (
      callEntries.length > best.length ||
      (callEntries.length === best.length && stuck.length === 0)
    ) {
      best = callEntries.map((call) => (ops[call.op] as LinOp<I, O>).id);
      stuck = [(ops[entry.op] as LinOp<I, O>).id];
    }
    const top = callEntries.pop();
    if (top === undefined) return { valid: false, longestPrefix: best, stuck, steps };
    state = callStates.pop() as S;
    setHash ^= zobrist[top.op] as number;
    const word = top.op >>> 5;
    linearized[word] = (linearized[word] as number) & ~(1 << (top.op & 31));
    unlift(top);
    entry = top.next;
  }
  return {
    valid: true,
    longestPrefix: callEntries.map((call) => (ops[call.op] as LinOp<I, O>).id),
    stuck: [],
    steps,
  };
}

/** Runs one search to its end or the deadline (performance.now() ms). */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly LinOp<I, O>[],
  deadline: number,
): SearchResult {
  const search = linearizationSearch(model, ops);
  for (;;) {
    const next = search.next();
    if (next.done) return next.value;
    if (performance.now() > deadline)
      return { valid: "unknown", longestPrefix: [], stuck: [], steps: next.value };
  }
}
