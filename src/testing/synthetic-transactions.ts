/**
 * A correct transactions history of any size, as a serial ZooKeeper would
 * make it: multis and reads take effect at one instant inside their call,
 * in that order; each multi gets the next zxid; each read sees the state at
 * its instant. For benchmarks of the transactions checker.
 */
import type { HistoryEvent } from "../history/event.js";
import type { RecordedMop } from "../history/txn-record.js";
import { deriveRandom, randomInt } from "../util/seeded-random.js";
import { processClock } from "./process-clock.js";

/** Shape of a synthetic transactions history. */
export interface SyntheticTransactionsOptions {
  readonly seed: number | string;
  readonly transactions: number;
  readonly processes: number;
  readonly keys: number;
  /** Share of operations whose outcome is unknown (info); half of those took effect. */
  readonly infoRate?: number;
}

interface Planned {
  readonly process: number;
  readonly invoke: number;
  readonly at: number;
  readonly complete: number;
  readonly mops: RecordedMop[];
  readonly read: boolean;
  readonly info: boolean;
}

/** The events of a correct transactions history (epoch 1 zxids, every key created first). */
export function syntheticTransactions(options: SyntheticTransactionsOptions): HistoryEvent[] {
  const random = deriveRandom(options.seed, "synthetic-transactions");
  const key = () => `t${randomInt(random, 0, options.keys - 1)}`;
  let value = 0;
  const planned: Planned[] = [];
  const next = processClock(random, options.processes, {
    idle: [1, 5],
    effect: [1, 20],
    complete: [1, 20],
  });
  for (let n = 0; n < options.transactions; n++) {
    const process = n % options.processes;
    const { invoke, at, complete } = next(process);
    const roll = random();
    let mops: RecordedMop[];
    // The first operations create every key.
    if (n < options.keys) mops = [{ f: "create", key: `t${n}`, value: ++value }];
    else if (roll < 0.5) {
      const keys = [...new Set([key(), key(), key()].slice(0, randomInt(random, 1, 3)))];
      mops = keys.flatMap((each): RecordedMop[] =>
        random() < 0.1
          ? [
              { f: "w", key: each, value: ++value },
              { f: "w", key: each, value: ++value },
            ]
          : [{ f: "w", key: each, value: ++value }],
      );
    } else {
      const keys = [...new Set(roll < 0.7 ? [key()] : [key(), key(), key()])];
      mops = keys.map((each) => ({ f: "r", key: each, value: null }));
    }
    const info = n >= options.keys && random() < (options.infoRate ?? 0);
    planned.push({ process, invoke, at, complete, mops, read: mops[0]?.f === "r", info });
  }
  // Apply in the order the operations took effect.
  const state = new Map<string, { value: number; zxid: bigint; czxid: bigint; version: number }>();
  const outcomes = new Map<Planned, { mops: RecordedMop[]; zxid?: bigint }>();
  let zxid = 1n << 32n;
  for (const op of [...planned].sort((a, b) => a.at - b.at)) {
    if (op.read) {
      outcomes.set(op, {
        mops: op.mops.map((mop) => {
          const current = state.get(mop.key);
          return current === undefined
            ? mop
            : { ...mop, value: current.value, mzxid: current.zxid.toString() };
        }),
      });
      continue;
    }
    // An unknown outcome that did not happen leaves no trace.
    if (op.info && random() < 0.5) continue;
    zxid += 1n;
    const mops = op.mops.map((mop) => {
      const before = state.get(mop.key);
      const next = {
        value: mop.value as number,
        zxid,
        czxid: mop.f === "create" ? zxid : (before?.czxid ?? zxid),
        version: mop.f === "create" ? 0 : (before?.version ?? 0) + 1,
      };
      state.set(mop.key, next);
      return mop.f === "w" ? { ...mop, version: next.version, czxid: next.czxid.toString() } : mop;
    });
    outcomes.set(op, { mops, zxid });
  }
  const timeline: { time: number; op: Planned; end: boolean }[] = [];
  for (const op of planned) {
    timeline.push({ time: op.invoke, op, end: false });
    timeline.push({ time: op.complete, op, end: true });
  }
  timeline.sort((a, b) => a.time - b.time || Number(a.end) - Number(b.end));
  return timeline.map(({ time, op, end }, index): HistoryEvent => {
    if (!end)
      return {
        index,
        time,
        process: op.process,
        type: "invoke",
        f: "txn",
        value: { mops: op.mops },
      };
    const outcome = outcomes.get(op);
    if (op.info || outcome === undefined)
      return {
        index,
        time,
        process: op.process,
        type: "info",
        f: "txn",
        value: { mops: op.mops },
        error: -4,
      };
    return {
      index,
      time,
      process: op.process,
      type: "ok",
      f: "txn",
      session: `s${op.process}`,
      value: { mops: outcome.mops },
      ...(outcome.zxid !== undefined ? { zxid: outcome.zxid.toString() } : {}),
    };
  });
}
