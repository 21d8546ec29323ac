import { extname } from "node:path";
import { BadInputError } from "../errors.js";
import { recordedSettings } from "../history/event.js";
import type { ImportedEvent } from "../history/imported-ops.js";
import { readJepsenEdn } from "../history/jepsen-edn.js";
import { readPorcupineLog } from "../history/porcupine-log.js";
import { readHistoryFile } from "../history/reader.js";
import {
  type AvailabilitySettings,
  checkAvailability,
  DEFAULT_AVAILABILITY_SETTINGS,
} from "./availability.js";
import { checkLinearizable } from "./linearizability/check-linearizable.js";
import {
  GENERAL_MODELS,
  type GeneralModelName,
  type ImportSemantics,
  importedOperations,
  JEPSEN_SEMANTICS,
  PORCUPINE_ETCD_SEMANTICS,
} from "./linearizability/imported-models.js";
import {
  casRegisterModel,
  type LinOp,
  type Model,
  registerModel,
} from "./linearizability/model.js";
import { checkHistoryTransactions, checkTransactions } from "./transactions/check-transactions.js";
import { TXN_DATATYPES, type TxnDatatype } from "./transactions/dependency-graph.js";
import { elleTransactions } from "./transactions/history-txns.js";
import { combineValidity, type Validity, type Verdict } from "./verdict.js";
import { registerOperations } from "./zookeeper/register-history.js";
import {
  checkRegisterLinearizability,
  type KeyedRegisterModel,
} from "./zookeeper/register-linearizability.js";
import { checkZooKeeperInParallel } from "./zookeeper/zookeeper-checker.js";

/** History file formats `check` reads. */
export const HISTORY_FORMATS = ["jsonl", "jepsen-edn", "porcupine-log", "porcupine-kv"] as const;
/** A history format. */
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** Models `check` knows: ZooKeeper's own guarantees, or a general model. */
export const CHECK_MODELS = ["zookeeper", ...GENERAL_MODELS, ...TXN_DATATYPES] as const;
/** A model name. */
export type CheckModel = (typeof CHECK_MODELS)[number];

/** Options of checkHistoryFile. */
export interface CheckHistoryOptions {
  readonly format?: HistoryFormat;
  readonly model?: CheckModel;
  /** Budget of the general search (ms); its verdict is unknown beyond it. */
  readonly timeoutMs?: number;
  /**
   * Bounds for the availability checker, over the ones the history carries
   * (a run records them) or, when it carries none, DEFAULT_AVAILABILITY_SETTINGS.
   */
  readonly settings?: Partial<AvailabilitySettings>;
  /** Read numeric strings of an imported history as numbers (off: values compare as written). */
  readonly coerceNumbers?: boolean;
}

/**
 * What each imported format's words mean, as its own tools read them: in
 * Jepsen's and Knossos's EDN a `:fail` did not happen; in Porcupine's etcd
 * logs a failed cas failed its compare; Porcupine's kv data has no failures.
 */
export const FORMAT_SEMANTICS: Readonly<
  Record<Exclude<HistoryFormat, "jsonl">, { semantics: ImportSemantics; says: string }>
> = {
  "jepsen-edn": {
    semantics: JEPSEN_SEMANTICS,
    says: "Jepsen/Knossos semantics: a :fail did not happen; :info may have happened",
  },
  "porcupine-log": {
    semantics: PORCUPINE_ETCD_SEMANTICS,
    says: "Porcupine etcd semantics: a failed cas failed its compare; :info may have happened",
  },
  "porcupine-kv": {
    semantics: JEPSEN_SEMANTICS,
    says: "Porcupine kv semantics: invocations and their ok completions",
  },
};

/** What checking a file concluded. */
export interface HistoryCheck {
  readonly file: string;
  readonly format: HistoryFormat;
  readonly model: CheckModel;
  readonly valid: Validity;
  readonly verdicts: readonly Verdict[];
  readonly events: number;
  readonly elapsedMs: number;
  /** How the history was read (its format's semantics, any coercion asked for). */
  readonly notes: readonly string[];
}

/** Guesses a format from the file name. */
export function formatOf(path: string): HistoryFormat {
  const extension = extname(path);
  if (extension === ".jsonl") return "jsonl";
  if (extension === ".log") return "porcupine-log";
  if (extension === ".txt") return "porcupine-kv";
  if (extension === ".edn") return "jepsen-edn";
  throw new BadInputError(
    `${path}: cannot tell the history format from its name: pass --format (${HISTORY_FORMATS.join(", ")})`,
  );
}

const DEFAULT_MODEL: Readonly<Record<HistoryFormat, CheckModel>> = {
  jsonl: "zookeeper",
  "porcupine-log": "cas-register",
  "porcupine-kv": "kv",
  "jepsen-edn": "cas-register",
};

/** Elle's datatype of an EDN history whose every operation is a :txn (list-append if any appends), else undefined. */
function elleDatatypeOf(path: string): TxnDatatype | undefined {
  let events: ImportedEvent[];
  try {
    events = readJepsenEdn(path, { defaultF: "txn", anonymous: true });
  } catch {
    // Not readable this way: the default model's reader names what is wrong.
    return undefined;
  }
  if (events.length === 0 || !events.every((event) => event.f === "txn")) return undefined;
  const appends = events.some(
    (event) =>
      Array.isArray(event.value) &&
      event.value.some((mop) => Array.isArray(mop) && mop[0] === ":append"),
  );
  return appends ? "list-append" : "rw-register";
}

