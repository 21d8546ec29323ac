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

/** The set of linearized operations (by rank), encoded for the search's cache: equal sets, equal codes. */
export interface LinearizedSet {
  /** The code's numbers are its first `length` entries. */
  readonly code: ArrayLike<number>;
  readonly length: number;
  /** Adds a rank not in the set. */
  add(rank: number): void;
  /** Removes `rank`, the rank added last. */
  removeLast(rank: number): void;
}

/** A bit per operation: the cheapest code for short histories. */
export class LinearizedBits implements LinearizedSet {
  readonly code: Int32Array;
  readonly length: number;

  constructor(operations: number) {
    this.length = Math.ceil(operations / 32) || 1;
    this.code = new Int32Array(this.length);
  }

  add(rank: number): void {
    this.code[rank >>> 5] = (this.code[rank >>> 5] as number) | (1 << (rank & 31));
  }

  removeLast(rank: number): void {
    this.code[rank >>> 5] = (this.code[rank >>> 5] as number) & ~(1 << (rank & 31));
  }
}

/**
 * The highest rank linearized, then the ranks below it that are not (the
 * holes), ascending. Ranks follow call order and the search linearizes near
 * its frontier, so the holes are the operations pending there (a few, plus
 * any that never returned): far fewer numbers than a bit per operation of a
 * long history.
 */
export class LinearizedHoles implements LinearizedSet {
  readonly code: number[] = [-1];
  /** One entry per add, for removeLast: the previous max as -(max + 2), or the hole filled. */
  private readonly undo: number[] = [];

  get length(): number {
    return this.code.length;
  }

  get max(): number {
    return this.code[0] as number;
  }

  get holes(): number[] {
    return this.code.slice(1);
  }

  add(rank: number): void {
    const max = this.code[0] as number;
    if (rank > max) {
      for (let hole = max + 1; hole < rank; hole++) this.code.push(hole);
      this.undo.push(-(max + 2));
      this.code[0] = rank;
      return;
    }
    this.code.splice(this.code.indexOf(rank, 1), 1);
    this.undo.push(rank);
  }

  removeLast(): void {
    const last = this.undo.pop() as number;
    if (last < 0) {
      const max = -last - 2;
      this.code[0] = max;
      while (this.code.length > 1 && (this.code[this.code.length - 1] as number) > max)
        this.code.pop();
      return;
    }
    let at = this.code.length;
    while (at > 1 && (this.code[at - 1] as number) > last) at--;
    this.code.splice(at, 0, last);
  }
}

/** Histories up to this many operations keep a bit per operation; longer ones, the holes. */
const BITS_UP_TO = 512;

/** The codes the search's cache may keep its sets in, by name. */
export const SET_CODES = {
  bits: (operations: number): LinearizedSet => new LinearizedBits(operations),
  holes: (): LinearizedSet => new LinearizedHoles(),
} as const;

/** The name of a code of SET_CODES. */
export type SetCodeName = keyof typeof SET_CODES;

/**
 * Lowe's cache of (linearized set, state) pairs already explored, with exact
 * comparison (as Porcupine): a collision must never make an unexplored
 * configuration look explored. An open-addressing table of record numbers;
 * records live in flat pools (set code, hash, state key): nothing is
 * allocated per explored configuration.
 */
class ExploredCache {
  private bits = 12;
  /** Slot i holds a record's hash at 2i and its number + 1 at 2i + 1 (0: empty): one cache line per probe. */
  private table = new Int32Array(2 << this.bits);
  /** Each record's set code, preceded by its length, from offsets[record]. */
  private pool = new Int32Array(1 << 14);
  private used = 0;
  private offsets = new Uint32Array(1024);
  private readonly stateKeys: (string | number)[] = [];

  /** True when (set, state) was explored; otherwise records it and returns false. */
  visit(hash: number, stateKey: string | number, set: LinearizedSet): boolean {
    const table = this.table;
    const mask = (table.length >>> 1) - 1;
    const signed = hash | 0;
    let slot = this.slotOf(hash);
    for (let at = table[2 * slot + 1] as number; at !== 0; at = table[2 * slot + 1] as number) {
      if (
        table[2 * slot] === signed &&
        this.stateKeys[at - 1] === stateKey &&
        this.sameSet(at - 1, set)
      )
        return true;
      slot = (slot + 1) & mask;
    }
    const record = this.stateKeys.length;
    if (record >= this.offsets.length) this.offsets = grown(this.offsets, this.offsets.length * 2);
    const { code, length } = set;
    if (this.used + length + 1 > this.pool.length)
      this.pool = grown(this.pool, Math.max(this.pool.length * 2, this.used + length + 1));
    const base = this.used;
    this.pool[base] = length;
    for (let i = 0; i < length; i++) this.pool[base + 1 + i] = code[i] as number;
    this.used += length + 1;
    this.offsets[record] = base;
    this.stateKeys.push(stateKey);
    table[2 * slot] = signed;
    table[2 * slot + 1] = record + 1;
    // At most half full: probes stay short.
    if (this.stateKeys.length * 4 > table.length) this.grow();
    return false;
  }

