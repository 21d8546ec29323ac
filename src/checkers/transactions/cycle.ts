/** Dependency cycles between transactions, as Elle writes them: T1 -wr(x)-> T2 -rw(y)-> T1. */
import type { Anomaly } from "../verdict.js";
import { type Txn, txnName } from "./txn.js";

/**
 * A dependency: ww (overwrote), wr (read what it wrote), rw (read what the
 * other overwrote), process (same session, later), realtime (began after the
 * other ended), zxid (ZooKeeper committed it later).
 */
export type EdgeKind = "ww" | "wr" | "rw" | "process" | "realtime" | "zxid";

/** One step of a cycle. */
export interface CycleStep {
  readonly from: Txn;
  readonly to: Txn;
  readonly edge: EdgeKind;
  readonly key?: string;
}

/** A cycle in words. */
export function cycleText(steps: readonly CycleStep[]): string {
  if (steps.length === 0) return "";
  const parts = steps.map(
    (step) => `-${step.edge}${step.key !== undefined ? `(${step.key})` : ""}-> ${txnName(step.to)}`,
  );
  return `${txnName((steps[0] as CycleStep).from)} ${parts.join(" ")}`;
}

/** The history events a set of transactions stands on: invocations and completions. */
export function txnEvents(txns: readonly Txn[]): number[] {
  const events = new Set<number>();
  for (const txn of txns) {
    events.add(txn.id);
    if (txn.completion !== undefined) events.add(txn.completion);
  }
  return [...events].sort((a, b) => a - b);
}

/**
 * Elle's name for a cycle: G0 (write cycle), G1c (writes and reads), G-single
 * (one anti-dependency), G2-item (more), with -process or -realtime when it
 * needs session or real-time order.
 */
export function cycleClass(steps: readonly CycleStep[]): string {
  const rw = steps.filter((step) => step.edge === "rw").length;
  const base =
    rw === 0
      ? steps.some((step) => step.edge === "wr")
        ? "G1c"
        : "G0"
      : rw === 1
        ? "G-single"
        : "G2-item";
  if (steps.some((step) => step.edge === "realtime")) return `${base}-realtime`;
  if (steps.some((step) => step.edge === "process")) return `${base}-process`;
  return base;
}

/** A cycle as an anomaly, named by its class unless a more exact name is given. */
export function cycleAnomaly(steps: readonly CycleStep[], kind?: string, why?: string): Anomaly {
  const name = cycleClass(steps);
  return {
    kind: kind ?? name,
    message: `${kind !== undefined && kind !== name ? `Elle's ${name}: ` : ""}${cycleText(steps)}${why ? `; ${why}` : ""}`,
    events: txnEvents(steps.map((step) => step.from)),
  };
}
