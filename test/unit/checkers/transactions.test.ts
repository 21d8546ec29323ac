import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkHistoryFile } from "../../../src/checkers/check-history.js";
import { checkTransactions } from "../../../src/checkers/transactions/check-transactions.js";
import { zkTransactions } from "../../../src/checkers/transactions/history-txns.js";
import type { Mop, Txn } from "../../../src/checkers/transactions/txn.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { syntheticTransactions } from "../../../src/testing/synthetic-transactions.js";

let next = 0;
/** A ZooKeeper transaction: ids and real time in creation order unless given. */
function txn(fields: Partial<Txn> & { mops: Mop[] }): Txn {
  next += 2;
  const id = next;
  return {
    id,
    completion: id + 1,
    process: 0,
    session: "s0",
    type: "ok",
    call: id,
    ret: id + 1,
    ...fields,
  };
}
const w = (key: string, value: number): Mop => ({ f: "w", key, value });
const create = (key: string, value: number): Mop => ({ f: "create", key, value });
const r = (key: string, value: number | null, mzxid?: number): Mop => ({
  f: "r",
  key,
  value,
  ...(mzxid !== undefined ? { mzxid } : {}),
});
const kinds = (txns: Txn[]) => (checkTransactions(txns).stats?.anomalyTypes as string[]) ?? [];

