import { BadInputError } from "../../errors.js";
import { type ImportedEvent, type OpMapping, pairOperations } from "../../history/imported-ops.js";
import {
  type CasInput,
  type CasOutput,
  casRegisterModel,
  type KvInput,
  type KvOutput,
  type KvState,
  kvModel,
  type LinOp,
  type Model,
  type MutexInput,
  mutexModel,
  partitionByKey,
  type RegisterInput,
  type RegisterOutput,
  type RegisterValue,
  registerModel,
  UNKNOWN,
} from "./model.js";

/** The general checker's models, by name (the CLI takes its choices from here). */
export const GENERAL_MODELS = ["register", "cas-register", "kv", "mutex"] as const;

/** A general model's name. */
export type GeneralModelName = (typeof GENERAL_MODELS)[number];

/**
 * What an imported history's words mean. Jepsen and Knossos: a `:fail` did
 * not happen and constrains nothing. Porcupine's etcd data: a failed cas is
 * a compare that failed (the value was not `from`).
 */
export interface ImportSemantics {
  readonly failedCas: "did-not-happen" | "compare-failed";
  /** Read numeric strings as numbers ("6" as 6): off unless asked, for Knossos compares values as written. */
  readonly coerceNumbers?: boolean;
}

/** Jepsen's and Knossos's meaning of a history's words. */
export const JEPSEN_SEMANTICS: ImportSemantics = { failedCas: "did-not-happen" };
/** Porcupine's etcd model: a failed cas means its compare failed. */
export const PORCUPINE_ETCD_SEMANTICS: ImportSemantics = { failedCas: "compare-failed" };

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A value as written (6 and "6" differ); composite values by their EDN-ish JSON. */
function asWritten(value: unknown, semantics: ImportSemantics): RegisterValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "string")
    return semantics.coerceNumbers && NUMERIC.test(value) ? Number(value) : value;
  return `#edn ${JSON.stringify(value)}`;
}

/** Maps an operation's outcome: info is unknown, a failed or unknown read constrains nothing. */
function outcome<O>(
  invoke: ImportedEvent,
  completion: ImportedEvent | undefined,
  ok: (done: ImportedEvent) => O,
  failed: () => O | "drop",
): O | typeof UNKNOWN | "drop" {
  if (completion === undefined || completion.type === "info")
    return invoke.f === "read" || invoke.f === "get" ? "drop" : UNKNOWN;
  if (completion.type === "fail")
    return invoke.f === "read" || invoke.f === "get" ? "drop" : failed();
  return ok(completion);
}

function casMapping(semantics: ImportSemantics): OpMapping<CasInput, CasOutput> {
  return {
    input(invoke) {
      if (invoke.f === "read") return { f: "read" };
      if (invoke.f === "write") return { f: "write", value: asWritten(invoke.value, semantics) };
      if (invoke.f === "cas") {
        const [from, to] = Array.isArray(invoke.value) ? invoke.value : [];
        return { f: "cas", from: asWritten(from, semantics), to: asWritten(to, semantics) };
      }
      throw new BadInputError(
        `line ${invoke.line}: the cas-register model has no operation :${invoke.f} (read, write, cas)`,
      );
    },
    output(invoke, completion) {
      return outcome<CasOutput>(
        invoke,
        completion,
        (done) =>
          invoke.f === "read"
            ? asWritten(done.value, semantics)
            : invoke.f === "cas"
              ? true
              : undefined,
        // A failed write never happened; a failed cas did not either, or failed its compare.
        () => (invoke.f === "cas" && semantics.failedCas === "compare-failed" ? false : "drop"),
      );
    },
  };
}

function registerMapping(semantics: ImportSemantics): OpMapping<RegisterInput, RegisterOutput> {
  return {
    input(invoke) {
      if (invoke.f === "read") return { f: "read" };
      if (invoke.f === "write") return { f: "write", value: asWritten(invoke.value, semantics) };
      throw new BadInputError(
        `line ${invoke.line}: the register model has no operation :${invoke.f} (read, write)`,
      );
    },
    output(invoke, completion) {
      return outcome<RegisterOutput>(
        invoke,
        completion,
        (done) => (invoke.f === "read" ? asWritten(done.value, semantics) : undefined),
        () => "drop",
      );
    },
  };
}

