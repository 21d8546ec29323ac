import { describe, expect, it } from "vitest";
import { casRegisterModel, UNKNOWN } from "../../../src/checkers/linearizability/model.js";
import type { RegisterLinOp } from "../../../src/checkers/zookeeper/register-history.js";
import {
  checkRegisterLinearizability,
  type KeyedRegisterModel,
} from "../../../src/checkers/zookeeper/register-linearizability.js";
import { witnessRegister, zxidOrder } from "../../../src/checkers/zookeeper/zxid-witness.js";

const model = casRegisterModel as KeyedRegisterModel;
const INF = Number.POSITIVE_INFINITY;

const write = (
  id: number,
  call: number,
  ret: number,
  value: number,
  zxid?: number,
): RegisterLinOp => ({
  id,
  process: id,
  call,
  ret,
  input: { f: "write", value, key: 0 },
  output: ret === INF ? UNKNOWN : undefined,
  ...(zxid !== undefined ? { zxid } : {}),
});
const read = (
  id: number,
  call: number,
  ret: number,
  value: number | null,
  zxid: number,
): RegisterLinOp => ({
  id,
  process: id,
  call,
  ret,
  input: { f: "read", key: 0 },
  output: value,
  zxid,
});
const failedCas = (
  id: number,
  call: number,
  ret: number,
  from: number,
  to: number,
): RegisterLinOp => ({
  id,
  process: id,
  call,
  ret,
  input: { f: "cas", from, to, key: 0 },
  output: false,
});

describe("the zxid witness: ZooKeeper's order of writes as a candidate linearization", () => {
  it("settles a valid register without a search: reads after the write they saw, an unknown write at the zxid a read revealed, a failed cas where the value differed", () => {
    const ops = [
      write(1, 0, 10, 1, 101),
      read(2, 12, 20, 1, 101),
      write(3, 15, 30, 2, 102),
      read(4, 31, 40, 2, 102),
      failedCas(5, 5, 35, 7, 8),
      write(6, 41, INF, 3),
      read(7, 50, 60, 3, 103),
      // An unknown write nobody saw: it may never have happened.
      write(8, 45, INF, 4),
    ];
    const candidate = zxidOrder(ops);
    expect("order" in candidate && candidate.order.map((op) => op.id)).toEqual([
      5, 1, 2, 3, 4, 6, 7,
    ]);
    expect(witnessRegister(ops, model)).toEqual({ valid: true });
    const verdict = checkRegisterLinearizability(model, ops, 1000);
    expect(verdict.valid).toBe(true);
    expect(verdict.stats).toMatchObject({ witnessedRegisters: 1, searchedOperations: 0 });
  });

  it("a failed cas while the value still equalled `from` is explained by an unknown write nobody saw, put just before the next write", () => {
    const ops = [
      write(1, 0, 10, 1, 101),
      // Changed the version, then was overwritten before anyone read it.
      write(2, 12, INF, 9),
      failedCas(3, 20, 30, 1, 5),
      write(4, 40, 50, 2, 102),
      read(5, 60, 70, 2, 102),
    ];
    const candidate = zxidOrder(ops);
    expect("order" in candidate && candidate.order.map((op) => op.id)).toEqual([1, 2, 3, 4, 5]);
    expect(checkRegisterLinearizability(model, ops, 1000).stats).toMatchObject({
      witnessedRegisters: 1,
      searchedOperations: 0,
    });
  });

  it("an unknown write nobody read, but a cas succeeded from, goes just before that cas (a GC-paused leader's in-flight write)", () => {
    const ops = [
      write(1, 0, 10, 1, 101),
      // Its client gave up (the leader paused); the next epoch's first commit proves it happened.
      write(2, 12, INF, 9),
      {
        id: 3,
        process: 3,
        call: 40,
        ret: 50,
        input: { f: "cas", from: 9, to: 5, key: 0 },
        output: true,
        zxid: 2 ** 32 + 1,
      } satisfies RegisterLinOp,
      read(4, 60, 70, 5, 2 ** 32 + 1),
    ];
    const candidate = zxidOrder(ops);
    expect("order" in candidate && candidate.order.map((op) => op.id)).toEqual([1, 2, 3, 4]);
    expect(checkRegisterLinearizability(model, ops, 1000).stats).toMatchObject({
      witnessedRegisters: 1,
      searchedOperations: 0,
    });
  });

  it("a witness that breaks real time falls back to the search, which still finds the history linearizable", () => {
    // ZooKeeper's zxids put the later write first: no order of zxids holds, another order does.
    const ops = [write(1, 0, 10, 1, 102), write(2, 20, 30, 2, 101)];
    expect(witnessRegister(ops, model)).toMatchObject({ valid: false });
    const verdict = checkRegisterLinearizability(model, ops, 1000);
    expect(verdict.valid).toBe(true);
    expect(verdict.stats).toMatchObject({
      witnessedRegisters: 0,
      searchedRegisters: 1,
      searchedOperations: 2,
    });
  });

  it("an operation completed without a zxid leaves the witness to the search", () => {
    const ops = [write(1, 0, 10, 1), read(2, 20, 30, 1, 101)];
    expect(zxidOrder(ops)).toEqual({ reason: "operation 1 completed without a zxid" });
    expect(checkRegisterLinearizability(model, ops, 1000).valid).toBe(true);
  });

  it("an invalid history is still found invalid, with its proof", () => {
    const ops = [write(1, 0, 10, 1, 101), write(2, 20, 30, 2, 102), read(3, 40, 50, 1, 101)];
    const verdict = checkRegisterLinearizability(model, ops, 1000);
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalies[0]?.kind).toBe("not-linearizable");
    expect(verdict.anomalies[0]?.events).toContain(3);
  });
});
