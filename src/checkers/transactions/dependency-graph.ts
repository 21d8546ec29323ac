/**
 * Elle's method for histories without zxids: infer each key's version order
 * from what the reads saw (list-append: every read is a prefix of the
 * longest; rw-register: a transaction that read a and then wrote b orders
 * a before b), then the dependencies between transactions (ww, wr, rw) and,
 * for strict serializability, session and real-time order.
 */
import { entryOf } from "../../util/map-entry.js";
import type { Anomaly } from "../verdict.js";
import type { EdgeKind } from "./cycle.js";
import { txnEvents } from "./cycle.js";
import { isWrite, type Mop, type Txn, txnName, valueKey } from "./txn.js";

/** Elle's two datatypes: how versions are inferred. */
export const TXN_DATATYPES = ["list-append", "rw-register"] as const;
/** How versions are inferred. */
export type TxnDatatype = (typeof TXN_DATATYPES)[number];

/** An edge of the dependency graph. */
export interface Edge {
  readonly to: number;
  readonly kind: EdgeKind;
  readonly key?: string;
}

/** The dependency graph over transactions (vertices are positions in `txns`). */
export interface DependencyGraph {
  readonly txns: readonly Txn[];
  readonly out: Edge[][];
  /** Anomalies found while inferring (aborted, intermediate and garbage reads, broken orders). */
  readonly anomalies: Anomaly[];
}

/** Builds graph edges without duplicates (per pair, kind and key). */
class GraphBuilder {
  readonly out: Edge[][];
  private readonly seen = new Set<string>();

  constructor(private readonly txns: readonly Txn[]) {
    this.out = Array.from({ length: txns.length }, () => []);
  }

