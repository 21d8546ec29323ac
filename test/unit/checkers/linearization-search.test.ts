import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CasInput,
  type CasOutput,
  casRegisterModel,
  type LinOp,
  type RegisterValue,
  UNKNOWN,
} from "../../../src/checkers/linearizability/model.js";
import {
  LinearizedBits,
  LinearizedHoles,
  SET_CODES,
  type SetCodeName,
  searchLinearization,
} from "../../../src/checkers/linearizability/wing-gong.js";

type Op = LinOp<CasInput, CasOutput>;

/** The state after `order` from the start, or undefined when some step cannot happen. */
function replay(order: readonly Op[]): RegisterValue | undefined {
  let state: RegisterValue | undefined = casRegisterModel.init();
  for (const op of order) {
    if (state === undefined) return undefined;
    state = casRegisterModel.step(state, op.input, op.output);
  }
  return state;
}

/** Whether some order of all operations respects real time and the model: every order is tried. */
function bruteForce(ops: readonly Op[]): boolean {
  const placed: Op[] = [];
  const used = new Set<number>();
  const extend = (): boolean => {
    if (placed.length === ops.length) return true;
    for (const op of ops) {
      if (used.has(op.id)) continue;
      // An operation that returned before this one was called must come first.
      if (ops.some((other) => !used.has(other.id) && other.id !== op.id && other.ret < op.call))
        continue;
      placed.push(op);
      used.add(op.id);
      if (replay(placed) !== undefined && extend()) return true;
      placed.pop();
      used.delete(op.id);
    }
    return false;
  };
  return extend();
}

const VALUE = fc.integer({ min: 0, max: 2 });
const OP = fc.record({
  call: fc.integer({ min: 0, max: 20 }),
  length: fc.integer({ min: 1, max: 8 }),
  unknown: fc.boolean(),
  input: fc.oneof(
    fc.constant<CasInput>({ f: "read" }),
    VALUE.map<CasInput>((value) => ({ f: "write", value })),
    fc.tuple(VALUE, VALUE).map<CasInput>(([from, to]) => ({ f: "cas", from, to })),
  ),
  read: fc.option(VALUE, { nil: null }),
  swapped: fc.boolean(),
});
const HISTORY = fc.array(OP, { minLength: 1, maxLength: 7 }).map((drawn) =>
  drawn.map(
    (op, id): Op => ({
      id,
      process: id,
      call: op.call,
      ret: op.unknown && op.input.f !== "read" ? Number.POSITIVE_INFINITY : op.call + op.length,
      input: op.input,
      output:
        op.unknown && op.input.f !== "read"
          ? UNKNOWN
          : op.input.f === "read"
            ? op.read
            : op.input.f === "cas"
              ? op.swapped
              : undefined,
    }),
  ),
);

describe("the search's linearized set", () => {
  it("keeps its max and the ranks below it that are missing (or a bit per rank), through adds and LIFO removals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), { maxLength: 60 }),
        (moves) => {
          const set = new LinearizedHoles();
          const bits = new LinearizedBits(41);
          const members: number[] = [];
          for (const move of moves) {
            if (move < 0 || members.includes(move)) {
              if (members.length === 0) continue;
              const last = members.pop() as number;
              set.removeLast();
              bits.removeLast(last);
            } else {
              set.add(move);
              bits.add(move);
              members.push(move);
            }
            const max = Math.max(-1, ...members);
            for (let rank = 0; rank <= 40; rank++)
              expect(((bits.code[rank >>> 5] as number) >>> (rank & 31)) & 1).toBe(
                members.includes(rank) ? 1 : 0,
              );
            expect(set.max).toBe(max);
            expect(set.holes).toEqual(
              Array.from({ length: max + 1 }, (_, rank) => rank).filter(
                (rank) => !members.includes(rank),
              ),
            );
          }
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe("the linearization search", () => {
  it.each(Object.keys(SET_CODES) as SetCodeName[])(
    "agrees with trying every order, on small cas-register histories with unknown outcomes (sets kept as %s)",
    (setCode) => {
      fc.assert(
        fc.property(HISTORY, (ops) => {
          const result = searchLinearization(
            casRegisterModel,
            ops,
            Number.POSITIVE_INFINITY,
            setCode,
          );
          expect(result.valid).toBe(bruteForce(ops));
          const byId = new Map(ops.map((op) => [op.id, op]));
          const prefix = result.longestPrefix.map((id) => byId.get(id) as Op);
          // Its prefix is a sequence the model accepts; when valid, an order of every operation.
          expect(replay(prefix)).not.toBe(undefined);
          if (result.valid === true) expect(new Set(result.longestPrefix).size).toBe(ops.length);
          else expect(result.stuck.length).toBe(1);
        }),
        { seed: 20261207, numRuns: 3000 },
      );
    },
  );

  it("finds no linearization of a read of a value nobody wrote, and says which read", () => {
    const ops: Op[] = [
      { id: 1, process: 0, call: 0, ret: 1, input: { f: "write", value: 1 }, output: undefined },
      { id: 2, process: 1, call: 2, ret: 3, input: { f: "read" }, output: 2 },
    ];
    const result = searchLinearization(casRegisterModel, ops, Number.POSITIVE_INFINITY);
    expect(result).toMatchObject({ valid: false, longestPrefix: [1], stuck: [2] });
  });
});
