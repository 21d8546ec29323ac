/** Sequential models for the general linearizability checker: small pure typed functions. */

import { type LinOp, UNKNOWN } from "../../history/operation.js";

export { type LinOp, UNKNOWN };

/**
 * A model: the initial state, and a step that says whether an operation with
 * that input and output may happen in a state (undefined: it may not) and the
 * state after it. `key` names a state for the search's cache.
 * Absent register values are keyed as -Infinity.
 */
export interface Model<S, I, O> {
  readonly name: string;
  init(): S;
  step(state: S, input: I, output: O | typeof UNKNOWN): S | undefined;
  /** A value equal for equal states (numbers are cheapest). */
  key(state: S): string | number;
  /** A hash equal for equal keys, when the model keeps one cheaper than hashing its key (long strings). */
  hash?(state: S): number;
  /** Independent sub-histories (P-compositionality), e.g. one per key. */
  partition?(ops: readonly LinOp<I, O>[]): LinOp<I, O>[][];
  /** Describes an operation for explanations. */
  describe(input: I, output: O | typeof UNKNOWN): string;
}

/**
 * A register's value as the history wrote it (null = absent): 6 and "6" are
 * different values, as in Knossos.
 */
export type RegisterValue = number | string | boolean | null;

/** Register operations. */
export type RegisterInput =
  | { readonly f: "read" }
  | { readonly f: "write"; readonly value: RegisterValue };
/** A read's value, or nothing for writes. */
export type RegisterOutput = RegisterValue | undefined;

/** A register state's cache key: numbers as themselves, anything else tagged by its type. */
function registerKey(state: RegisterValue): string | number {
  return typeof state === "number" ? state : `${typeof state}:${String(state)}`;
}

const show = (value: unknown) => (value === UNKNOWN ? "?" : JSON.stringify(value ?? null));

/** A read/write register starting absent. */
export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: "register",
  init: () => null,
  step(state, input, output) {
    if (input.f === "write") return input.value;
    return output === UNKNOWN || output === state ? state : undefined;
  },
  key: registerKey,
  describe: (input, output) =>
    input.f === "write" ? `write ${show(input.value)}` : `read -> ${show(output)}`,
};

/** CAS register operations. */
export type CasInput =
  | RegisterInput
  | { readonly f: "cas"; readonly from: RegisterValue; readonly to: RegisterValue };
/** A read's value, a cas's success (true/false), or nothing for writes. */
export type CasOutput = RegisterValue | undefined;

/**
 * A compare-and-set register starting absent. A cas that answered false
 * means its compare failed; importers whose failed cas did not happen leave
 * it out instead.
 */
export const casRegisterModel: Model<RegisterValue, CasInput, CasOutput> = {
  name: "cas-register",
  init: () => null,
  step(state, input, output) {
    if (input.f === "write") return input.value;
    if (input.f === "read") return output === UNKNOWN || output === state ? state : undefined;
    const matches = input.from === state;
    if (output === UNKNOWN) return matches ? input.to : state;
    if (output === true) return matches ? input.to : undefined;
    return matches ? undefined : state;
  },
  key: registerKey,
  describe: (input, output) =>
    input.f === "cas"
      ? `cas ${show(input.from)} -> ${show(input.to)} ${output === UNKNOWN ? "?" : output ? "ok" : "failed"}`
      : input.f === "write"
        ? `write ${show(input.value)}`
        : `read -> ${show(output)}`,
};

/** Key-value operations on string values (append concatenates). */
export type KvInput = {
  readonly f: "get" | "put" | "append";
  readonly key: string;
  readonly value?: string;
};
/** A get's value; nothing for put and append. */
export type KvOutput = string | undefined;

/** A kv value with its polynomial hash, kept up to date as values are appended. */
export interface KvState {
  readonly text: string;
  readonly hash: number;
}

const KV_BASE = 0x01000193;

/** The polynomial hash of a text, and the base to the power of its length (both mod 2^32). */
function polynomial(text: string): { hash: number; power: number } {
  let hash = 0;
  let power = 1;
  for (let i = 0; i < text.length; i++) {
    hash = (Math.imul(hash, KV_BASE) + text.charCodeAt(i)) | 0;
    power = Math.imul(power, KV_BASE);
  }
  return { hash, power };
}

/** A map of keys to strings (absent = ""), checked one key at a time. */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: "kv",
  init: () => ({ text: "", hash: 0 }),
  step(state, input, output) {
    const value = input.value ?? "";
    if (input.f === "put") return { text: value, hash: polynomial(value).hash };
    if (input.f === "append") {
      // H(a + b) = H(a) * BASE^|b| + H(b): the appended value alone is hashed.
      const tail = polynomial(value);
      return {
        text: state.text + value,
        hash: (Math.imul(state.hash, tail.power) + tail.hash) | 0,
      };
    }
    return output === UNKNOWN || output === state.text ? state : undefined;
  },
  key: (state) => state.text,
  hash: (state) => state.hash,
  partition(ops) {
    const byKey = new Map<string, LinOp<KvInput, KvOutput>[]>();
    for (const op of ops) {
      const list = byKey.get(op.input.key) ?? [];
      list.push(op);
      byKey.set(op.input.key, list);
    }
    return [...byKey.values()];
  },
  describe: (input, output) =>
    input.f === "get"
      ? `get ${input.key} -> ${show(output)}`
      : `${input.f} ${input.key} ${show(input.value)}`,
};

/** Mutex operations; an acquire or release that failed is left out of the history. */
export type MutexInput = { readonly f: "acquire" | "release" };

/** A mutex, free at first. */
export const mutexModel: Model<boolean, MutexInput, undefined> = {
  name: "mutex",
  init: () => false,
  step(held, input) {
    if (input.f === "acquire") return held ? undefined : true;
    return held ? false : undefined;
  },
  key: (held) => (held ? 1 : 0),
  describe: (input) => input.f,
};

/** Partitions register-like operations by a key field when present. */
export function partitionByKey<I extends { key?: unknown }, O>(
  ops: readonly LinOp<I, O>[],
): LinOp<I, O>[][] {
  const byKey = new Map<string, LinOp<I, O>[]>();
  for (const op of ops) {
    const key = JSON.stringify(op.input.key ?? null);
    const list = byKey.get(key) ?? [];
    list.push(op);
    byKey.set(key, list);
  }
  return [...byKey.values()];
}