const isTxnDatatype = (model: CheckModel): model is TxnDatatype =>
  (TXN_DATATYPES as readonly string[]).includes(model);

/**
 * The verdict on a history without a client operation: valid, as Knossos and
 * Porcupine rule (no operation can be out of order), with a note saying that
 * nothing was checked.
 */
function nothingToCheck(
  path: string,
  format: HistoryFormat,
  model: CheckModel,
  events: number,
  started: number,
  notes: string[],
): HistoryCheck {
  return {
    file: path,
    format,
    model,
    valid: true,
    verdicts: [],
    events,
    elapsedMs: performance.now() - started,
    notes: [
      ...notes,
      "no client operation in this history: valid, as Knossos and Porcupine rule an empty history; nothing was checked",
    ],
  };
}

/** Reads a history in any supported format and checks it. */
export async function checkHistoryFile(
  path: string,
  options: CheckHistoryOptions = {},
): Promise<HistoryCheck> {
  const started = performance.now();
  const format = options.format ?? formatOf(path);
  const notes: string[] = [];
  const chosen = options.model ?? (format === "jepsen-edn" ? elleDatatypeOf(path) : undefined);
  if (options.model === undefined && chosen !== undefined)
    notes.push(`model ${chosen}: every operation is a :txn (choose another with --model)`);
  const model = chosen ?? DEFAULT_MODEL[format];
  const timeoutMs = options.timeoutMs ?? 60_000;
  let verdicts: Verdict[];
  let count: number;
  if (format === "jsonl") {
    const events = await readHistoryFile(path);
    count = events.length;
    if (!events.some((event) => typeof event.process === "number"))
      return nothingToCheck(path, format, model, count, started, notes);
    if (model === "zookeeper") {
      const settings: AvailabilitySettings = {
        ...(recordedSettings(events) ?? DEFAULT_AVAILABILITY_SETTINGS),
        ...options.settings,
      };
      // Not awaited yet: its checks on this thread are done when it returns, and the general
      // search goes on in a worker while the transactions and availability are judged here.
      const zooKeeper = checkZooKeeperInParallel(events, {
        sessionTimeoutMs: settings.sessionTimeoutMs,
        timeoutMs,
      });
      const transactions = checkHistoryTransactions(events, { budgetMs: timeoutMs });
      const availability = checkAvailability(events, settings);
      verdicts = [...(await zooKeeper), ...transactions, availability];
    } else if (model === "register" || model === "cas-register") {
      const chosen = (
        model === "register" ? registerModel : casRegisterModel
      ) as KeyedRegisterModel;
      verdicts = [checkRegisterLinearizability(chosen, registerOperations(events), timeoutMs)];
    } else {
      throw new BadInputError(
        `${path}: zk-chaos histories are checked with --model zookeeper, register or cas-register, not ${model}`,
      );
    }
  } else if (isTxnDatatype(model)) {
    if (format !== "jepsen-edn")
      throw new BadInputError(
        `${path}: --model ${model} reads Elle's transactions from a Jepsen EDN history (.edn), not ${format}`,
      );
    const imported = readJepsenEdn(path, { defaultF: "txn", anonymous: true });
    count = imported.length;
    if (count === 0) return nothingToCheck(path, format, model, count, started, notes);
    const txns = elleTransactions(imported, path);
    notes.push(
      `Elle's ${model} semantics: a :fail did not happen, an :info may have; real time is line order`,
    );
    verdicts = [checkTransactions(txns, { datatype: model, budgetMs: timeoutMs })];
  } else {
    if (model === "zookeeper") {
      throw new BadInputError(
        `${path}: --model zookeeper needs a zk-chaos history (.jsonl); for ${format} choose one of ${GENERAL_MODELS.join(", ")}`,
      );
    }
    const events = format === "porcupine-log" ? readPorcupineLog(path) : readJepsenEdn(path);
    count = events.length;
    if (count === 0) return nothingToCheck(path, format, model, count, started, notes);
    const { semantics, says } = FORMAT_SEMANTICS[format];
    notes.push(says);
    if (options.coerceNumbers)
      notes.push(
        'values coerced: numeric strings were read as numbers ("6" as 6), --coerce-numbers',
      );
    const { model: chosen, ops } = importedOperations(model as GeneralModelName, events, path, {
      ...semantics,
      ...(options.coerceNumbers ? { coerceNumbers: true } : {}),
    });
    verdicts = [
      checkLinearizable(
        chosen as Model<unknown, unknown, unknown>,
        ops as LinOp<unknown, unknown>[],
        { timeoutMs },
      ),
    ];
  }
  return {
    file: path,
    format,
    model,
    valid: combineValidity(verdicts.map((verdict) => verdict.valid)),
    verdicts,
    events: count,
    elapsedMs: performance.now() - started,
    notes,
  };
}