  // Fibonacci hashing: the slot comes from the product's high bits, well mixed whatever the hash.
  private slotOf(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> (32 - this.bits);
  }

  private sameSet(record: number, set: LinearizedSet): boolean {
    const base = this.offsets[record] as number;
    const { code, length } = set;
    if (this.pool[base] !== length) return false;
    for (let i = 0; i < length; i++) if (this.pool[base + 1 + i] !== code[i]) return false;
    return true;
  }

  /** Doubles the table and puts every record back. */
  private grow(): void {
    const old = this.table;
    this.bits++;
    this.table = new Int32Array(2 << this.bits);
    const mask = (this.table.length >>> 1) - 1;
    for (let from = 0; from < old.length; from += 2) {
      if (old[from + 1] === 0) continue;
      let slot = this.slotOf(old[from] as number);
      while (this.table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      this.table[2 * slot] = old[from] as number;
      this.table[2 * slot + 1] = old[from + 1] as number;
    }
  }
}

/** A copy of `array` in a larger one. */
function grown<T extends Int32Array | Uint32Array>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}

/** A well-mixed word for each rank (Zobrist hashing: a set's hash is the XOR of its members'). */
function zobristWords(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, rank) => {
    let z = (rank + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  });
}

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
  setCode: SetCodeName = ops.length <= BITS_UP_TO ? "bits" : "holes",
): Generator<number, SearchResult> {
  const head = entries(ops);
  // Ranks in call order: the set's holes are then the operations pending at the frontier.
  const rank = new Int32Array(ops.length);
  let next = 0;
  for (let entry = head.next; entry !== undefined; entry = entry.next)
    if (entry.call) rank[entry.op] = next++;
  const zobrist = zobristWords(ops.length);
  const cache = new ExploredCache();
  const linearized = SET_CODES[setCode](ops.length);
  let setHash = 0;
  // The stack of choices, as parallel arrays (no allocation per step).
  const callEntries: Entry[] = [];
  const callStates: S[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  // The longest prefix seen (op indexes); its first `agree` entries are still the stack's.
  const best: number[] = [];
  let agree = 0;
  let stuck = -1;
  const idOf = (index: number) => (ops[index] as LinOp<I, O>).id;
  while (head.next !== undefined) {
    if (++steps % SLICE === 0) yield steps;
    if (entry === undefined) break;
    if (entry.call) {
      const op = ops[entry.op] as LinOp<I, O>;
      const after = model.step(state, op.input, op.output);
      let advanced = false;
      if (after !== undefined) {
        const opRank = rank[entry.op] as number;
        linearized.add(opRank);
        const stateKey = model.key(after);
        // A model that keeps its own hash spares hashing long keys at every step.
        const stateHash = model.hash ? model.hash(after) : keyHash(stateKey);
        const hash = (setHash ^ (zobrist[opRank] as number) ^ stateHash) >>> 0;
        if (!cache.visit(hash, stateKey, linearized)) {
          setHash ^= zobrist[opRank] as number;
          callEntries.push(entry);
          callStates.push(state);
          state = after;
          lift(entry);
          entry = head.next;
          advanced = true;
        } else linearized.removeLast(opRank);
      }
      if (!advanced) entry = entry.next;
      continue;
    }
    // A return whose operation is not linearized yet: undo the last choice.
    if (callEntries.length > best.length || (callEntries.length === best.length && stuck < 0)) {
      best.length = agree;
      for (let i = agree; i < callEntries.length; i++) best.push((callEntries[i] as Entry).op);
      agree = best.length;
      stuck = entry.op;
    }
    const top = callEntries.pop();
    if (top === undefined)
      return { valid: false, longestPrefix: best.map(idOf), stuck: [idOf(stuck)], steps };
    if (callEntries.length < agree) agree = callEntries.length;
    state = callStates.pop() as S;
    const topRank = rank[top.op] as number;
    setHash ^= zobrist[topRank] as number;
    linearized.removeLast(topRank);
    unlift(top);
    entry = top.next;
  }
  return {
    valid: true,
    longestPrefix: callEntries.map((call) => idOf(call.op)),
    stuck: [],
    steps,
  };
}

/** Runs one search to its end or the deadline (performance.now() ms). */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly LinOp<I, O>[],
  deadline: number,
  setCode?: SetCodeName,
): SearchResult {
  const search = linearizationSearch(model, ops, setCode);
  for (;;) {
    const next = search.next();
    if (next.done) return next.value;
    if (performance.now() > deadline)
      return { valid: "unknown", longestPrefix: [], stuck: [], steps: next.value };
  }
}
