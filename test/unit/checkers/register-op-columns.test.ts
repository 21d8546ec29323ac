import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../../src/checkers/linearizability/model.js";
import { pairOps } from "../../../src/checkers/zookeeper/operations.js";
import type { RegisterLinOp } from "../../../src/checkers/zookeeper/register-history.js";
import { registerOperations } from "../../../src/checkers/zookeeper/register-history.js";
import { registerObservations } from "../../../src/checkers/zookeeper/register-observations.js";
import {
  decodeRegisterOps,
  encodeRegisterOps,
  registerListsOf,
  registerOpColumns,
} from "../../../src/checkers/zookeeper/register-op-columns.js";
import type { HistoryEvent } from "../../../src/history/event.js";

/** Every shape registerOperations makes: reads of a value and of nothing, writes known and not, cas of each outcome. */
const OPS: RegisterLinOp[] = [
  {
    id: 0,
    process: 3,
    call: 10,
    ret: 20,
    input: { f: "write", value: 7, key: 1 },
    output: undefined,
    zxid: 4294967298,
  },
  {
    id: 2,
    process: 4,
    call: 11,
    ret: Number.POSITIVE_INFINITY,
    input: { f: "write", value: 8, key: 1 },
    output: UNKNOWN,
    zxid: undefined,
  },
  {
    id: 5,
    process: 5,
    call: 21,
    ret: 30,
    input: { f: "read", key: 1 },
    output: 7,
    zxid: 4294967298,
  },
  {
    id: 6,
    process: 5,
    call: 31,
    ret: 32,
    input: { f: "read", key: 2 },
    output: null,
    zxid: 4294967297,
  },
  {
    id: 9,
    process: 3,
    call: 33,
    ret: 40,
    input: { f: "cas", from: null, to: 12, key: 2 },
    output: true,
    zxid: 4294967300,
  },
  {
    id: 11,
    process: 4,
    call: 34,
    ret: 41,
    input: { f: "cas", from: 7, to: 13, key: 1 },
    output: false,
    zxid: undefined,
  },
  {
    id: 12,
    process: 6,
    call: 35,
    ret: Number.POSITIVE_INFINITY,
    input: { f: "cas", from: 12, to: 0, key: 2 },
    output: UNKNOWN,
    zxid: undefined,
  },
];

/** A completion's stat. */
const stat = (mzxid: string, version: number) => ({ czxid: "4294967297", mzxid, version });
/** Paired-up register events of each kind: a write, a failed cas, synced and unsynced reads, an unknown write. */
const EVENTS = (
  [
    [0, 1, "invoke", "write", { key: 1, value: 10 }],
    [1, 2, "invoke", "cas", { key: 2, value: [null, 20] }],
    [2, 1, "ok", "write", { key: 1, value: 10 }, stat("4294967298", 1)],
    [3, 2, "fail", "cas", { key: 2, value: [null, 20] }],
    [4, 3, "invoke", "read", { key: 1, synced: true }],
    [5, 3, "ok", "read", { key: 1, value: 10 }, stat("4294967298", 1)],
    [6, 1, "invoke", "write", { key: 2, value: 11 }],
    [7, 4, "invoke", "read", { key: 1 }],
    [8, 4, "ok", "read", { key: 1, value: 10 }, stat("4294967298", 1)],
    [9, 1, "info", "write", { key: 2, value: 11 }],
  ] as const
).map(([index, process, type, f, value, st]) => ({
  index,
  time: index * 10,
  process,
  type,
  f,
  value,
  ...(st ? { stat: st } : {}),
})) as unknown as HistoryEvent[];

describe("register operations as columns (the worker thread's input)", () => {
  it("decode gives back every operation as it was encoded: values, null, unknown outcomes, infinite returns, missing zxids", () => {
    const columns = encodeRegisterOps(OPS);
    expect(columns?.count).toBe(OPS.length);
    expect(decodeRegisterOps(columns as NonNullable<typeof columns>)).toEqual(OPS);
    expect(encodeRegisterOps([])).toEqual({
      count: 0,
      numbers: new Float64Array(0),
      codes: new Uint8Array(0),
    });
  });

  it("columns made straight from paired events hold registerOperations' list; the worker gets it back register by register", () => {
    const paired = pairOps(EVENTS);
    const listed = registerOperations(EVENTS, false, paired);
    // The write, the failed cas, the synced read and the unknown write; not the unsynced read.
    expect(listed.map((op) => op.id)).toEqual([0, 1, 4, 6]);
    const columns = registerOpColumns(paired) as NonNullable<ReturnType<typeof registerOpColumns>>;
    expect(decodeRegisterOps(columns)).toEqual(listed);
    expect([...registerListsOf(columns)].map((list) => list.map((op) => op.id))).toEqual([
      [0, 4],
      [1, 6],
    ]);
  });

  it("declines what numbers cannot carry (a string value, a named process): such a history is checked on the caller's thread", () => {
    const text = {
      ...OPS[0],
      input: { f: "write", value: "7", key: 1 },
    } as unknown as RegisterLinOp;
    expect(encodeRegisterOps([text])).toBeUndefined();
    const read = { ...OPS[2], output: "7" } as unknown as RegisterLinOp;
    expect(encodeRegisterOps([read])).toBeUndefined();
    expect(
      encodeRegisterOps([{ ...(OPS[0] as RegisterLinOp), process: "nemesis" }]),
    ).toBeUndefined();
  });

  it("the one pass of the register checks writes the same columns, and reads each observation's fields", () => {
    const paired = pairOps(EVENTS);
    const { observations, writes, columns } = registerObservations(paired, { columns: true });
    expect(columns).toEqual(registerOpColumns(paired));
    // The acknowledged write first, then both reads; the failed cas and the unknown write saw nothing.
    expect(observations.count).toBe(3);
    expect(observations.writes).toBe(1);
    expect([...observations.key]).toEqual([1, 1, 1]);
    expect([...observations.value]).toEqual([10, 10, 10]);
    expect(observations.mzxid).toEqual([4294967298, 4294967298, 4294967298]);
    expect([...observations.synced]).toEqual([0, 1, 0]);
    expect(observations.sessionNames).toEqual(["1", "3", "4"]);
    expect(writes.possible).toEqual(
      new Map([
        [1, 1],
        [2, 1],
      ]),
    );
    expect(writes.indeterminate).toEqual([{ key: 2, value: 11 }]);
    expect(registerObservations(paired).columns).toBeUndefined();
  });

  it("pairs in invocation order whatever order the events came in", () => {
    const reversed = [...EVENTS].reverse();
    expect(pairOps(reversed).map((op) => op.invoke.index)).toEqual(
      pairOps(EVENTS).map((op) => op.invoke.index),
    );
  });
});