const kvMapping: OpMapping<KvInput, KvOutput> = {
  input(invoke) {
    if (invoke.f !== "get" && invoke.f !== "put" && invoke.f !== "append") {
      throw new BadInputError(
        `line ${invoke.line}: the kv model has no operation :${invoke.f} (get, put, append)`,
      );
    }
    return {
      f: invoke.f,
      key: String(invoke.key ?? ""),
      ...(invoke.f === "get" ? {} : { value: String(invoke.value ?? "") }),
    };
  },
  output(invoke, completion) {
    return outcome<KvOutput>(
      invoke,
      completion,
      (done) => (invoke.f === "get" ? String(done.value ?? "") : undefined),
      () => "drop",
    );
  },
};

const mutexMapping: OpMapping<MutexInput, undefined> = {
  input(invoke) {
    if (invoke.f !== "acquire" && invoke.f !== "release") {
      throw new BadInputError(
        `line ${invoke.line}: the mutex model has no operation :${invoke.f} (acquire, release)`,
      );
    }
    return { f: invoke.f };
  },
  output(invoke, completion) {
    return outcome<undefined>(
      invoke,
      completion,
      () => undefined,
      () => "drop",
    );
  },
};

/** A model with the operations of an imported history, ready for checkLinearizable. */
export type ModelAndOps =
  | {
      readonly model: Model<RegisterValue, CasInput, CasOutput>;
      readonly ops: LinOp<CasInput, CasOutput>[];
    }
  | {
      readonly model: Model<RegisterValue, RegisterInput, RegisterOutput>;
      readonly ops: LinOp<RegisterInput, RegisterOutput>[];
    }
  | { readonly model: Model<KvState, KvInput, KvOutput>; readonly ops: LinOp<KvInput, KvOutput>[] }
  | {
      readonly model: Model<boolean, MutexInput, undefined>;
      readonly ops: LinOp<MutexInput, undefined>[];
    };

const keyedCasRegister: Model<RegisterValue, CasInput, CasOutput> = {
  ...casRegisterModel,
  partition: (ops) => partitionByKey<CasInput & { key?: unknown }, CasOutput>(ops),
};
const keyedRegister: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  ...registerModel,
  partition: (ops) => partitionByKey<RegisterInput & { key?: unknown }, RegisterOutput>(ops),
};

/** A mapping whose inputs also carry the operation's :key (when it has one), for partitioning. */
function withKey<I, O>(mapping: OpMapping<I, O>): OpMapping<I, O> {
  return {
    input(invoke, completion) {
      const input = mapping.input(invoke, completion);
      return input === undefined || invoke.key === undefined
        ? input
        : { ...input, key: invoke.key };
    },
    output: (invoke, completion) => mapping.output(invoke, completion),
  };
}

/** Turns imported events into a model's operations, read with their source's semantics. */
export function importedOperations(
  name: GeneralModelName,
  events: readonly ImportedEvent[],
  source: string,
  semantics: ImportSemantics = JEPSEN_SEMANTICS,
): ModelAndOps {
  // Independent keys (Jepsen's :key, zk-chaos's registers): one register per key, checked apart.
  const keyed = events.some((event) => event.key !== undefined);
  switch (name) {
    case "cas-register":
      return {
        model: keyed ? keyedCasRegister : casRegisterModel,
        ops: pairOperations(events, withKey(casMapping(semantics)), source),
      };
    case "register":
      return {
        model: keyed ? keyedRegister : registerModel,
        ops: pairOperations(events, withKey(registerMapping(semantics)), source),
      };
    case "kv":
      return { model: kvModel, ops: pairOperations(events, kvMapping, source) };
    case "mutex":
      return { model: mutexModel, ops: pairOperations(events, mutexMapping, source) };
  }
}
