import { formatZxid, type HistoryEvent, parseZxid, type Zxid } from "../../history/event.js";
import type { Anomaly } from "../verdict.js";
import type { PairedOp } from "./operations.js";
import {
  observedValue,
  type RegisterExtract,
  type RegisterObservations,
  registerObservations,
} from "./register-observations.js";

/** What the register checks found. */
export interface RegisterFindings {
  readonly anomalies: Anomaly[];
  readonly stats: {
    writes: number;
    reads: number;
    staleReads: number;
    syncedReads: number;
    indeterminateWrites: number;
    resolvedApplied: number;
    unresolved: number;
  };
}

/**
 * Rows by register, then by a small dense integer (a version, a session):
 * an array per register where a million composite keys in one Map cost half
 * a second of hashing.
 */
class PerRegisterSlot {
  private readonly registers = new Map<number, number[]>();

  get(register: number, slot: number): number | undefined {
    return this.registers.get(register)?.[slot];
  }

  set(register: number, slot: number, row: number): void {
    let list = this.registers.get(register);
    if (list === undefined) {
      list = [];
      this.registers.set(register, list);
    }
    list[slot] = row;
  }
}

/** Rows in the order of a column, ties in the order the ops came (Array's sort is stable). */
function rowsBy(rows: readonly number[], column: Float64Array): number[] {
  return [...rows].sort((a, b) => (column[a] as number) - (column[b] as number));
}

/** The rows from `from` up to `to`. */
function range(from: number, to: number): number[] {
  const rows: number[] = [];
  for (let row = from; row < to; row++) rows.push(row);
  return rows;
}

/** Whether no two writes share a zxid (false when some zxid is past 2^53: not worth a sort of bigints). */
function zxidsUnique(observations: RegisterObservations): boolean {
  const zxids = new Float64Array(observations.writes);
  for (let row = 0; row < observations.writes; row++) {
    const mzxid = observations.mzxid[row] as Zxid;
    if (typeof mzxid !== "number") return false;
    zxids[row] = mzxid;
  }
  zxids.sort();
  for (let index = 1; index < zxids.length; index++)
    if (zxids[index] === zxids[index - 1]) return false;
  return true;
}

const eventsOf = (...ops: PairedOp[]) =>
  ops.flatMap((op) => [op.invoke.index, ...(op.completion ? [op.completion.index] : [])]);

/** A final register as a server held it. */
interface FinalNode {
  readonly data: string;
  readonly version: number;
  readonly mzxid: Zxid;
}

/** Each server's final registers, parsed once (a million observations compare against them). */
function finalRegisters(finalReads: readonly HistoryEvent[]) {
  return finalReads.map((final) => {
    const nodes =
      (final.value as { nodes?: Record<string, [string, number, string]> } | undefined)?.nodes ??
      {};
    const registers = new Map<number, FinalNode>();
    for (const [path, [data, version, mzxid]] of Object.entries(nodes))
      if (/^r\d+$/.test(path))
        registers.set(Number(path.slice(1)), { data, version, mzxid: parseZxid(mzxid) });
    return { final, registers };
  });
}

/**
 * ZooKeeper's guarantees on the register workload, from zxids and versions
 * (no search, near-linear): acknowledged writes ordered by zxid in real time;
 * one value per (register, version); no version repeated or skipped beyond
 * the writes that could explain it; reads return values that were written,
 * matching the write with that zxid; per session, no register goes back
 * (single system image, read-your-writes); no acknowledged write lost.
 * Stale reads across sessions are allowed, and counted.
 */
export function checkRegisters(
  ops: readonly PairedOp[],
  finalReads: readonly HistoryEvent[],
): RegisterFindings {
  return checkRegisterObservations(registerObservations(ops), finalReads);
}

