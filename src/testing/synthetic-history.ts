import type { HistoryEvent } from "../history/event.js";
import { deriveRandom, randomInt } from "../util/seeded-random.js";
import { processClock } from "./process-clock.js";

/** Shape of a synthetic register history. */
export interface SyntheticOptions {
  readonly seed: number | string;
  readonly operations: number;
  readonly processes: number;
  readonly registers: number;
  /** Servers named in completions and final reads (default 3). */
  readonly servers?: number;
  /** Share of operations that end as info (unknown), default 0. */
  readonly infoRate?: number;
}

/** Anomalies that can be injected into a correct history. */
export const INJECTABLE = [
  "lost-write",
  "stale-read-in-session",
  "duplicated-version",
  "value-never-written",
  "realtime-inversion",
] as const;

/** An injectable anomaly's name. */
export type InjectedAnomaly = (typeof INJECTABLE)[number];

interface Op {
  process: number;
  key: number;
  kind: "read" | "write" | "cas";
  invoke: number;
  lin: number;
  complete: number;
  value?: number;
  basis?: { value: number | null; version: number };
  outcome?: "ok" | "fail" | "info";
  result?: { value: number | null; version: number; mzxid: bigint };
}

/** A synthetic history with the positions of what an injection touched. */
export interface SyntheticHistory {
  readonly events: HistoryEvent[];
  /** Event indexes an injected anomaly involves (empty when none was injected). */
  readonly injected: number[];
}

/**
 * Runs a sequential register model under random concurrency: each operation
 * takes effect at a random instant between its invocation and completion, so
 * the history is linearizable (and keeps ZooKeeper's zxid guarantees) by
 * construction. Pure: the same options give the same history.
 */
function simulate(options: SyntheticOptions): Op[] {
  const random = deriveRandom(options.seed, "synthetic");
  const ops: Op[] = [];
  const next = processClock(random, options.processes, {
    idle: [1, 50],
    effect: [0, 100],
    complete: [0, 100],
  });
  for (let i = 0; i < options.operations; i++) {
    const process = i % options.processes;
    const { invoke, at: lin, complete } = next(process);
    const roll = random();
    ops.push({
      process,
      key: randomInt(random, 0, options.registers - 1),
      kind: roll < 0.4 ? "read" : roll < 0.75 ? "write" : "cas",
      invoke,
      lin,
      complete,
    });
  }
  const state = Array.from({ length: options.registers }, () => ({
    value: null as number | null,
    version: 0,
    mzxid: 1n,
  }));
  const known = new Map<string, { value: number | null; version: number }>();
  let zxid = 0x100000000n + BigInt(options.registers);
  let sequence = 0;
  for (const op of [...ops].sort((a, b) => a.lin - b.lin)) {
    const register = state[op.key] as { value: number | null; version: number; mzxid: bigint };
    const slot = `${op.process}/${op.key}`;
    const info = random() < (options.infoRate ?? 0);
    if (op.kind === "read") {
      op.outcome = info ? "info" : "ok";
      op.result = { ...register };
      if (!info) known.set(slot, { value: register.value, version: register.version });
      continue;
    }
    op.value = op.process * 10_000_000 + ++sequence;
    if (op.kind === "cas") {
      const basis = known.get(slot);
      if (basis === undefined) {
        op.kind = "write";
      } else {
        op.basis = basis;
        if (basis.version !== register.version) {
          op.outcome = "fail";
          known.delete(slot);
          continue;
        }
      }
    }
    zxid++;
    register.value = op.value;
    register.version++;
    register.mzxid = zxid;
    op.outcome = info ? "info" : "ok";
    op.result = { ...register };
    if (!info) known.set(slot, { value: register.value, version: register.version });
  }
  return ops;
}

