/**
 * The transactions workload: each operation a ZooKeeper `multi` over a few
 * keys (version check + setData, create, delete; sometimes a key set twice,
 * so an intermediate value exists to be wrongly seen) or a read: one getData
 * with or without a sync, or (3.6+) a multiRead of several keys. Values are
 * unique per write (worker * 1e6 + sequence), so every read names the write
 * it saw; reads record the Stat's mzxid, the zxid of that write. Plans are
 * drawn by fast-check from the seed; what each write does to a key follows
 * what this worker last knew of it.
 */
import fc from "fast-check";
import { type MopFunction, type RecordedMop, TXN_OPERATION } from "../history/txn-record.js";
import { deriveRandom } from "../util/seeded-random.js";
import type { RecordedSession } from "./recorded-session.js";
import {
  type MultiOp,
  type MultiResult,
  ZK_ERRORS,
  ZkOperationError,
  type ZkSession,
  type ZkStat,
} from "./zk-session.js";

/** What a write plan asks of one key; the worker turns it into ops from what it knows of the key. */
type Intent = "check-set" | "set" | "delete" | "twice";

/** One drawn operation of the transactions workload. */
export type TxnPlan =
  | {
      readonly kind: "write";
      readonly keys: readonly number[];
      readonly intents: readonly Intent[];
    }
  | { readonly kind: "read"; readonly key: number; readonly synced: boolean }
  | { readonly kind: "multi-read"; readonly keys: readonly number[]; readonly synced: boolean };

/** Plans per drawn chunk. */
const CHUNK = 200;
/** Key indexes are drawn up to this and taken modulo the key count. */
const KEY_SPACE = 1000;

const keyIndex = fc.nat({ max: KEY_SPACE - 1 });
const intent = fc.constantFrom<Intent>("check-set", "check-set", "set", "set", "delete", "twice");
const PLAN = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("write" as const),
      keys: fc.uniqueArray(keyIndex, { minLength: 1, maxLength: 3 }),
      intents: fc.array(intent, { minLength: 3, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      key: keyIndex,
      synced: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("multi-read" as const),
      keys: fc.uniqueArray(keyIndex, { minLength: 2, maxLength: 4 }),
      synced: fc.boolean(),
    }),
  },
);

/** The k-th chunk of a worker's plans: a pure function of (seed, worker, k). */
export function transactionPlanChunk(
  seed: number | string,
  worker: number,
  chunk: number,
): TxnPlan[] {
  const chunkSeed = Math.floor(deriveRandom(seed, "transactions", worker, chunk)() * 2 ** 31);
  return fc.sample(PLAN, { seed: chunkSeed, numRuns: CHUNK });
}

/** What a worker last knew of a key: absent, or present at a version. */
type Known = { readonly exists: false } | { readonly exists: true; readonly version: number };

/** A value read back: the number written, or null when absent. */
function parsed(data: Buffer): number | null {
  const text = data.toString("utf8");
  return text === "" ? null : Number(text);
}

/** A worker of the transactions workload. */
export class TransactionWorker {
  private sequence = 0;
  private chunk = 0;
  private plans: TxnPlan[] = [];
  private readonly known = new Map<number, Known>();

  constructor(
    readonly worker: number,
    readonly root: string,
    readonly keys: number,
    private readonly session: RecordedSession,
    private readonly seed: number | string,
    /** multiRead exists (3.6+); without it, a multi-key read is one getData of its first key. */
    private readonly multiRead: boolean,
  ) {}

  /** The recorded name of key k. */
  static keyName(key: number): string {
    return `t${key}`;
  }

  private path(key: number): string {
    return `${this.root}/${TransactionWorker.keyName(key)}`;
  }

  /** The next plan, drawing a new chunk when the last is used up. */
  next(): TxnPlan {
    if (this.plans.length === 0)
      this.plans = transactionPlanChunk(this.seed, this.worker, this.chunk++);
    return this.plans.shift() as TxnPlan;
  }

  /** Performs one operation and records it. */
  async step(): Promise<void> {
    const plan = this.next();
    if (plan.kind === "write")
      return this.write(
        plan.keys.map((key) => key % this.keys),
        plan.intents,
      );
    const keys =
      plan.kind === "read" || !this.multiRead
        ? [(plan.kind === "read" ? plan.key : (plan.keys[0] as number)) % this.keys]
        : [...new Set(plan.keys.map((key) => key % this.keys))];
    return this.read(keys, plan.synced);
  }