describe("transactions checker with zxids (ZooKeeper's commit order)", () => {
  const base = () => [
    txn({ mops: [create("a", 1), create("b", 1)], zxid: 10 }),
    txn({ mops: [w("a", 2), w("b", 2)], zxid: 12 }),
  ];

  it("finds nothing in a clean history: writes, atomic reads, a session that moves forward", () => {
    const txns = [
      ...base(),
      txn({ session: "s1", mops: [r("a", 1, 10), r("b", 1, 10)] }),
      txn({ session: "s1", mops: [r("a", 2, 12), r("b", 2, 12)] }),
      txn({ session: "s2", mops: [r("a", null)] }),
    ];
    // The read of absence sits before the creation: a session that had seen nothing yet.
    const verdict = checkTransactions([
      { ...(txns[4] as Txn), call: 0, ret: 1 },
      ...txns.slice(0, 4),
    ]);
    expect(verdict.valid).toBe(true);
    expect(verdict.stats?.method).toBe("zxid order");
  });

  it("names a read of a failed multi's value G1a", () => {
    const failed = txn({ type: "fail", mops: [w("a", 99)] });
    const verdict = checkTransactions([...base(), failed, txn({ mops: [r("a", 99, 14)] })]);
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(["G1a"]);
    expect(verdict.anomalies[0]?.events).toContain(failed.id);
  });

  it("names a read of a value its multi overwrote G1b", () => {
    const before = base();
    const twice = txn({ mops: [w("a", 5), w("a", 6)], zxid: 13 });
    expect(kinds([...before, twice, txn({ mops: [r("a", 5, 13)] })])).toEqual(["G1b"]);
  });

  it("names a read that sees half of a multi a fractured read, with the cycle", () => {
    const [first, second] = base() as [Txn, Txn];
    const reader = txn({ mops: [r("a", 2, 12), r("b", 1, 10)] });
    const verdict = checkTransactions([first, second, reader]);
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(["fractured-read"]);
    expect(verdict.anomalies[0]?.message).toContain(
      `T${reader.id} -rw(b)-> T${second.id} -wr(a)-> T${reader.id}`,
    );
    expect(verdict.anomalies[0]?.message).toContain("G-single");
  });

  it("names reads that mix versions of different commits G-single", () => {
    const txns = [
      txn({ mops: [create("a", 1)], zxid: 10 }),
      txn({ mops: [create("b", 1)], zxid: 11 }),
      txn({ mops: [w("a", 2)], zxid: 12 }),
      txn({ mops: [w("b", 2)], zxid: 13 }),
      txn({ mops: [r("a", 1, 10), r("b", 2, 13)] }),
    ];
    expect(kinds(txns)).toEqual(["G-single"]);
  });

  it("names two commits that made the same version of one znode a lost update", () => {
    const made = (value: number, zxid: number, version: number) =>
      txn({
        mops: [
          { f: "check", key: "a", value: 0 },
          { ...w("a", value), version, czxid: 10 },
        ],
        zxid,
      });
    const created = txn({ mops: [create("a", 1)], zxid: 10 });
    expect(kinds([created, made(2, 11, 1), made(3, 12, 1)])).toEqual(["lost-update"]);
    // The same version number of a znode created again is another version.
    const first = txn({ mops: [create("a", 1)], zxid: 10 });
    const set = made(2, 11, 1);
    const again = txn({ mops: [create("a", 4)], zxid: 13 });
    const later = txn({ mops: [{ ...w("a", 5), version: 1, czxid: 13 }], zxid: 14 });
    expect(kinds([first, set, again, later])).toEqual([]);
  });

  it("names a commit that made an older version than an earlier commit, with both commits", () => {
    const made = (value: number, zxid: number, version: number) =>
      txn({ mops: [{ ...w("a", value), version, czxid: 10 }], zxid });
    const created = txn({ mops: [create("a", 1)], zxid: 10 });
    const higher = made(2, 11, 2);
    const lower = made(3, 12, 1);
    const verdict = checkTransactions([created, higher, lower]);
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(["lost-update"]);
    expect(verdict.anomalies[0]?.message).toContain(
      `T${higher.id} made version 2 of a, then T${lower.id} made version 1`,
    );
    expect(verdict.anomalies[0]?.events).toEqual([
      higher.id,
      higher.completion,
      lower.id,
      lower.completion,
    ]);
  });

  it("names a session whose view went back G-single-process", () => {
    const txns = [
      ...base(),
      txn({ session: "s1", mops: [r("a", 2, 12)] }),
      txn({ session: "s1", mops: [r("a", 1, 10)] }),
    ];
    expect(kinds(txns)).toEqual(["G-single-process"]);
    // Another session may lag: sequential consistency, not linearizability.
    expect(
      kinds([
        ...base(),
        txn({ session: "s1", mops: [r("a", 2, 12)] }),
        txn({ session: "s2", mops: [r("a", 1, 10)] }),
      ]),
    ).toEqual([]);
  });

  it("names a session that missed its own commit G-single-process", () => {
    const [first] = base() as [Txn];
    const own = txn({ session: "s1", mops: [w("a", 2)], zxid: 12 });
    expect(kinds([first, own, txn({ session: "s1", mops: [r("a", 1, 10)] })])).toEqual([
      "G-single-process",
    ]);
  });

  it("names a read after a sync that missed an acknowledged commit G-single-realtime; without the sync it is allowed", () => {
    const stale = (synced: boolean) => [
      ...base(),
      txn({ session: "s9", synced, mops: [r("a", 1, 10)] }),
    ];
    expect(kinds(stale(true))).toEqual(["G-single-realtime"]);
    expect(kinds(stale(false))).toEqual([]);
  });

  it("names commits out of real-time order G0-realtime", () => {
    const early = txn({ session: "s1", mops: [create("a", 1)], zxid: 20 });
    const late = txn({ session: "s2", mops: [create("b", 1)], zxid: 15 });
    expect(kinds([early, late])).toEqual(["G0-realtime"]);
    // In one session it breaks session order too.
    expect(kinds([early, { ...late, session: "s1" }])).toEqual(["G0-process", "G0-realtime"]);
  });

  it("resolves a multi of unknown outcome from a read of its value, and names values nobody wrote", () => {
    const unknown = txn({
      type: "info",
      ret: Number.POSITIVE_INFINITY,
      mops: [w("a", 7), w("b", 7)],
    });
    const txns = [...base(), unknown, txn({ mops: [r("a", 7, 14), r("b", 2, 12)] })];
    // It committed at 14 (the read's mzxid), so seeing a=7 beside b=2 is half of it.
    expect(kinds(txns)).toEqual(["fractured-read"]);
    expect(kinds([...base(), txn({ mops: [r("a", 1234, 14)] })])).toEqual(["garbage-read"]);
  });

  it("tells two commits at one zxid apart by value (a reused epoch): the order is named once, the read is placed", () => {
    const [first] = base() as [Txn];
    const lost = txn({ session: "s1", mops: [w("a", 5)], zxid: 12 });
    const reused = txn({ session: "s2", mops: [w("a", 6)], zxid: 12 });
    const verdict = checkTransactions([
      first,
      lost,
      reused,
      txn({ session: "s3", mops: [r("a", 6, 12)] }),
    ]);
    // The second began after the first was acknowledged, at the same zxid: real time broken too;
    // the read of its value is placed at its version, adding nothing.
    expect(verdict.anomalies.map((a) => a.kind)).toEqual(["incompatible-order", "G0-realtime"]);
  });

  it("finds a synthetic serial history of 5,000 transactions valid, and the one multi it unknits", () => {
    const events = syntheticTransactions({
      seed: 3,
      transactions: 5000,
      processes: 20,
      keys: 10,
      infoRate: 0.02,
    });
    const verdict = checkTransactions(zkTransactions(events));
    expect(verdict.anomalies).toEqual([]);
    expect(verdict.stats?.committed as number).toBeGreaterThan(2000);
    // One commit's zxid moved far ahead: the commits after it in real time now come before it.
    const commit = events.find(
      (e) => e.type === "ok" && e.zxid !== undefined && e.index > 1000,
    ) as HistoryEvent;
    const moved = events.map((e) =>
      e === commit ? { ...e, zxid: String(BigInt(commit.zxid as string) + 1_000_000n) } : e,
    );
    expect(checkTransactions(zkTransactions(moved)).valid).toBe(false);
  });

  it("reads the transactions workload's history events", () => {
    const events: HistoryEvent[] = [
      {
        index: 0,
        time: 0,
        process: 0,
        type: "invoke",
        f: "txn",
        value: { mops: [{ f: "create", key: "t0", value: 1 }] },
      },
      {
        index: 1,
        time: 1,
        process: 0,
        type: "ok",
        f: "txn",
        session: "1a",
        zxid: "4294967297",
        value: { mops: [{ f: "create", key: "t0", value: 1 }] },
      },
      {
        index: 2,
        time: 2,
        process: 1,
        type: "invoke",
        f: "txn",
        value: { synced: true, mops: [{ f: "r", key: "t0", value: null }] },
      },
      {
        index: 3,
        time: 3,
        process: 1,
        type: "ok",
        f: "txn",
        session: "1b",
        value: { mops: [{ f: "r", key: "t0", value: null }] },
      },
    ];
    const txns = zkTransactions(events);
    expect(txns.map((t) => [t.id, t.type, t.zxid, t.synced ?? false])).toEqual([
      [0, "ok", 4294967297, false],
      [2, "ok", undefined, true],
    ]);
    // The synced read saw nothing after the create was acknowledged.
    expect(kinds(txns)).toEqual(["G-single-realtime"]);
  });
});

