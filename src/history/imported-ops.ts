import { BadInputError } from "../errors.js";
import type { LinOp, UNKNOWN } from "./operation.js";

/** One event of an imported (Jepsen-style) history, in line order. */
export interface ImportedEvent {
  readonly process: string | number;
  readonly type: "invoke" | "ok" | "fail" | "info";
  readonly f: string;
  readonly value: unknown;
  readonly key?: unknown;
  /** Extra words after the value (e.g. :timed-out). */
  readonly note?: string;
  /** Source line, for messages. */
  readonly line: number;
}

/** How a model reads an invocation and its completion. */
export interface OpMapping<I, O> {
  /** The operation's input, or undefined to leave the operation out. */
  input(invoke: ImportedEvent, completion: ImportedEvent | undefined): I | undefined;
  /**
   * The output for a completion: a value, UNKNOWN, or "drop" when the
   * operation constrains nothing (e.g. a failed read).
   */
  output(invoke: ImportedEvent, completion: ImportedEvent | undefined): O | typeof UNKNOWN | "drop";
}

/**
 * Pairs each invocation with its process's next completion. Real time is line
 * order. An operation without a completion, or completed with info, may take
 * effect any time after its call, or never: its return is at infinity.
 */
export function pairOperations<I, O>(
  events: readonly ImportedEvent[],
  mapping: OpMapping<I, O>,
  source: string,
): LinOp<I, O>[] {
  const open = new Map<string, { event: ImportedEvent; time: number }>();
  const pairs: {
    invoke: ImportedEvent;
    call: number;
    completion: ImportedEvent | undefined;
    ret: number;
  }[] = [];
  events.forEach((event, time) => {
    const process = String(event.process);
    if (event.type === "invoke") {
      if (open.has(process)) {
        throw new BadInputError(
          `${source}:${event.line}: process ${process} invokes again before its last operation completed`,
        );
      }
      open.set(process, { event, time });
      return;
    }
    const pending = open.get(process);
    if (pending === undefined) {
      throw new BadInputError(
        `${source}:${event.line}: process ${process} completes ${event.f} without an invocation`,
      );
    }
    open.delete(process);
    pairs.push({
      invoke: pending.event,
      call: pending.time,
      completion: event,
      ret: event.type === "info" ? Number.POSITIVE_INFINITY : time,
    });
  });
  for (const { event, time } of open.values()) {
    pairs.push({ invoke: event, call: time, completion: undefined, ret: Number.POSITIVE_INFINITY });
  }
  const ops: LinOp<I, O>[] = [];
  for (const pair of pairs) {
    const input = mapping.input(pair.invoke, pair.completion);
    if (input === undefined) continue;
    const output = mapping.output(pair.invoke, pair.completion);
    if (output === "drop") continue;
    ops.push({
      id: pair.invoke.line,
      process: pair.invoke.process,
      call: pair.call,
      ret: pair.ret,
      input,
      output,
    });
  }
  return ops.sort((a, b) => a.call - b.call);
}
