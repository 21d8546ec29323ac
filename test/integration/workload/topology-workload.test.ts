import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistoryTransactions } from "../../../src/checkers/transactions/check-transactions.js";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { expectedTree, finalReads, runWorkload } from "../../../src/workload/run-workload.js";
import { snapshotViolations, unpairedOperations } from "../../helpers/history.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
beforeAll(() => {
  root = makeRuntimeRoot();
});
afterAll(() => removeRuntimeRoot(root));

const sorted = (tree: ReadonlyMap<string, string>) =>
  JSON.stringify([...tree].sort(([a], [b]) => (a < b ? -1 : 1)));

describe("the MidoNet topology workload on a healthy 3-node ensemble", () => {
  it("30 s, 20 agents: every invoke completes once, every snapshot keeps the invariants, all servers end equal to the model", async () => {
    await using ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root });
    const history = new MemorySink();
    const recorder = new HistoryRecorder([history]);
    const result = await runWorkload({
      ensemble,
      recorder,
      seed: 2026,
      kind: "topology",
      workers: 20,
      durationMs: 30_000,
      ratePerWorker: 25,
    });
    const trees = await finalReads(ensemble, recorder, result.root);
    // Enough work to matter; throughput itself is bench/workload's to measure, not a test's.
    expect(result.operations).toBeGreaterThan(1000);
    expect(unpairedOperations(history.events)).toEqual([]);
    const completions = history.events.filter(
      (e) => typeof e.process === "number" && e.type !== "invoke" && e.f !== "session",
    );
    expect(completions.filter((e) => e.type === "info")).toEqual([]);
    const { reads, violations } = snapshotViolations(history.events);
    expect(reads).toBeGreaterThan(100);
    expect(violations).toEqual([]);
    expect(trees.size).toBe(3);
    const expected = sorted(expectedTree(result));
    for (const [server, tree] of trees)
      expect(sorted(tree), `server ${server}'s tree`).toBe(expected);
    // Every agent registered its host, and each operation names the server its session used.
    expect(
      history.events.filter((e) => e.f === "register-host" && e.type === "ok").length,
    ).toBeGreaterThanOrEqual(20);
    expect(completions.every((e) => e.server !== undefined && e.session !== undefined)).toBe(true);
    // The multis and consistent subtree reads, judged as transactions.
    const [transactions] = checkHistoryTransactions(history.events);
    expect(transactions?.anomalies).toEqual([]);
    expect(transactions?.stats?.committed as number).toBeGreaterThan(500);
    expect(transactions?.stats?.reads as number).toBeGreaterThan(50);
    // A planted defect: a multi a consistent read saw, recorded as failed, is an aborted read.
    const seen = new Set(
      history.events.flatMap((e) =>
        e.f === "read-subtree" && e.type === "ok"
          ? Object.values((e.value as { nodes: Record<string, [string]> }).nodes).map(
              ([data]) => data,
            )
          : [],
      ),
    );
    const change = history.events.find(
      (e) =>
        e.type === "ok" &&
        e.f !== "read-subtree" &&
        ((e.value as { ops?: { data?: string }[] }).ops ?? []).some(
          (op) => op.data !== undefined && seen.has(op.data),
        ),
    ) as (typeof history.events)[number];
    const planted = history.events.map((e) => (e === change ? { ...e, type: "fail" as const } : e));
    const [aborted] = checkHistoryTransactions(planted);
    expect(aborted?.anomalies.map((anomaly) => anomaly.kind)).toContain("G1a");
  });
});

describe("the register workload", () => {
  it("reads, writes and compare-and-sets unique values with stats", async () => {
    await using ensemble = await startLocalEnsemble({ nodes: 3, runtimeRoot: root });
    const history = new MemorySink();
    const result = await runWorkload({
      ensemble,
      recorder: new HistoryRecorder([history]),
      seed: 9,
      kind: "registers",
      registers: 3,
      workers: 5,
      durationMs: 3000,
      root: "/registers",
    });
    expect(result.operations).toBeGreaterThan(100);
    expect(unpairedOperations(history.events)).toEqual([]);
    // The workers' operations (the observer records the set-up beside them).
    const oks = history.events.filter((e) => typeof e.process === "number" && e.type === "ok");
    for (const f of ["read", "write", "cas"]) expect(oks.some((e) => e.f === f)).toBe(true);
    expect(history.events.some((e) => e.f === "cas" && e.type === "fail" && e.error === -103)).toBe(
      true,
    );
    const written = oks
      .filter((e) => e.f === "write" || e.f === "cas")
      .map((e) => JSON.stringify(e.value));
    expect(new Set(written).size).toBe(written.length);
    expect(oks.every((e) => e.stat?.mzxid !== undefined)).toBe(true);
  });
});
