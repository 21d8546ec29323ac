import { BadInputError } from "../../errors.js";
import { type ImportedEvent, type OpMapping, pairOperations } from "../../history/imported-ops.js";
import {
  type CasInput,
  type CasOutput,
  casRegisterModel,
  type KvInput,
  type KvOutput,
  kvModel,
  type LinOp,
  type Model,
  type MutexInput,
  mutexModel,
  type RegisterInput,
  type RegisterOutput,
  registerModel,
  UNKNOWN,
} from "./model.js";

/** The general checker's models, by name (the CLI takes its choices from here). */
export const GENERAL_MODELS = ["register", "cas-register", "kv", "mutex"] as const;

/** A general model's name. */
export type GeneralModelName = (typeof GENERAL_MODELS)[number];

const intOrNull = (value: unknown): number | null =>
  typeof value === "number" ? value : value === null || value === undefined ? null : Number(value);

/** Maps an operation's outcome the Jepsen way: info is unknown, a failed read constrains nothing. */
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

const casMapping: OpMapping<CasInput, CasOutput> = {
  input(invoke) {
    if (invoke.f === "read") return { f: "read" };
    if (invoke.f === "write") return { f: "write", value: intOrNull(invoke.value) };
    if (invoke.f === "cas") {
      const [from, to] = Array.isArray(invoke.value) ? invoke.value : [];
      return { f: "cas", from: intOrNull(from), to: intOrNull(to) };
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
        invoke.f === "read" ? intOrNull(done.value) : invoke.f === "cas" ? true : undefined,
      // A failed cas: its compare failed. A failed write did not happen.
      () => (invoke.f === "cas" ? false : "drop"),
    );
  },
};

const registerMapping: OpMapping<RegisterInput, RegisterOutput> = {
  input(invoke) {
    if (invoke.f === "read") return { f: "read" };
    if (invoke.f === "write") return { f: "write", value: intOrNull(invoke.value) };
    throw new BadInputError(
      `line ${invoke.line}: the register model has no operation :${invoke.f} (read, write)`,
    );
  },
  output(invoke, completion) {
    return outcome<RegisterOutput>(
      invoke,
      completion,
      (done) => (invoke.f === "read" ? intOrNull(done.value) : undefined),
      () => "drop",
    );
  },
};

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
      readonly model: Model<number | null, CasInput, CasOutput>;
      readonly ops: LinOp<CasInput, CasOutput>[];
    }
  | {
      readonly model: Model<number | null, RegisterInput, RegisterOutput>;
      readonly ops: LinOp<RegisterInput, RegisterOutput>[];
    }
  | { readonly model: Model<string, KvInput, KvOutput>; readonly ops: LinOp<KvInput, KvOutput>[] }
  | {
      readonly model: Model<boolean, MutexInput, undefined>;
      readonly ops: LinOp<MutexInput, undefined>[];
    };

/** Turns imported events into a model's operations. */
export function importedOperations(
  name: GeneralModelName,
  events: readonly ImportedEvent[],
  source: string,
): ModelAndOps {
  switch (name) {
    case "cas-register":
      return { model: casRegisterModel, ops: pairOperations(events, casMapping, source) };
    case "register":
      return { model: registerModel, ops: pairOperations(events, registerMapping, source) };
    case "kv":
      return { model: kvModel, ops: pairOperations(events, kvMapping, source) };
    case "mutex":
      return { model: mutexModel, ops: pairOperations(events, mutexMapping, source) };
  }
}