function render(
  ops: readonly Op[],
  options: SyntheticOptions,
  finals: readonly { value: number | null; version: number; mzxid: bigint }[],
): HistoryEvent[] {
  type Draft = Omit<HistoryEvent, "index">;
  const drafts: Draft[] = [];
  const servers = options.servers ?? 3;
  for (const op of ops) {
    const session = `s${op.process}`;
    const server = 1 + (op.process % servers);
    const input =
      op.kind === "read"
        ? { key: op.key, value: null, synced: true }
        : op.kind === "cas"
          ? { key: op.key, value: [op.basis?.value ?? null, op.value], version: op.basis?.version }
          : { key: op.key, value: op.value };
    drafts.push({ time: op.invoke, process: op.process, type: "invoke", f: op.kind, value: input });
    const result = op.result;
    const stat = result
      ? {
          czxid: String(0x100000000n + BigInt(op.key)),
          mzxid: result.mzxid.toString(),
          version: result.version,
        }
      : undefined;
    const value = op.kind === "read" ? { key: op.key, value: result?.value ?? null } : input;
    drafts.push({
      time: op.complete,
      process: op.process,
      type: op.outcome ?? "info",
      f: op.kind,
      value,
      session,
      server,
      ...(op.outcome === "ok" && stat ? { stat } : {}),
      ...(op.outcome === "fail" ? { error: -103 } : {}),
    });
  }
  const end = ops.reduce((latest, op) => Math.max(latest, op.complete), 0) + 1000;
  for (let server = 1; server <= servers; server++) {
    const nodes = Object.fromEntries(
      finals.map((final, key) => [
        `r${key}`,
        [final.value === null ? "" : String(final.value), final.version, final.mzxid.toString()],
      ]),
    );
    drafts.push({
      time: end + server,
      process: "observer",
      type: "invoke",
      f: "final-read",
      server,
      value: { root: "/registers" },
    });
    drafts.push({
      time: end + server,
      process: "observer",
      type: "ok",
      f: "final-read",
      server,
      value: { root: "/registers", nodes },
    });
  }
  drafts.sort((a, b) => a.time - b.time);
  return drafts.map((draft, index) => ({ index, ...draft }) as HistoryEvent);
}

function finalStates(
  ops: readonly Op[],
  registers: number,
): { value: number | null; version: number; mzxid: bigint }[] {
  const finals = Array.from({ length: registers }, (_, key) => ({
    value: null as number | null,
    version: 0,
    mzxid: 0x100000000n + BigInt(key),
  }));
  for (const op of ops) {
    if (op.kind !== "read" && op.result && op.result.version > (finals[op.key]?.version ?? 0))
      finals[op.key] = { ...op.result };
  }
  return finals;
}