  /** A multi over the keys: its ops from the intents and what this worker knows. */
  private async write(keys: readonly number[], intents: readonly Intent[]): Promise<void> {
    const unique = [...new Set(keys)];
    const mops: RecordedMop[] = [];
    const ops: MultiOp[] = [];
    const mop = (f: MopFunction, key: number, value: unknown) =>
      mops.push({ f, key: TransactionWorker.keyName(key), value });
    const value = () => this.worker * 1_000_000 + ++this.sequence;
    unique.forEach((key, at) => {
      const want = intents[at % intents.length] as Intent;
      const known = this.known.get(key);
      const path = this.path(key);
      if (known?.exists === false || (known === undefined && want === "delete")) {
        const v = value();
        ops.push({ op: "create", path, data: String(v) });
        mop("create", key, v);
        return;
      }
      if (want === "delete" && known?.exists) {
        // A version check and a delete: one mop per op, so results and mops line up.
        ops.push({ op: "check", path, version: known.version }, { op: "delete", path });
        mop("check", key, known.version);
        mop("delete", key, null);
        return;
      }
      if (want === "check-set" && known?.exists) {
        ops.push({ op: "check", path, version: known.version });
        mop("check", key, known.version);
      }
      const v = value();
      ops.push({ op: "set", path, data: String(v) });
      mop("w", key, v);
      if (want === "twice") {
        // An intermediate value: overwritten within this multi, never to be seen.
        const last = value();
        ops.push({ op: "set", path, data: String(last) });
        mop("w", key, last);
      }
    });
    let results: MultiResult[] = [];
    const outcome = await this.session.perform(TXN_OPERATION, { mops }, async (session) => {
      results = await session.multi(ops);
      // Each setData's version and its znode's incarnation: two commits making the same one lost an update.
      const made = mops.map((mop, at) => {
        const result = results[at];
        return result?.op === "set"
          ? { ...mop, version: result.stat.version, czxid: result.stat.czxid.toString() }
          : mop;
      });
      return { value: { mops: made } };
    });
    if (outcome.type !== "ok") {
      // Failed or unknown: what the keys hold is no longer known.
      for (const key of unique) this.known.delete(key);
      return;
    }
    ops.forEach((op, at) => {
      const key = unique.find((candidate) => this.path(candidate) === op.path) as number;
      const result = results[at];
      if (op.op === "create") this.known.set(key, { exists: true, version: 0 });
      else if (op.op === "delete") this.known.set(key, { exists: false });
      else if (op.op === "set" && result?.op === "set")
        this.known.set(key, { exists: true, version: result.stat.version });
    });
  }

  /** Reads keys (atomically when several), maybe after a sync; records each value and its mzxid. */
  private async read(keys: readonly number[], synced: boolean): Promise<void> {
    const names = keys.map(TransactionWorker.keyName);
    const invoked = {
      mops: names.map((key) => ({ f: "r" as const, key, value: null })),
      ...(synced ? { synced } : {}),
    };
    let answers: ({ data: Buffer; stat: ZkStat } | { error: number })[] = [];
    const outcome = await this.session.perform(TXN_OPERATION, invoked, async (session) => {
      if (synced) await session.sync(this.path(keys[0] as number));
      answers =
        keys.length === 1
          ? [await this.getData(session, keys[0] as number)]
          : await session.multiRead(keys.map((key) => this.path(key)));
      const mops: RecordedMop[] = answers.map((answer, at) => {
        const key = names[at] as string;
        if ("error" in answer) {
          if (answer.error !== ZK_ERRORS.NO_NODE)
            throw new ZkOperationError(answer.error, `multiRead ${key}`);
          return { f: "r", key, value: null };
        }
        return { f: "r", key, value: parsed(answer.data), mzxid: answer.stat.mzxid.toString() };
      });
      return { value: { mops, ...(synced ? { synced } : {}) } };
    });
    if (outcome.type !== "ok") return;
    keys.forEach((key, at) => {
      const answer = answers[at];
      if (answer === undefined) return;
      this.known.set(
        key,
        "error" in answer ? { exists: false } : { exists: true, version: answer.stat.version },
      );
    });
  }

  /** One getData, an absent key answered as NoNode rather than thrown. */
  private async getData(
    session: ZkSession,
    key: number,
  ): Promise<{ data: Buffer; stat: ZkStat } | { error: number }> {
    try {
      return await session.getData(this.path(key));
    } catch (error) {
      if (error instanceof ZkOperationError && error.code === ZK_ERRORS.NO_NODE)
        return { error: error.code };
      throw error;
    }
  }
}