/** checkRegisters on the register ops already extracted (registerObservations). */
export function checkRegisterObservations(
  extract: RegisterExtract,
  finalReads: readonly HistoryEvent[],
): RegisterFindings {
  const anomalies: Anomaly[] = [];
  const { observations: o, writes: w } = extract;
  const { key, version, mzxid, time } = o;
  const opOf = (row: number) => o.op[row] as PairedOp;
  const value = (row: number) => observedValue(o, row);
  const keyOf = (row: number) => key[row] as number;
  const zxidOf = (row: number) => mzxid[row] as Zxid;
  const writes = range(0, o.writes);
  const reads = range(o.writes, o.count);

  // Acknowledged writes: real-time order must agree with zxid order.
  const byInvoke = rowsBy(writes, o.invokeTime);
  const byCompletion = rowsBy(writes, time);
  let done = 0;
  let highest = -1;
  for (const write of byInvoke) {
    const started = o.invokeTime[write] as number;
    while (done < byCompletion.length && (time[byCompletion[done] as number] as number) < started) {
      const finished = byCompletion[done] as number;
      if (highest === -1 || zxidOf(finished) > zxidOf(highest)) highest = finished;
      done++;
    }
    if (highest !== -1 && zxidOf(highest) >= zxidOf(write)) {
      anomalies.push({
        kind: "realtime-zxid-inversion",
        message: `write of ${value(write)} to register ${keyOf(write)} started after the write of ${value(highest)} to register ${keyOf(highest)} was acknowledged, yet has the smaller zxid (${formatZxid(zxidOf(write))} <= ${formatZxid(zxidOf(highest))})`,
        events: eventsOf(opOf(highest), opOf(write)),
      });
    }
  }

  // One value per (register, version); versions written once.
  const byVersion = new PerRegisterSlot();
  const writeByVersion = new PerRegisterSlot();
  for (let row = 0; row < o.count; row++) {
    const register = keyOf(row);
    const at = version[row] as number;
    const seen = byVersion.get(register, at);
    if (seen !== undefined && value(seen) !== value(row)) {
      anomalies.push({
        kind: "version-value-conflict",
        message: `register ${register} version ${at} holds ${value(seen)} in one observation and ${value(row)} in another`,
        events: eventsOf(opOf(seen), opOf(row)),
      });
    } else if (seen === undefined) byVersion.set(register, at, row);
    if (row >= o.writes) continue;
    const earlier = writeByVersion.get(register, at);
    if (earlier !== undefined) {
      anomalies.push({
        kind: "duplicate-version",
        message: `two acknowledged writes to register ${register} both produced version ${at} (${value(earlier)} and ${value(row)})`,
        events: eventsOf(opOf(earlier), opOf(row)),
      });
    } else writeByVersion.set(register, at, row);
  }

  // Version gaps: a version needs that many writes that could have happened.
  for (let row = 0; row < o.count; row++) {
    const allowed = w.possible.get(keyOf(row)) ?? 0;
    if ((version[row] as number) > allowed) {
      anomalies.push({
        kind: "version-gap",
        message: `register ${keyOf(row)} reached version ${version[row]}, but at most ${allowed} writes to it could have happened`,
        events: eventsOf(opOf(row)),
      });
    }
  }

  // Reads: the value must have been written (by an acknowledged or indeterminate write) and match its zxid.
  // Where writes' zxids are unique, the write with a read's zxid is the one with its version if
  // any; a map by zxid is built only otherwise (a million zxids as Map keys cost half a second).
  let writeByZxid: Map<number, Map<Zxid, number>> | undefined;
  const uniqueZxids = zxidsUnique(o);
  const writeWithZxid = (read: number): number | undefined => {
    const byItsVersion = writeByVersion.get(keyOf(read), version[read] as number);
    if (uniqueZxids && byItsVersion !== undefined && zxidOf(byItsVersion) === zxidOf(read))
      return byItsVersion;
    if (writeByZxid === undefined) {
      writeByZxid = new Map();
      for (const write of writes) {
        const register = writeByZxid.get(keyOf(write)) ?? new Map<Zxid, number>();
        writeByZxid.set(keyOf(write), register.set(zxidOf(write), write));
      }
    }
    return writeByZxid.get(keyOf(read))?.get(zxidOf(read));
  };
  for (const read of reads) {
    const seen = value(read);
    if (seen !== null && w.written.get(keyOf(read))?.has(seen) !== true) {
      anomalies.push({
        kind: "value-never-written",
        message: `a read of register ${keyOf(read)} returned ${seen}, which no write (acknowledged or pending) wrote`,
        events: eventsOf(opOf(read)),
      });
      continue;
    }
    const source = writeWithZxid(read);
    if (source !== undefined && value(source) !== seen) {
      anomalies.push({
        kind: "read-value-mismatch",
        message: `a read of register ${keyOf(read)} returned ${seen} with zxid ${formatZxid(zxidOf(read))}, but the write with that zxid wrote ${value(source)}`,
        events: eventsOf(opOf(source), opOf(read)),
      });
    }
  }

  // Per session and register: observed zxids never go backwards (SSI, read-your-writes).
  // In completion order, ties in the order the ops came.
  const lastSeen = new PerRegisterSlot();
  const byTime = range(0, o.count).sort(
    (a, b) =>
      (time[a] as number) - (time[b] as number) ||
      (o.invokeIndex[a] as number) - (o.invokeIndex[b] as number),
  );
  for (const row of byTime) {
    const session = o.session[row] as number;
    const previous = lastSeen.get(keyOf(row), session);
    if (previous !== undefined && zxidOf(row) < zxidOf(previous)) {
      anomalies.push({
        kind: previous < o.writes ? "read-your-writes" : "session-went-backwards",
        message: `session ${o.sessionNames[session]} saw register ${keyOf(row)} at zxid ${formatZxid(zxidOf(previous))} (${value(previous)}), then at the older zxid ${formatZxid(zxidOf(row))} (${value(row)})`,
        events: eventsOf(opOf(previous), opOf(row)),
      });
    }
    if (previous === undefined || zxidOf(row) > zxidOf(previous))
      lastSeen.set(keyOf(row), session, row);
  }

  // Stale reads (allowed): a newer write was acknowledged before the read began.
  let staleReads = 0;
  const completedWrites = new Map<number, number[]>();
  for (const write of byCompletion) {
    const list = completedWrites.get(keyOf(write)) ?? [];
    list.push(write);
    completedWrites.set(keyOf(write), list);
  }
  // Per register, the newest write (by zxid) among the first n acknowledged.
  const prefixMax = new Map<number, number[]>();
  for (const [register, list] of completedWrites) {
    let max = -1;
    prefixMax.set(
      register,
      list.map((write) => {
        if (max === -1 || zxidOf(write) > zxidOf(max)) max = write;
        return max;
      }),
    );
  }
  for (const read of reads) {
    const list = completedWrites.get(keyOf(read)) ?? [];
    const started = o.invokeTime[read] as number;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((time[list[middle] as number] as number) < started) low = middle + 1;
      else high = middle;
    }
    const newest = low > 0 ? (prefixMax.get(keyOf(read)) as number[])[low - 1] : undefined;
    if (newest === undefined || zxidOf(newest) <= zxidOf(read)) continue;
    if (o.synced[read] === 1) {
      anomalies.push({
        kind: "stale-read-after-sync",
        message: `a read of register ${keyOf(read)} after a sync returned zxid ${formatZxid(zxidOf(read))}, though a write with zxid ${formatZxid(zxidOf(newest))} was acknowledged before it began`,
        events: [...eventsOf(opOf(read)), ...eventsOf(opOf(newest))],
      });
    } else staleReads++;
  }

  const finals = finalRegisters(finalReads);
  const before = (node: FinalNode, row: number) =>
    node.mzxid < zxidOf(row) || (node.version === version[row] && Number(node.data) !== value(row));

  // No lost writes: each server's final state is each acknowledged write or a later one.
  for (const { final, registers } of finals) {
    for (const write of writes) {
      const node = registers.get(keyOf(write));
      if (node === undefined) continue;
      if (before(node, write)) {
        anomalies.push({
          kind: "lost-write",
          message: `server ${final.server} ends with register ${keyOf(write)} = ${node.data} (version ${node.version}), losing the acknowledged write of ${value(write)} (version ${version[write]})`,
          events: [...eventsOf(opOf(write)), final.index],
        });
      }
    }
  }

  // No rolled-back read: a state some session read is not gone from every server at the end.
  const rolledBack = new Set<string>();
  for (const read of reads) {
    if (value(read) === null || finals.length === 0) continue;
    const gone = finals.every(({ registers }) => {
      const node = registers.get(keyOf(read));
      return node !== undefined && before(node, read);
    });
    if (!gone) continue;
    // One anomaly per state read: many sessions may have read the same one. (Named only here:
    // a name for every read cost a million strings.)
    const state = `${keyOf(read)}@${zxidOf(read)}`;
    if (!rolledBack.has(state)) {
      rolledBack.add(state);
      anomalies.push({
        kind: "rolled-back-read",
        message: `register ${keyOf(read)} = ${value(read)} (version ${version[read]}, zxid ${formatZxid(zxidOf(read))}) was read, but every server ends before it: a state a client saw was rolled back`,
        events: [...eventsOf(opOf(read)), ...finalReads.map((final) => final.index)],
      });
    }
  }

  // Indeterminate writes: applied if any observation shows their value.
  const seenValues = new Map<number, Set<number>>();
  const see = (register: number, seen: number) => {
    const values = seenValues.get(register) ?? new Set<number>();
    seenValues.set(register, values.add(seen));
  };
  for (const read of reads) {
    const seen = value(read);
    if (seen !== null) see(keyOf(read), seen);
  }
  for (const { registers } of finals)
    for (const [register, node] of registers) see(register, Number(node.data));
  const applied = w.indeterminate.filter(
    (write) => write.value !== undefined && seenValues.get(write.key)?.has(write.value) === true,
  ).length;
  let syncedReads = 0;
  for (const read of reads) syncedReads += o.synced[read] as number;
  return {
    anomalies,
    stats: {
      writes: writes.length,
      reads: reads.length,
      staleReads,
      syncedReads,
      indeterminateWrites: w.indeterminate.length,
      resolvedApplied: applied,
      unresolved: w.indeterminate.length - applied,
    },
  };
}