describe("transactions checker without zxids (Elle's dependency graph)", () => {
  const folder = mkdtempSync(join(tmpdir(), "zk-chaos-elle-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const edn = (name: string, lines: string[]) => {
    const path = join(folder, name);
    writeFileSync(path, `${lines.join("\n")}\n`);
    return path;
  };

  it("agrees with Elle on its si-without-g-single history: G2-item only", async () => {
    // Elle's histories/si-without-g-single.edn (EPL-1.0, jepsen-io/elle); its test expects [:G2-item].
    const path = edn("si-without-g-single.edn", [
      "{:index 10, :time 0, :type :invoke, :process 2, :f :txn, :value [[:append 9 2]]}",
      "{:index 11, :time 0, :type :ok, :process 2, :f :txn, :value [[:append 9 2]]}",
      "{:index 20, :time 0, :type :invoke, :process 4, :f :txn, :value [[:append 8 1] [:r 9 nil]]}",
      "{:index 21, :time 0, :type :ok, :process 4, :f :txn, :value [[:append 8 1] [:r 9 nil]]}",
      "{:index 30, :time 0, :type :invoke, :process 7, :f :txn, :value [[:r 6 nil] [:r 8 nil] [:append 9 5]]}",
      "{:index 31, :time 0, :type :ok, :process 7, :f :txn, :value [[:r 6 nil] [:r 8 nil] [:append 9 5]]}",
      "{:index 40, :time 0, :type :invoke, :process 9, :f :txn, :value [[:append 6 2] [:r 9 nil]]}",
      "{:index 41, :time 0, :type :ok, :process 9, :f :txn, :value [[:append 6 2] [:r 9 [2]]]}",
    ]);
    // Every operation a :txn with appends: list-append, without being told.
    const check = await checkHistoryFile(path);
    expect(check.model).toBe("list-append");
    expect(check.valid).toBe(false);
    expect(check.verdicts[0]?.stats?.anomalyTypes).toEqual(["G2-item"]);
  });

  it("names the cycle of Elle's paper example G-single (its tests assert nothing of it)", async () => {
    // Elle's histories/paper-example.edn (EPL-1.0): no :process, no :f; one transaction after another.
    const path = edn("paper-example.edn", [
      "{:index 0 :type :invoke  :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] [:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}",
      "{:index 1 :type :ok      :value [[:append 253 1] [:append 253 3] [:append 253 4] [:append 255 2] [:append 255 3] [:append 255 4] [:append 255 5] [:append 256 1] [:append 256 2]]}",
      "{:index 2 :type :invoke, :value [[:append 255 8] [:r 253 nil]]}",
      "{:index 3 :type :ok,     :value [[:append 255 8] [:r 253 [1 3 4]]]}",
      "{:index 4 :type :invoke, :value [[:append 256 4] [:r 255 nil] [:r 256 nil] [:r 253 nil]]}",
      "{:index 5 :type :ok,     :value [[:append 256 4] [:r 255 [2 3 4 5 8]] [:r 256 [1 2 4]] [:r 253 [1 3 4]]]}",
      "{:index 6 :type :invoke, :value [[:append 250 10] [:r 253 nil] [:r 255 nil] [:append 256 3]]}",
      "{:index 7 :type :ok      :value [[:append 250 10] [:r 253 [1 3 4]] [:r 255 [2 3 4 5]] [:append 256 3]]}",
    ]);
    const check = await checkHistoryFile(path, { model: "list-append" });
    // The last transaction missed 8 on 255 (rw to the second), which the third saw (wr), and the
    // third's append of 4 to 256 precedes the last's 3, which no read saw (ww): one anti-dependency.
    expect(check.verdicts[0]?.stats?.anomalyTypes).toEqual(["G-single"]);
    expect(check.verdicts[0]?.anomalies[0]?.message).toBe(
      "T7 -rw(255)-> T3 -wr(255)-> T5 -ww(256)-> T7",
    );
  });

  it("names a write cycle G0 and a read cycle G1c", async () => {
    const g0 = edn("g0.edn", [
      "{:process 0, :type :ok, :f :txn, :value [[:append :x 1] [:append :y 2]]}",
      "{:process 1, :type :ok, :f :txn, :value [[:append :x 2] [:append :y 1]]}",
      "{:process 2, :type :ok, :f :txn, :value [[:r :x [1 2]] [:r :y [1 2]]]}",
    ]);
    const g1c = edn("g1c.edn", [
      "{:process 0, :type :ok, :f :txn, :value [[:append :x 1] [:r :y [1]]]}",
      "{:process 1, :type :ok, :f :txn, :value [[:append :y 1] [:r :x [1]]]}",
    ]);
    expect(
      (await checkHistoryFile(g0, { model: "list-append" })).verdicts[0]?.stats?.anomalyTypes,
    ).toEqual(["G0"]);
    expect(
      (await checkHistoryFile(g1c, { model: "list-append" })).verdicts[0]?.stats?.anomalyTypes,
    ).toEqual(["G1c"]);
  });

  it("names aborted and intermediate reads in rw-register histories, and passes a serial one", async () => {
    const aborted = edn("g1a.edn", [
      "{:process 0, :type :invoke, :f :txn, :value [[:w :x 1]]}",
      "{:process 0, :type :fail, :f :txn, :value [[:w :x 1]]}",
      "{:process 1, :type :invoke, :f :txn, :value [[:r :x nil] [:w :y 3] [:w :y 4]]}",
      "{:process 1, :type :ok, :f :txn, :value [[:r :x 1] [:w :y 3] [:w :y 4]]}",
      "{:process 2, :type :invoke, :f :txn, :value [[:r :y nil]]}",
      "{:process 2, :type :ok, :f :txn, :value [[:r :y 3]]}",
    ]);
    expect(
      (await checkHistoryFile(aborted, { model: "rw-register" })).verdicts[0]?.stats?.anomalyTypes,
    ).toEqual(["G1a", "G1b"]);
    const serial = edn("serial.edn", [
      "{:process 0, :type :invoke, :f :txn, :value [[:r :x nil] [:w :x 1]]}",
      "{:process 0, :type :ok, :f :txn, :value [[:r :x nil] [:w :x 1]]}",
      "{:process 1, :type :invoke, :f :txn, :value [[:r :x nil] [:w :x 2]]}",
      "{:process 1, :type :ok, :f :txn, :value [[:r :x 1] [:w :x 2]]}",
    ]);
    expect((await checkHistoryFile(serial, { model: "rw-register" })).valid).toBe(true);
  });

  it("names a transaction that does not see its own append internal", async () => {
    const path = edn("internal.edn", [
      "{:process 0, :type :ok, :f :txn, :value [[:append :x 1] [:r :x [1]]]}",
      "{:process 1, :type :ok, :f :txn, :value [[:append :x 2] [:r :x [1]]]}",
    ]);
    const check = await checkHistoryFile(path, { model: "list-append" });
    expect(check.verdicts[0]?.stats?.anomalyTypes).toContain("internal");
    expect(check.verdicts[0]?.anomalies.find((a) => a.kind === "internal")?.message).toContain(
      "read x = [1] after its own writes",
    );
  });

  it("refuses micro-operations it cannot read, naming the line", async () => {
    const bad = edn("bad.edn", ["{:process 0, :type :ok, :f :txn, :value [[:incr :x 1]]}"]);
    await expect(checkHistoryFile(bad, { model: "list-append" })).rejects.toThrow(
      /bad\.edn:1: unknown micro-operation ":incr"/,
    );
  });
});
