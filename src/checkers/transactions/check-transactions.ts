/**
 * The transactional checker: Elle's anomalies (G0, G1a, G1b, G1c, G-single,
 * G2-item, lost updates, fractured and internal reads, with -process and
 * -realtime forms) on ZooKeeper `multi`s and reads. With zxids (zk-chaos
 * histories) it walks the commit order in near-linear time; without them
 * (imported Elle histories) it infers the dependency graph and searches its
 * cycles as Elle does.
 */
import type { HistoryEvent } from "../../history/event.js";
import type { Anomaly, Verdict } from "../verdict.js";
import {
  explainByIncompleteLeaders,
  findIncompleteLeaders,
} from "../zookeeper/leader-completeness.js";
import { searchCycles } from "./cycle-search.js";
import { buildDependencyGraph, type TxnDatatype } from "./dependency-graph.js";
import { zkTransactions } from "./history-txns.js";
import { isWrite, type Txn } from "./txn.js";
import { checkByZxid } from "./zxid-order.js";

/** The guarantee, in words. */
export const TRANSACTIONS_GUARANTEE =
  "transactions are strictly serializable (ZooKeeper's in zxid order): no aborted, intermediate or fractured read, no lost update, no dependency cycle (Elle's anomaly names)";

/** Options of checkTransactions. */
export interface TransactionCheckOptions {
  /** How versions are inferred where there are no zxids (default rw-register). */
  readonly datatype?: TxnDatatype;
  /** Budget of the cycle search (ms); beyond it a component is reported as a cycle whose form was not found. */
  readonly budgetMs?: number;
  /** Use real-time order (strict serializability; default on). */
  readonly realtime?: boolean;
  /** How to order commits: by zxid, or by Elle's inference (default: zxids when every committed write has one). */
  readonly method?: "zxid" | "graph";
}

/** True when every committed write names its zxid: the commit order is known. */
export function hasCommitOrder(txns: readonly Txn[]): boolean {
  const writes = txns.filter((txn) => txn.type === "ok" && txn.mops.some(isWrite));
  return writes.length > 0 && writes.every((txn) => txn.zxid !== undefined);
}

/** Checks a history's transactions: the zxid walk when commits carry zxids, Elle's graph search otherwise. */
export function checkTransactions(
  txns: readonly Txn[],
  options: TransactionCheckOptions = {},
): Verdict {
  const started = performance.now();
  let anomalies: Anomaly[];
  let stats: Record<string, unknown>;
  let timedOut = 0;
  if (options.method === "zxid" || (options.method === undefined && hasCommitOrder(txns))) {
    const result = checkByZxid(txns);
    anomalies = result.anomalies;
    stats = { method: "zxid order", ...result.stats };
  } else {
    const graph = buildDependencyGraph(txns, options.datatype ?? "rw-register", {
      realtime: options.realtime !== false,
    });
    const cycles = searchCycles(graph, options.budgetMs ?? 10_000);
    timedOut = cycles.timedOut;
    anomalies = [...graph.anomalies, ...cycles.anomalies];
    stats = {
      method: `dependency graph (${options.datatype ?? "rw-register"})`,
      transactions: txns.length,
      edges: graph.out.reduce((sum, edges) => sum + edges.length, 0),
      components: cycles.components,
      largestComponent: cycles.largest,
    };
  }
  const kinds = [...new Set(anomalies.map((anomaly) => anomaly.kind))].sort();
  return {
    checker: "transactions",
    guarantee: TRANSACTIONS_GUARANTEE,
    // A component whose cycle was not spelled out still holds a cycle.
    valid: anomalies.length === 0,
    anomalies,
    stats: {
      ...stats,
      anomalyTypes: kinds,
      ...(timedOut > 0 ? { cycleSearchTimeouts: timedOut } : {}),
    },
    elapsedMs: performance.now() - started,
  };
}

/** The transactions verdict of a zk-chaos history: none when it holds no transactions. */
export function checkHistoryTransactions(
  events: readonly HistoryEvent[],
  options: TransactionCheckOptions = {},
): Verdict[] {
  const txns = zkTransactions(events);
  if (txns.length === 0) return [];
  // A zk-chaos history is ordered by zxid, whatever a reply without one left unplaced.
  const verdict = checkTransactions(txns, { method: "zxid", ...options });
  // A leader that took over without committed multis (a wipe, a known bug) explains what clients then saw.
  const anomalies = explainByIncompleteLeaders(
    verdict.anomalies,
    events,
    findIncompleteLeaders(events),
  );
  return [{ ...verdict, anomalies }];
}
