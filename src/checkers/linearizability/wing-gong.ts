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

/** Steps between two yields of a search. */
export const SLICE = 4096;

/**
 * Wing & Gong's backtracking search for a linearization, with Lowe's cache
 * of (linearized set, state) pairs already explored, as Porcupine does it.
 * A generator: it yields every SLICE steps so that a scheduler can run many
 * partitions side by side and stop them all when one proves a violation.
 */
export function* linearizationSearch<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly LinOp<I, O>[],
): Generator<undefined, SearchResult> {
  const head = entries(ops);
  const words = Math.ceil(ops.length / 32) || 1;
  const linearized = new Uint32Array(words);
  const cache = new Set<string>();
  const calls: { entry: Entry; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let best: number[] = [];
  let stuck: number[] = [];
  while (head.next !== undefined) {
    if (++steps % SLICE === 0) yield undefined;
    if (entry === undefined) break;
    if (entry.call) {
      const op = ops[entry.op] as LinOp<I, O>;
      const next = model.step(state, op.input, op.output);
      let advanced = false;
      if (next !== undefined) {
        const word = entry.op >>> 5;
        const bit = 1 << (entry.op & 31);
        linearized[word] = (linearized[word] as number) | bit;
        const key = `${linearized.join(",")}|${model.key(next)}`;
        if (!cache.has(key)) {
          cache.add(key);
          calls.push({ entry, state });
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
    if (calls.length >= best.length) {
      best = calls.map((call) => (ops[call.entry.op] as LinOp<I, O>).id);
      stuck = [(ops[entry.op] as LinOp<I, O>).id];
    }
    const top = calls.pop();
    if (top === undefined) return { valid: false, longestPrefix: best, stuck, steps };
    state = top.state;
    const word = top.entry.op >>> 5;
    linearized[word] = (linearized[word] as number) & ~(1 << (top.entry.op & 31));
    unlift(top.entry);
    entry = top.entry.next;
  }
  return {
    valid: true,
    longestPrefix: calls.map((call) => (ops[call.entry.op] as LinOp<I, O>).id),
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
      return { valid: "unknown", longestPrefix: [], stuck: [], steps: 0 };
  }
}
