import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHistoryTransactions } from "../../../src/checkers/transactions/check-transactions.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import type { RecordedMop, RecordedTxn } from "../../../src/history/txn-record.js";
import { runWorkload } from "../../../src/workload/run-workload.js";
import { startFaultyEnsemble } from "../../helpers/faulty-ensemble.js";
import { makeRuntimeRoot, removeRuntimeRoot } from "../../helpers/runtime.js";

let root: string;
let events: HistoryEvent[];
beforeAll(async () => {
  root = makeRuntimeRoot();
  await using faulty = await startFaultyEnsemble(3, root, 33);
  const history = new MemorySink();
  const workload = runWorkload({
    ensemble: faulty.ensemble,
    recorder: new HistoryRecorder([history]),
    seed: 33,
    kind: "transactions",
    keys: 4,
    workers: 6,
    durationMs: 8000,
    operationTimeoutMs: 1000,
    root: "/transactions",
  });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const kill = await faulty.nemesis.start({ kind: "kill", target: "leader" });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await faulty.nemesis.heal(kill.id);
  await workload;
  events = history.events;
}, 120_000);
afterAll(() => removeRuntimeRoot(root));

const mopsOf = (event: HistoryEvent) => (event.value as RecordedTxn).mops;
const verdictOf = (history: readonly HistoryEvent[]) => {
  const [verdict] = checkHistoryTransactions(history);
  return verdict as NonNullable<typeof verdict>;
};

/** Ok read completions that saw, on two keys, values a single committed multi wrote. */
function* readsOfOneMulti(history: readonly HistoryEvent[]) {
  const writers = history.filter(
    (event) =>
      event.type === "ok" &&
      event.f === "txn" &&
      mopsOf(event).filter((mop) => mop.f === "w" || mop.f === "create").length >= 2,
  );
  for (const read of history) {
    if (read.type !== "ok" || read.f !== "txn" || !mopsOf(read).every((mop) => mop.f === "r"))
      continue;
    for (const writer of writers) {
      const written = mopsOf(writer).filter((mop) => mop.f === "w" || mop.f === "create");
      const seen = mopsOf(read).filter((mop) =>
        written.some((w) => w.key === mop.key && w.value === mop.value),
      );
      if (new Set(seen.map((mop) => mop.key)).size >= 2) yield { read, writer, seen };
    }
  }
}

/** The first such read. */
const readOfOneMulti = (history: readonly HistoryEvent[]) => {
  for (const found of readsOfOneMulti(history)) return found;
  return undefined;
};

/** What a key held just before a commit: the last committed value before that zxid and its zxid, or absence. */
function previousVersion(
  history: readonly HistoryEvent[],
  key: string,
  zxid: bigint,
): Pick<RecordedMop, "value" | "mzxid"> {
  let best: { zxid: bigint; mop: RecordedMop } | undefined;
  for (const event of history) {
    if (event.type !== "ok" || event.f !== "txn" || event.zxid === undefined) continue;
    const at = BigInt(event.zxid);
    const last = mopsOf(event)
      .filter((mop) => mop.key === key && mop.f !== "r" && mop.f !== "check")
      .at(-1);
    if (last && at < zxid && (best === undefined || at > best.zxid)) best = { zxid: at, mop: last };
  }
  if (best === undefined || best.mop.f === "delete") return { value: null };
  return { value: best.mop.value, mzxid: best.zxid.toString() };
}

describe("the transactions workload on a real 3-node ensemble through a leader kill", () => {
  it("records multis and atomic multiReads that the checker finds valid", () => {
    const verdict = verdictOf(events);
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.stats?.method).toBe("zxid order");
    expect(verdict.stats?.committed as number).toBeGreaterThan(100);
    expect(verdict.stats?.reads as number).toBeGreaterThan(100);
    // 3.8.0 answers multiRead: reads of several keys at once are in the history.
    expect(
      events.some(
        (event) =>
          event.type === "ok" &&
          event.f === "txn" &&
          mopsOf(event).filter((mop) => mop.f === "r").length > 1,
      ),
    ).toBe(true);
    // The kill left multis of unknown outcome for the checker to handle.
    expect(events.some((event) => event.type === "info" && event.f === "txn")).toBe(true);
  });

  it("names a planted half-applied multi: a fractured read (Elle's G-single)", () => {
    // A read that saw one multi on two keys, where the key's version before the multi held a value.
    const candidates = [...readsOfOneMulti(events)].map((found) => {
      const half = found.seen[1] as RecordedMop;
      return {
        ...found,
        half,
        before: previousVersion(events, half.key, BigInt(found.writer.zxid as string)),
      };
    });
    const found = candidates.find((candidate) => candidate.before.value !== null);
    expect(found, "a multiRead that saw one multi's writes on two keys").toBeDefined();
    const { read, half, before } = found as NonNullable<typeof found>;
    // As if the multi had reached only one key when the read was served: the other shows its version before.
    const planted = events.map((event) =>
      event === read
        ? {
            ...event,
            value: {
              mops: mopsOf(event).map((mop) =>
                mop.key === half.key ? { ...before, f: "r", key: mop.key } : mop,
              ),
            },
          }
        : event,
    );
    const named = verdictOf(planted).anomalies.filter((anomaly) =>
      anomaly.events.includes(read.index),
    );
    // fractured-read when the version shown is the one the multi overwrote; G-single when a multi of
    // unknown outcome may have committed between them (the checker cannot tell which).
    expect(named.map((anomaly) => anomaly.kind)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(fractured-read|G-single)$/)]),
    );
  });

  it("names a read of a multi whose result the recorder dropped (recorded as failed) an aborted read, G1a", () => {
    const found = readOfOneMulti(events);
    const { writer } = found as NonNullable<typeof found>;
    const planted = events.map((event) =>
      event === writer ? { ...event, type: "fail" as const, error: -103 } : event,
    );
    const verdict = verdictOf(planted);
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalies.map((anomaly) => anomaly.kind)).toContain("G1a");
    expect(verdict.anomalies.find((anomaly) => anomaly.kind === "G1a")?.events).toContain(
      writer.index,
    );
  });
});
