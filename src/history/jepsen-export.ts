/**
 * Exports a zk-chaos history as a Jepsen/Knossos EDN history, one map per
 * line, so that Knossos and Elle can read it: worker operations with their
 * invocation and exactly one completion, nemesis actions as `:nemesis` `:info`
 * operations. Session, observer and server events are left out (they are no
 * operations). Register operations carry `:key` and Jepsen's values: a write's
 * value, a read's value on completion, a cas's `[from to]`. Plain reads are
 * left out: ZooKeeper promises them sequential consistency, not
 * linearizability, and a linearizability checker would take a lagging
 * follower for a bug. Reads after a sync stay.
 */
import { type EDNVal, toEDNString, toKeyword } from "edn-data";
import { type HistoryEvent, WATCH_OPERATIONS } from "./event.js";

type Pairs = [EDNVal, EDNVal][];

/** A JSON value as EDN: objects become maps with keyword keys, arrays vectors. */
function ednOf(value: unknown): EDNVal {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(ednOf);
  if (typeof value === "object")
    return {
      map: Object.entries(value as Record<string, unknown>).map(
        ([key, item]) => [toKeyword(key), ednOf(item)] as [EDNVal, EDNVal],
      ),
    };
  return value as EDNVal;
}

/** The register workload's key and Jepsen value of an event, or undefined for other workloads. */
function registerFields(event: HistoryEvent): { key: number; value: unknown } | undefined {
  const value = event.value as { key?: unknown; value?: unknown } | null;
  if (value === null || typeof value !== "object" || typeof value.key !== "number")
    return undefined;
  if (!["read", "write", "cas"].includes(event.f)) return undefined;
  // A read's invocation carries no value in Jepsen's histories.
  if (event.f === "read" && event.type === "invoke") return { key: value.key, value: null };
  return { key: value.key, value: value.value ?? null };
}

/** Whether an event belongs to a plain (unsynced) read of the register workload. */
function plainRead(
  event: HistoryEvent,
  invocations: ReadonlyMap<number | string, HistoryEvent>,
): boolean {
  if (event.f !== "read") return false;
  const invoke = event.type === "invoke" ? event : invocations.get(event.process);
  const value = invoke?.value as { key?: unknown; synced?: unknown } | null | undefined;
  return typeof value?.key === "number" && value.synced !== true;
}

/** One history event as one EDN map, or undefined when it is no operation. */
export function jepsenOp(event: HistoryEvent): string | undefined {
  const pairs: Pairs = [[toKeyword("index"), event.index]];
  if (typeof event.process === "number") {
    if (event.f === "session") return undefined;
    pairs.push(
      [toKeyword("time"), event.time],
      [toKeyword("process"), event.process],
      [toKeyword("type"), toKeyword(event.type)],
      [toKeyword("f"), toKeyword(event.f)],
    );
    const register = registerFields(event);
    if (register)
      pairs.push([toKeyword("key"), register.key], [toKeyword("value"), ednOf(register.value)]);
    else pairs.push([toKeyword("value"), ednOf(event.value)]);
    if (event.error !== undefined) pairs.push([toKeyword("error"), ednOf(event.error)]);
    if (event.server !== undefined) pairs.push([toKeyword("server"), event.server]);
    if (event.session !== undefined) pairs.push([toKeyword("session"), event.session]);
  } else if (event.process === "nemesis") {
    // Jepsen writes every nemesis action as :info, its start and its end alike.
    pairs.push(
      [toKeyword("time"), event.time],
      [toKeyword("process"), toKeyword("nemesis")],
      [toKeyword("type"), toKeyword("info")],
      [toKeyword("f"), toKeyword(event.f)],
      [toKeyword("value"), ednOf(event.value)],
    );
  } else return undefined;
  return toEDNString({ map: pairs });
}

/** The whole history as Jepsen EDN text, one operation map per line. */
export function toJepsenEdn(events: readonly HistoryEvent[]): string {
  const lines: string[] = [];
  // Each worker's pending invocation, to tell a completion's read synced or plain.
  const invocations = new Map<number | string, HistoryEvent>();
  for (const event of events) {
    if (typeof event.process === "number" && event.f !== "session" && event.type === "invoke")
      invocations.set(event.process, event);
    if (typeof event.process === "number" && plainRead(event, invocations)) continue;
    // A watching agent's reads are plain reads too, and no Jepsen model knows its watches.
    if (typeof event.process === "number" && WATCH_OPERATIONS.has(event.f)) continue;
    const line = jepsenOp(event);
    if (line !== undefined) lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}
