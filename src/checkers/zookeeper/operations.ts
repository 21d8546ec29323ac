import type { HistoryEvent } from "../../history/event.js";

/** An operation of a worker: its invocation and its completion (none if the run ended first). */
export interface PairedOp {
  readonly invoke: HistoryEvent;
  readonly completion: HistoryEvent | undefined;
  /** ok, fail, or info (also when there is no completion). */
  readonly type: "ok" | "fail" | "info";
}

/** Pairs every worker's invocations with their completions (session and observer events aside), in invocation order. */
export function pairOps(events: readonly HistoryEvent[]): PairedOp[] {
  // Keyed by the process itself: worker numbers and names never collide, and no string is made per event.
  const open = new Map<HistoryEvent["process"], number>();
  // Invocations in the order they came, each with its completion once it comes: no sort of a
  // million ops afterwards when the events came in index order (as a history holds them).
  const invokes: HistoryEvent[] = [];
  const completions: (HistoryEvent | undefined)[] = [];
  let ordered = true;
  for (const event of events) {
    if (event.f === "session") continue;
    const key = event.process;
    if (event.type === "invoke") {
      if (invokes.length > 0 && (invokes[invokes.length - 1] as HistoryEvent).index > event.index)
        ordered = false;
      open.set(key, invokes.length);
      invokes.push(event);
      completions.push(undefined);
      continue;
    }
    const slot = open.get(key);
    if (slot === undefined) continue;
    open.delete(key);
    completions[slot] = event;
  }
  const ops = invokes.map((invoke, slot): PairedOp => {
    const completion = completions[slot];
    return {
      invoke,
      completion,
      type: completion === undefined ? "info" : (completion.type as PairedOp["type"]),
    };
  });
  return ordered ? ops : ops.sort((a, b) => a.invoke.index - b.invoke.index);
}

/** The register an operation of the register workload acts on. */
export function registerKey(op: PairedOp): number | undefined {
  const value = op.invoke.value as { key?: unknown } | undefined;
  return typeof value?.key === "number" ? value.key : undefined;
}

/** The value a register write or cas writes. */
export function writtenValue(op: PairedOp): number | undefined {
  const value = op.invoke.value as { value?: unknown } | undefined;
  if (op.invoke.f === "write" && typeof value?.value === "number") return value.value;
  if (op.invoke.f === "cas" && Array.isArray(value?.value) && typeof value.value[1] === "number")
    return value.value[1];
  return undefined;
}

/** The value a register read returned. */
export function readValue(op: PairedOp): number | null | undefined {
  const value = op.completion?.value as { value?: unknown } | undefined;
  if (value === undefined) return undefined;
  return typeof value.value === "number" ? value.value : value.value === null ? null : undefined;
}
