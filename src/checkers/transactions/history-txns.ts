/**
 * Transactions from histories: the transactions workload's `txn` operations
 * (zk-chaos JSONL) and Elle's list-append and rw-register operations (Jepsen
 * EDN, `:f :txn`, micro-operations `[:append k v]`, `[:r k v]`, `[:w k v]`).
 */
import { BadInputError } from "../../errors.js";
import type { HistoryEvent } from "../../history/event.js";
import type { ImportedEvent } from "../../history/imported-ops.js";
import { ANONYMOUS_PROCESS } from "../../history/jepsen-edn.js";
import { type MopFunction, type RecordedTxn, TXN_OPERATION } from "../../history/txn-record.js";
import { pairTransactions, txnFrame } from "./paired-txns.js";
import { isTopologyInvocation, topologyTransactions } from "./topology-txns.js";
import { FINAL_READ_SESSION, type Mop, type Txn } from "./txn.js";

const MOP_FUNCTIONS: ReadonlySet<string> = new Set([
  "r",
  "w",
  "append",
  "create",
  "delete",
  "check",
]);

/**
 * The final reads (every server's tree after the heal, after a sync) as
 * reads of each key the workload wrote: one read-only transaction per key
 * (the tree is read key by key), each after everything acknowledged. A
 * commit the ensemble lost shows here, when no client could see it any more.
 */
function finalReadTxns(events: readonly HistoryEvent[], keys: ReadonlySet<string>): Txn[] {
  const txns: Txn[] = [];
  const invoked = new Map<number | undefined, number>();
  for (const event of events) {
    if (event.process !== "observer" || event.f !== "final-read") continue;
    if (event.type === "invoke") {
      invoked.set(event.server, event.index);
      continue;
    }
    const nodes = (event.value as { nodes?: Record<string, [string, number, string]> } | undefined)
      ?.nodes;
    if (event.type !== "ok" || nodes === undefined) continue;
    const call = invoked.get(event.server) ?? event.index;
    for (const key of keys) {
      const node = nodes[key];
      txns.push({
        id: call,
        completion: event.index,
        process: "observer",
        session: `${FINAL_READ_SESSION}${event.server}`,
        type: "ok",
        call,
        ret: event.index,
        synced: true,
        mops: [
          node === undefined || node[0] === ""
            ? { f: "r", key, value: null }
            : { f: "r", key, value: Number(node[0]), mzxid: node[2] },
        ],
      });
    }
  }
  return txns;
}

/** The transactions of a zk-chaos history (its `txn` operations and the final reads of their keys), in invocation order. */
export function zkTransactions(events: readonly HistoryEvent[]): Txn[] {
  // Most histories hold neither workload: one look at the invocations spares two pairing passes.
  const transactional = (event: HistoryEvent) =>
    event.type === "invoke" &&
    typeof event.process === "number" &&
    (event.f === TXN_OPERATION || isTopologyInvocation(event));
  if (!events.some(transactional)) return [];
  const txns = pairTransactions(
    events,
    (invoke) => invoke.f === TXN_OPERATION,
    (invoke, completion) => {
      const frame = txnFrame(invoke, completion);
      const invoked = invoke.value as RecordedTxn | undefined;
      const completed =
        frame.type === "ok" ? (completion?.value as RecordedTxn | undefined) : undefined;
      return {
        ...frame,
        // The recorded mops as they are: the checker parses zxids where it needs them.
        mops: (completed?.mops ?? invoked?.mops ?? []) as readonly Mop[],
        synced: invoked?.synced === true ? true : undefined,
      };
    },
  );
  if (txns.length === 0) return topologyTransactions(events);
  const keys = new Set<string>();
  for (const txn of txns) for (const mop of txn.mops) keys.add(mop.key);
  return [...txns, ...finalReadTxns(events, keys)];
}

const keyword = (value: unknown) =>
  typeof value === "string" && value.startsWith(":") ? value.slice(1) : value;

/** One of Elle's micro-operations ([:append k v], [:r k v], [:w k v]). */
function elleMop(raw: unknown, where: string): Mop {
  if (!Array.isArray(raw) || raw.length !== 3)
    throw new BadInputError(
      `${where}: a micro-operation must be [f key value] such as [:append 3 1] or [:r 3 nil], got ${JSON.stringify(raw)}`,
    );
  const f = keyword(raw[0]);
  if (typeof f !== "string" || !MOP_FUNCTIONS.has(f))
    throw new BadInputError(
      `${where}: unknown micro-operation ${JSON.stringify(raw[0])}: Elle's are :r, :w and :append`,
    );
  return { f: f as MopFunction, key: String(keyword(raw[1])), value: raw[2] ?? null };
}

/**
 * Elle's transactions from an imported history: each process's invocation
 * paired with its completion; real time is line order; a :fail did not
 * happen, an :info may have.
 */
export function elleTransactions(events: readonly ImportedEvent[], source: string): Txn[] {
  const open = new Map<string, { event: ImportedEvent; position: number }>();
  const txns: Txn[] = [];
  const finish = (
    invoke: ImportedEvent,
    position: number,
    completion?: ImportedEvent,
    at?: number,
  ) => {
    const type =
      completion?.type === "ok" || completion?.type === "fail" ? completion.type : "info";
    const value = type === "ok" ? completion?.value : invoke.value;
    const where = `${source}:${(completion ?? invoke).line}`;
    if (!Array.isArray(value))
      throw new BadInputError(
        `${where}: a transaction's value must be a vector of micro-operations, got ${JSON.stringify(value)}`,
      );
    txns.push({
      id: invoke.line,
      ...(completion ? { completion: completion.line } : {}),
      // Operations without a process are each their own: no session order between them.
      process: invoke.process === ANONYMOUS_PROCESS ? `?${invoke.line}` : invoke.process,
      type,
      call: position,
      ret: type === "ok" && at !== undefined ? at : Number.POSITIVE_INFINITY,
      mops: value.map((mop) => elleMop(mop, where)),
    });
  };
  events.forEach((event, position) => {
    const process = String(event.process);
    if (event.type === "invoke") {
      const pending = open.get(process);
      if (pending) finish(pending.event, pending.position);
      open.set(process, { event, position });
      return;
    }
    const pending = open.get(process);
    open.delete(process);
    // A completion without an invocation (histories with only completions, as in Elle's examples) stands alone.
    finish(pending?.event ?? event, pending?.position ?? position, event, position);
  });
  for (const { event, position } of open.values()) finish(event, position);
  if (txns.length === 0)
    throw new BadInputError(`${source}: no transactions in the history: nothing to check`);
  return txns.sort((a, b) => a.call - b.call);
}