  /** Adds an edge; none to or from a transaction that failed (it never happened). */
  add(from: number, to: number, kind: EdgeKind, key?: string): void {
    if (from === to || this.txns[from]?.type === "fail" || this.txns[to]?.type === "fail") return;
    const id = `${from},${to},${kind},${key ?? ""}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    (this.out[from] as Edge[]).push({ to, kind, ...(key !== undefined ? { key } : {}) });
  }
}

/** Where a value was written: transaction vertex, and whether a later write of it in the same transaction replaced it. */
interface Writer {
  readonly vertex: number;
  readonly final: boolean;
}

/** Every written value by key (for list-append, every appended element). */
function writersOf(txns: readonly Txn[]): Map<string, Map<string, Writer>> {
  const writers = new Map<string, Map<string, Writer>>();
  txns.forEach((txn, vertex) => {
    const last = new Map<string, number>();
    txn.mops.forEach((mop, at) => {
      if (isWrite(mop)) last.set(mop.key, at);
    });
    txn.mops.forEach((mop, at) => {
      if (!isWrite(mop)) return;
      entryOf(writers, mop.key, () => new Map<string, Writer>()).set(valueKey(mop.value), {
        vertex,
        final: last.get(mop.key) === at,
      });
    });
  });
  return writers;
}

/** Reads of ok transactions, with their vertex. */
function okReads(txns: readonly Txn[]): { vertex: number; mop: Mop }[] {
  const reads: { vertex: number; mop: Mop }[] = [];
  txns.forEach((txn, vertex) => {
    if (txn.type !== "ok") return;
    for (const mop of txn.mops) if (mop.f === "r") reads.push({ vertex, mop });
  });
  return reads;
}

/** The anomalies of a value read: never written, written by a failed transaction, or an intermediate value. */
function valueAnomaly(
  txns: readonly Txn[],
  reader: number,
  key: string,
  value: unknown,
  writer: Writer | undefined,
  intermediateCounts: boolean,
): Anomaly | undefined {
  const txn = txns[reader] as Txn;
  const read = `${txnName(txn)} read ${key} = ${JSON.stringify(value)}`;
  if (writer === undefined)
    return {
      kind: "garbage-read",
      message: `${read}, a value no transaction wrote`,
      events: txnEvents([txn]),
    };
  const source = txns[writer.vertex] as Txn;
  if (source.type === "fail")
    return {
      kind: "G1a",
      message: `aborted read: ${read}, written by ${txnName(source)}, which failed`,
      events: txnEvents([source, txn]),
    };
  if (intermediateCounts && !writer.final && writer.vertex !== reader)
    return {
      kind: "G1b",
      message: `intermediate read: ${read}, a value ${txnName(source)} overwrote within itself`,
      events: txnEvents([source, txn]),
    };
  return undefined;
}

/** Internal consistency: within one transaction, a read of a key shows the transaction's own earlier writes. */
function internalAnomalies(txns: readonly Txn[], datatype: TxnDatatype): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const txn of txns) {
    if (txn.type !== "ok") continue;
    const state = new Map<
      string,
      { known: unknown[] | undefined; own: unknown[]; last: unknown }
    >();
    for (const mop of txn.mops) {
      const entry = state.get(mop.key) ?? { known: undefined, own: [], last: undefined };
      if (mop.f === "r") {
        const value = mop.value;
        let broken = false;
        if (datatype === "list-append" && Array.isArray(value)) {
          if (entry.known !== undefined)
            broken = valueKey(value) !== valueKey([...entry.known, ...entry.own]);
          else if (entry.own.length > 0)
            broken = valueKey(value.slice(value.length - entry.own.length)) !== valueKey(entry.own);
          entry.known = value;
          entry.own = [];
        } else if (datatype === "rw-register" && entry.own.length > 0) {
          broken = valueKey(value) !== valueKey(entry.last);
        }
        if (broken)
          anomalies.push({
            kind: "internal",
            message: `${txnName(txn)} read ${mop.key} = ${JSON.stringify(value)} after its own writes to it`,
            events: txnEvents([txn]),
          });
      } else if (isWrite(mop)) {
        entry.own.push(mop.value);
        entry.last = mop.value;
      }
      state.set(mop.key, entry);
    }
  }
  return anomalies;
}

/** List-append: versions from the longest read, each read a prefix of it. */
function inferListAppend(txns: readonly Txn[], graph: GraphBuilder, anomalies: Anomaly[]): void {
  const writers = writersOf(txns);
  // A completed read of nothing read the empty list.
  const reads = okReads(txns)
    .map(({ vertex, mop }) =>
      mop.value === null || mop.value === undefined
        ? { vertex, mop: { ...mop, value: [] } }
        : { vertex, mop },
    )
    .filter(({ mop }) => Array.isArray(mop.value));
  const longest = new Map<string, unknown[]>();
  for (const { mop } of reads) {
    const list = mop.value as unknown[];
    if (list.length > (longest.get(mop.key)?.length ?? -1)) longest.set(mop.key, list);
  }
  const broken = new Set<string>();
  for (const { vertex, mop } of reads) {
    const list = mop.value as unknown[];
    const order = longest.get(mop.key) as unknown[];
    const keys = list.map(valueKey);
    if (new Set(keys).size !== keys.length)
      anomalies.push({
        kind: "duplicate-elements",
        message: `${txnName(txns[vertex] as Txn)} read ${mop.key} = ${JSON.stringify(list)}, with an element twice`,
        events: txnEvents([txns[vertex] as Txn]),
      });
    if (!keys.every((key, at) => key === valueKey(order[at]))) {
      if (!broken.has(mop.key))
        anomalies.push({
          kind: "incompatible-order",
          message: `${txnName(txns[vertex] as Txn)} read ${mop.key} = ${JSON.stringify(list)}, not a prefix of ${JSON.stringify(order)}: no single version order`,
          events: txnEvents([txns[vertex] as Txn]),
        });
      broken.add(mop.key);
    }
    for (const element of list) {
      const anomaly = valueAnomaly(
        txns,
        vertex,
        mop.key,
        element,
        writers.get(mop.key)?.get(valueKey(element)),
        false,
      );
      if (anomaly) anomalies.push(anomaly);
    }
    // An intermediate read: the last element seen is not its writer's last append to the key.
    const tail = list[list.length - 1];
    const tailWriter = list.length > 0 ? writers.get(mop.key)?.get(valueKey(tail)) : undefined;
    if (
      tailWriter !== undefined &&
      !tailWriter.final &&
      tailWriter.vertex !== vertex &&
      (txns[tailWriter.vertex] as Txn).type !== "fail"
    )
      anomalies.push({
        kind: "G1b",
        message: `intermediate read: ${txnName(txns[vertex] as Txn)} read ${mop.key} ending in ${JSON.stringify(tail)}, which ${txnName(txns[tailWriter.vertex] as Txn)} appended to again within itself`,
        events: txnEvents([txns[tailWriter.vertex] as Txn, txns[vertex] as Txn]),
      });
  }
  // Dependencies, from the keys with one version order.
  for (const [key, order] of longest) {
    if (broken.has(key)) continue;
    const vertexOf = (element: unknown) => writers.get(key)?.get(valueKey(element))?.vertex;
    for (let at = 0; at + 1 < order.length; at++) {
      const a = vertexOf(order[at]);
      const b = vertexOf(order[at + 1]);
      if (a !== undefined && b !== undefined) graph.add(a, b, "ww", key);
    }
  }
  // A committed append no read saw comes after everything read: a read holding it would hold all before it.
  const unseen = new Map<string, number[]>();
  for (const [key, values] of writers) {
    const order = new Set((longest.get(key) ?? []).map(valueKey));
    for (const [value, writer] of values)
      if (!order.has(value) && writer.final && (txns[writer.vertex] as Txn).type === "ok") {
        const list = unseen.get(key) ?? [];
        if (!list.includes(writer.vertex)) list.push(writer.vertex);
        unseen.set(key, list);
      }
  }
  for (const [key, appenders] of unseen) {
    if (broken.has(key)) continue;
    const order = longest.get(key) ?? [];
    const last =
      order.length > 0
        ? writers.get(key)?.get(valueKey(order[order.length - 1]))?.vertex
        : undefined;
    if (last !== undefined) for (const appender of appenders) graph.add(last, appender, "ww", key);
  }
  for (const { vertex, mop } of reads) {
    if (broken.has(mop.key)) continue;
    const list = mop.value as unknown[];
    const order = longest.get(mop.key) as unknown[];
    const vertexOf = (element: unknown) => writers.get(mop.key)?.get(valueKey(element))?.vertex;
    if (list.length > 0) {
      const writer = vertexOf(list[list.length - 1]);
      if (writer !== undefined) graph.add(writer, vertex, "wr", mop.key);
    }
    if (order.length > list.length) {
      const next = vertexOf(order[list.length]);
      if (next !== undefined) graph.add(vertex, next, "rw", mop.key);
    } else
      for (const appender of unseen.get(mop.key) ?? []) graph.add(vertex, appender, "rw", mop.key);
  }
}

/**
 * rw-register: a value's writer precedes its readers; the version order is
 * what transactions show (read a then wrote b; wrote a then b), after the
 * initial absence.
 */
function inferRwRegister(txns: readonly Txn[], graph: GraphBuilder, anomalies: Anomaly[]): void {
  const writers = writersOf(txns);
  const readersOf = new Map<string, number[]>();
  const successors = new Map<string, Set<string>>();
  const slot = (key: string, value: unknown) => `${key}\u0000${valueKey(value ?? null)}`;
  for (const { vertex, mop } of okReads(txns)) {
    const readers = readersOf.get(slot(mop.key, mop.value)) ?? [];
    readers.push(vertex);
    readersOf.set(slot(mop.key, mop.value), readers);
    if (mop.value === null || mop.value === undefined) continue;
    const writer = writers.get(mop.key)?.get(valueKey(mop.value));
    const anomaly = valueAnomaly(txns, vertex, mop.key, mop.value, writer, true);
    if (anomaly) anomalies.push(anomaly);
    if (writer?.final) graph.add(writer.vertex, vertex, "wr", mop.key);
  }
  // Only what a transaction showed the outside orders versions: its first read of a key before writing it, and its last write.
  const hasPredecessor = new Set<string>();
  txns.forEach((txn) => {
    if (txn.type === "fail") return;
    const external = new Map<string, { read?: unknown; written: boolean; last?: unknown }>();
    for (const mop of txn.mops) {
      const entry = external.get(mop.key) ?? { written: false };
      if (mop.f === "r" && !entry.written && !("read" in entry)) entry.read = mop.value ?? null;
      if (isWrite(mop)) {
        entry.written = true;
        entry.last = mop.value;
      }
      external.set(mop.key, entry);
    }
    for (const [key, entry] of external) {
      if (!entry.written || !("read" in entry)) continue;
      const set = successors.get(slot(key, entry.read)) ?? new Set<string>();
      set.add(valueKey(entry.last));
      successors.set(slot(key, entry.read), set);
      hasPredecessor.add(slot(key, entry.last));
    }
  });
  // The initial absence precedes every version without a known predecessor.
  for (const [key, values] of writers)
    for (const [value, writer] of values) {
      if (!writer.final || hasPredecessor.has(`${key}\u0000${value}`)) continue;
      const set = successors.get(slot(key, null)) ?? new Set<string>();
      set.add(value);
      successors.set(slot(key, null), set);
    }
  for (const [from, nexts] of successors) {
    const [key, fromValue] = from.split("\u0000") as [string, string];
    const fromWriter = writers.get(key)?.get(fromValue)?.vertex;
    const readers = readersOf.get(from) ?? [];
    for (const next of nexts) {
      const writer = writers.get(key)?.get(next)?.vertex;
      if (writer === undefined || (txns[writer] as Txn).type === "fail") continue;
      if (fromWriter !== undefined) graph.add(fromWriter, writer, "ww", key);
      for (const reader of readers) graph.add(reader, writer, "rw", key);
    }
  }
}

/** Session order (consecutive operations of a process) and real-time order (a transitive reduction: each transaction from those that ended last before it began). */
function addOrderEdges(txns: readonly Txn[], graph: GraphBuilder): void {
  const lastOf = new Map<string | number, number>();
  const order = txns
    .map((_, vertex) => vertex)
    .sort((a, b) => (txns[a] as Txn).call - (txns[b] as Txn).call);
  for (const vertex of order) {
    const txn = txns[vertex] as Txn;
    if (txn.type === "fail") continue;
    const previous = lastOf.get(txn.process);
    if (previous !== undefined) graph.add(previous, vertex, "process");
    lastOf.set(txn.process, vertex);
  }
  // Events in time order: completions of ok transactions and invocations.
  const moments: { time: number; vertex: number; end: boolean }[] = [];
  txns.forEach((txn, vertex) => {
    if (txn.type === "fail") return;
    moments.push({ time: txn.call, vertex, end: false });
    if (txn.type === "ok" && Number.isFinite(txn.ret))
      moments.push({ time: txn.ret, vertex, end: true });
  });
  moments.sort((a, b) => a.time - b.time || Number(b.end) - Number(a.end));
  let frontier = new Set<number>();
  const seenAtCall = new Map<number, number[]>();
  for (const moment of moments) {
    if (!moment.end) {
      const predecessors = [...frontier];
      for (const from of predecessors) graph.add(from, moment.vertex, "realtime");
      seenAtCall.set(moment.vertex, predecessors);
      continue;
    }
    // Once it ends, what preceded its start is reached through it.
    const covered = new Set(seenAtCall.get(moment.vertex) ?? []);
    frontier = new Set([...frontier].filter((vertex) => !covered.has(vertex)));
    frontier.add(moment.vertex);
  }
}

/** The dependency graph of a history, with the anomalies met on the way. */
export function buildDependencyGraph(
  txns: readonly Txn[],
  datatype: TxnDatatype,
  options: { readonly realtime?: boolean; readonly process?: boolean } = {},
): DependencyGraph {
  const graph = new GraphBuilder(txns);
  const anomalies: Anomaly[] = internalAnomalies(txns, datatype);
  if (datatype === "list-append") inferListAppend(txns, graph, anomalies);
  else inferRwRegister(txns, graph, anomalies);
  if (options.realtime !== false || options.process !== false) {
    const ordered = new GraphBuilder(txns);
    addOrderEdges(txns, ordered);
    ordered.out.forEach((edges, from) => {
      for (const edge of edges) {
        if (edge.kind === "realtime" && options.realtime === false) continue;
        if (edge.kind === "process" && options.process === false) continue;
        graph.add(from, edge.to, edge.kind);
      }
    });
  }
  return { txns, out: graph.out, anomalies };
}
