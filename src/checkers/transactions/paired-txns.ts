/** Transactions from a zk-chaos history's worker operations: each invocation paired with its completion. */
import { type HistoryEvent, parseZxid } from "../../history/event.js";
import type { Txn } from "./txn.js";

/**
 * Pairs each worker's wanted invocations with their completions in one pass,
 * each in the slot of its invocation (no sort); `make` builds the
 * transaction (completion undefined: the run ended first, unknown outcome).
 */
export function pairTransactions(
  events: readonly HistoryEvent[],
  wanted: (invoke: HistoryEvent) => boolean,
  make: (invoke: HistoryEvent, completion: HistoryEvent | undefined) => Txn | undefined,
): Txn[] {
  const slots: (Txn | undefined)[] = [];
  const open = new Map<HistoryEvent["process"], { invoke: HistoryEvent; slot: number }>();
  for (const event of events) {
    if (event.f === "session" || typeof event.process !== "number") continue;
    const pending = open.get(event.process);
    if (event.type === "invoke") {
      // A worker invokes again only after its last operation completed: one left open never did.
      if (pending !== undefined) slots[pending.slot] = make(pending.invoke, undefined);
      if (wanted(event)) {
        open.set(event.process, { invoke: event, slot: slots.length });
        slots.length++;
      } else open.delete(event.process);
      continue;
    }
    if (pending === undefined) continue;
    open.delete(event.process);
    slots[pending.slot] = make(pending.invoke, event);
  }
  for (const pending of open.values()) slots[pending.slot] = make(pending.invoke, undefined);
  return slots.filter((txn): txn is Txn => txn !== undefined);
}

/** The fields every transaction of a zk-chaos history has, from its invocation and completion. */
export function txnFrame(
  invoke: HistoryEvent,
  completion: HistoryEvent | undefined,
): Omit<Txn, "mops" | "synced"> {
  const type = completion === undefined ? "info" : (completion.type as Txn["type"]);
  const ok = type === "ok" ? completion : undefined;
  return {
    id: invoke.index,
    completion: completion?.index,
    process: invoke.process,
    session: completion?.session,
    type,
    call: invoke.index,
    ret: ok ? ok.index : Number.POSITIVE_INFINITY,
    zxid: ok?.zxid === undefined ? undefined : parseZxid(ok.zxid),
  };
}