/** Generates a correct register history, optionally with one injected anomaly. */
export function syntheticHistory(
  options: SyntheticOptions,
  inject?: InjectedAnomaly,
): SyntheticHistory {
  const ops = simulate(options);
  const random = deriveRandom(options.seed, "inject");
  const touched: Op[] = [];
  let finals = finalStates(ops, options.registers);
  const writesOf = (key: number) =>
    ops
      .filter((op) => op.key === key && op.kind !== "read" && op.outcome === "ok")
      .sort((a, b) => (a.result?.version ?? 0) - (b.result?.version ?? 0));
  if (inject === "lost-write") {
    // The latest write on some register that began after the one before it was acknowledged:
    // its loss is visible without zxids too.
    let chosen: { key: number; kept: Op; lost: Op } | undefined;
    for (let key = 0; key < options.registers && chosen === undefined; key++) {
      const writes = writesOf(key);
      for (let index = writes.length - 1; index >= 1; index--) {
        const lost = writes[index] as Op;
        const kept = writes[index - 1] as Op;
        if (kept.complete < lost.invoke) {
          chosen = { key, kept, lost };
          break;
        }
      }
    }
    if (chosen) {
      const { key, kept, lost } = chosen;
      const state = { ...(kept.result as { value: number; version: number; mzxid: bigint }) };
      finals = finals.map((final, index) => (index === key ? state : final));
      // A reader at the very end sees the loss too.
      const end = ops.reduce((latest, op) => Math.max(latest, op.complete), 0);
      const reader: Op = {
        process: options.processes,
        key,
        kind: "read",
        invoke: end + 10,
        lin: end + 10,
        complete: end + 20,
        outcome: "ok",
        result: state,
      };
      ops.push(reader);
      touched.push(lost, reader);
    }
  } else if (inject === "stale-read-in-session") {
    // A session reads an older version after its own write was acknowledged; the older
    // write was over before this one began, so no order of overlapping writes explains it.
    const olderOf = (op: Op) =>
      writesOf(op.key).find(
        (w) => w.result?.version === (op.result?.version ?? 0) - 1 && w.complete < op.invoke,
      );
    const readAfter = (op: Op) =>
      ops.find(
        (later) =>
          later.process === op.process &&
          later.key === op.key &&
          later.kind === "read" &&
          later.outcome === "ok" &&
          later.invoke > op.complete,
      );
    const candidate = ops.find(
      (op) =>
        op.kind === "write" &&
        op.outcome === "ok" &&
        olderOf(op) !== undefined &&
        readAfter(op) !== undefined,
    );
    if (candidate) {
      const read = readAfter(candidate) as Op;
      read.result = { ...((olderOf(candidate) as Op).result as NonNullable<Op["result"]>) };
      touched.push(candidate, read);
    }
  } else if (inject === "duplicated-version") {
    // A cas that failed because a write of the next version was acknowledged before it began.
    const basisOf = (op: Op) =>
      writesOf(op.key).find((w) => w.result?.version === op.basis?.version);
    const winnerOf = (op: Op) =>
      writesOf(op.key).find(
        (w) =>
          w.result?.version === (op.basis?.version ?? 0) + 1 &&
          w.complete < op.invoke &&
          (basisOf(op)?.complete ?? Number.POSITIVE_INFINITY) < w.invoke,
      );
    const failed = ops.find(
      (op) =>
        op.kind === "cas" &&
        op.outcome === "fail" &&
        op.basis !== undefined &&
        winnerOf(op) !== undefined,
    );
    if (failed?.basis) {
      const winner = winnerOf(failed) as Op;
      failed.outcome = "ok";
      failed.result = {
        value: failed.value ?? null,
        version: failed.basis.version + 1,
        mzxid: winner.result?.mzxid ?? 0n,
      };
      touched.push(winner, failed);
    }
  } else if (inject === "value-never-written") {
    const reads = ops.filter((op) => op.kind === "read" && op.outcome === "ok");
    const read = reads[Math.floor(random() * reads.length)] as Op;
    read.result = {
      value: 999_999_999,
      version: read.result?.version ?? 0,
      mzxid: read.result?.mzxid ?? 0n,
    };
    touched.push(read);
  } else if (inject === "realtime-inversion") {
    // The first acknowledged write whose next version's write began after it returned and was
    // read later still. Indexed by register and version: a search of every op for every write
    // took close to a minute at 60k operations.
    const okWrites = ops.filter((op) => op.kind === "write" && op.outcome === "ok");
    const slot = (op: Op, version: number) => `${op.key}:${version}`;
    const writeAt = new Map<string, Op>();
    for (const write of okWrites) {
      const at = slot(write, write.result?.version ?? 0);
      if (!writeAt.has(at)) writeAt.set(at, write);
    }
    const lastReadCall = new Map<string, number>();
    for (const read of ops) {
      if (read.kind !== "read" || read.outcome !== "ok" || read.result === undefined) continue;
      const at = slot(read, read.result.version);
      lastReadCall.set(at, Math.max(lastReadCall.get(at) ?? read.invoke, read.invoke));
    }
    const pair = okWrites
      .map((a) => {
        const next = writeAt.get(slot(a, (a.result?.version ?? 0) + 1));
        return [a, next !== undefined && next.invoke > a.complete ? next : undefined] as const;
      })
      .find(
        ([, b]) =>
          b !== undefined &&
          (lastReadCall.get(slot(b, b.result?.version ?? 0)) ?? Number.NEGATIVE_INFINITY) >
            b.complete,
      );
    if (pair) {
      const [a, b] = pair as readonly [Op, Op];
      const [ra, rb] = [
        a.result as NonNullable<Op["result"]>,
        b.result as NonNullable<Op["result"]>,
      ];
      // The later write took effect first: A's value is what stays, under the newer zxid.
      a.result = { value: a.value ?? null, version: rb.version, mzxid: rb.mzxid };
      b.result = { value: b.value ?? null, version: ra.version, mzxid: ra.mzxid };
      for (const read of ops) {
        if (read.kind !== "read" || read.key !== a.key || !read.result) continue;
        if (read.result.version === rb.version) read.result = { ...a.result };
        else if (read.result.version === ra.version) read.result = { ...b.result };
      }
      finals = finalStates(ops, options.registers);
      touched.push(a, b);
    }
  }
  const events = render(ops, options, finals);
  const injected = events
    .filter(
      (event) =>
        typeof event.process === "number" &&
        touched.some(
          (op) =>
            op.process === event.process &&
            (op.invoke === event.time || op.complete === event.time),
        ),
    )
    .map((event) => event.index);
  if (inject === "lost-write")
    injected.push(
      ...events.filter((e) => e.f === "final-read" && e.type === "ok").map((e) => e.index),
    );
  return { events, injected };
}

/** The history with the observer's record that the ensemble served again `afterMs` after the last heal. */
export function withRecovery(events: readonly HistoryEvent[], afterMs: number): HistoryEvent[] {
  const last = events.at(-1);
  return [
    ...events,
    {
      index: events.length,
      time: last?.time ?? 0,
      process: "observer",
      type: "ok",
      f: "recovered",
      value: { afterMs },
    },
  ];
}
