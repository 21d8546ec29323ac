import { formatZxid, type HistoryEvent, parseZxid, type Zxid } from "../../history/event.js";
import type { Anomaly } from "../verdict.js";
import { type PairedOp, readValue, registerKey, writtenValue } from "./operations.js";

/** A register state as observed: value, version and the zxid that wrote it. */
interface Observation {
  readonly op: PairedOp;
  readonly key: number;
  readonly value: number | null;
  readonly version: number;
  readonly mzxid: Zxid;
  /** Time of the completion. */
  readonly time: number;
}

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

/** The register operations (reads, writes, cas) and what each showed, in one pass over the ops. */
function registerObservations(ops: readonly PairedOp[]): {
  registerOps: PairedOp[];
  writes: Observation[];
  reads: Observation[];
} {
  const registerOps: PairedOp[] = [];
  const writes: Observation[] = [];
  const reads: Observation[] = [];
  for (const op of ops) {
    const f = op.invoke.f;
    const isRead = f === "read";
    if (!isRead && f !== "write" && f !== "cas") continue;
    const key = registerKey(op);
    if (key === undefined) continue;
    registerOps.push(op);
    const stat = op.completion?.stat;
    if (op.type !== "ok" || stat === undefined) continue;
    const value = isRead ? readValue(op) : writtenValue(op);
    if (value === undefined) continue;
    (isRead ? reads : writes).push({
      op,
      key,
      value,
      version: stat.version,
      mzxid: parseZxid(stat.mzxid),
      time: op.completion?.time ?? 0,
    });
  }
  return { registerOps, writes, reads };
}

/**
 * Values by register and version: versions are small dense integers, so an
 * array per register (a million (register, version) pairs in one Map cost
 * half a second of hashing).
 */
class PerVersion<V> {
  private readonly registers = new Map<number, V[]>();

  get(register: number, version: number): V | undefined {
    return this.registers.get(register)?.[version];
  }

  set(register: number, version: number, value: V): void {
    let list = this.registers.get(register);
    if (list === undefined) {
      list = [];
      this.registers.set(register, list);
    }
    list[version] = value;
  }
}

/** Maps keyed by register, then by a value: cheaper than a million composite string keys. */
class PerRegister<K, V> {
  private readonly maps = new Map<number, Map<K, V>>();

  set(register: number, key: K, value: V): void {
    let map = this.maps.get(register);
    if (map === undefined) {
      map = new Map();
      this.maps.set(register, map);
    }
    map.set(key, value);
  }

  get(register: number, key: K): V | undefined {
    return this.maps.get(register)?.get(key);
  }

  has(register: number, key: K): boolean {
    return this.maps.get(register)?.has(key) ?? false;
  }
}

/** Whether no two writes share a zxid (false when some zxid is past 2^53: not worth a sort of bigints). */
function zxidsUnique(writes: readonly Observation[]): boolean {
  const zxids = new Float64Array(writes.length);
  for (let index = 0; index < writes.length; index++) {
    const mzxid = (writes[index] as Observation).mzxid;
    if (typeof mzxid !== "number") return false;
    zxids[index] = mzxid;
  }
  zxids.sort();
  for (let index = 1; index < zxids.length; index++)
    if (zxids[index] === zxids[index - 1]) return false;
  return true;
}

const eventsOf = (...ops: PairedOp[]) =>
  ops.flatMap((op) => [op.invoke.index, ...(op.completion ? [op.completion.index] : [])]);

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
  const anomalies: Anomaly[] = [];
  const { registerOps, writes, reads } = registerObservations(ops);
  const observations = [...writes, ...reads];

  // Acknowledged writes: real-time order must agree with zxid order.
  const byInvoke = [...writes].sort((a, b) => a.op.invoke.time - b.op.invoke.time);
  const byCompletion = [...writes].sort((a, b) => a.time - b.time);
  let done = 0;
  let highest: Observation | undefined;
  for (const write of byInvoke) {
    while (
      done < byCompletion.length &&
      (byCompletion[done] as Observation).time < write.op.invoke.time
    ) {
      const finished = byCompletion[done] as Observation;
      if (highest === undefined || finished.mzxid > highest.mzxid) highest = finished;
      done++;
    }
    if (highest !== undefined && highest.mzxid >= write.mzxid) {
      anomalies.push({
        kind: "realtime-zxid-inversion",
        message: `write of ${write.value} to register ${write.key} started after the write of ${highest.value} to register ${highest.key} was acknowledged, yet has the smaller zxid (${formatZxid(write.mzxid)} <= ${formatZxid(highest.mzxid)})`,
        events: eventsOf(highest.op, write.op),
      });
    }
  }

  // One value per (register, version); versions written once.
  const byVersion = new PerVersion<Observation>();
  const writeByVersion = new PerVersion<Observation>();
  for (const observation of observations) {
    const seen = byVersion.get(observation.key, observation.version);
    if (seen !== undefined && seen.value !== observation.value) {
      anomalies.push({
        kind: "version-value-conflict",
        message: `register ${observation.key} version ${observation.version} holds ${seen.value} in one observation and ${observation.value} in another`,
        events: eventsOf(seen.op, observation.op),
      });
    } else if (seen === undefined) byVersion.set(observation.key, observation.version, observation);
    if (observation.op.invoke.f === "read") continue;
    const earlier = writeByVersion.get(observation.key, observation.version);
    if (earlier !== undefined) {
      anomalies.push({
        kind: "duplicate-version",
        message: `two acknowledged writes to register ${observation.key} both produced version ${observation.version} (${earlier.value} and ${observation.value})`,
        events: eventsOf(earlier.op, observation.op),
      });
    } else writeByVersion.set(observation.key, observation.version, observation);
  }

  // Version gaps: a version needs that many writes that could have happened.
  const possibleWrites = new Map<number, number>();
  // Reads need a value some write (acknowledged or pending) wrote: a set of them per register.
  const written = new Map<number, Set<number>>();
  for (const op of registerOps) {
    if (op.invoke.f === "read" || op.type === "fail") continue;
    const key = registerKey(op) as number;
    possibleWrites.set(key, (possibleWrites.get(key) ?? 0) + 1);
    const value = writtenValue(op);
    if (value === undefined) continue;
    let values = written.get(key);
    if (values === undefined) {
      values = new Set();
      written.set(key, values);
    }
    values.add(value);
  }
  for (const observation of observations) {
    const allowed = possibleWrites.get(observation.key) ?? 0;
    if (observation.version > allowed) {
      anomalies.push({
        kind: "version-gap",
        message: `register ${observation.key} reached version ${observation.version}, but at most ${allowed} writes to it could have happened`,
        events: eventsOf(observation.op),
      });
    }
  }

  // Reads: the value must have been written (by an acknowledged or indeterminate write) and match its zxid.
  // Where writes' zxids are unique, the write with a read's zxid is the one with its version if
  // any; a map by zxid is built only otherwise (a million zxids as Map keys cost half a second).
  let writeByZxid: PerRegister<Zxid, Observation> | undefined;
  const uniqueZxids = zxidsUnique(writes);
  const writeWithZxid = (key: number, version: number, mzxid: Zxid) => {
    const byItsVersion = writeByVersion.get(key, version);
    if (uniqueZxids && byItsVersion !== undefined && byItsVersion.mzxid === mzxid)
      return byItsVersion;
    if (writeByZxid === undefined) {
      writeByZxid = new PerRegister<Zxid, Observation>();
      for (const write of writes) writeByZxid.set(write.key, write.mzxid, write);
    }
    return writeByZxid.get(key, mzxid);
  };
  for (const read of reads) {
    if (read.value !== null && written.get(read.key)?.has(read.value) !== true) {
      anomalies.push({
        kind: "value-never-written",
        message: `a read of register ${read.key} returned ${read.value}, which no write (acknowledged or pending) wrote`,
        events: eventsOf(read.op),
      });
      continue;
    }
    const source = writeWithZxid(read.key, read.version, read.mzxid);
    if (source !== undefined && source.value !== read.value) {
      anomalies.push({
        kind: "read-value-mismatch",
        message: `a read of register ${read.key} returned ${read.value} with zxid ${formatZxid(read.mzxid)}, but the write with that zxid wrote ${source.value}`,
        events: eventsOf(source.op, read.op),
      });
    }
  }

  // Per session and register: observed zxids never go backwards (SSI, read-your-writes).
  const lastSeen = new PerRegister<string, Observation>();
  for (const observation of observations.sort((a, b) => a.time - b.time)) {
    const session = observation.op.completion?.session ?? String(observation.op.invoke.process);
    const previous = lastSeen.get(observation.key, session);
    if (previous !== undefined && observation.mzxid < previous.mzxid) {
      anomalies.push({
        kind: previous.op.invoke.f === "read" ? "session-went-backwards" : "read-your-writes",
        message: `session ${session} saw register ${observation.key} at zxid ${formatZxid(previous.mzxid)} (${previous.value}), then at the older zxid ${formatZxid(observation.mzxid)} (${observation.value})`,
        events: eventsOf(previous.op, observation.op),
      });
    }
    if (previous === undefined || observation.mzxid > previous.mzxid)
      lastSeen.set(observation.key, session, observation);
  }

  // Stale reads (allowed): a newer write was acknowledged before the read began.
  let staleReads = 0;
  const completedWrites = new Map<number, Observation[]>();
  for (const write of byCompletion) {
    const list = completedWrites.get(write.key) ?? [];
    list.push(write);
    completedWrites.set(write.key, list);
  }
  // Per register, the newest write (by zxid) among the first n acknowledged.
  const prefixMax = new Map<number, Observation[]>();
  for (const [key, list] of completedWrites) {
    let max: Observation | undefined;
    prefixMax.set(
      key,
      list.map((w) => {
        if (max === undefined || w.mzxid > max.mzxid) max = w;
        return max;
      }),
    );
  }
  for (const read of reads) {
    const list = completedWrites.get(read.key) ?? [];
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((list[middle] as Observation).time < read.op.invoke.time) low = middle + 1;
      else high = middle;
    }
    const newest = low > 0 ? (prefixMax.get(read.key) as Observation[])[low - 1] : undefined;
    if (newest === undefined || newest.mzxid <= read.mzxid) continue;
    if ((read.op.invoke.value as { synced?: boolean }).synced === true) {
      anomalies.push({
        kind: "stale-read-after-sync",
        message: `a read of register ${read.key} after a sync returned zxid ${formatZxid(read.mzxid)}, though a write with zxid ${formatZxid(newest.mzxid)} was acknowledged before it began`,
        events: [...eventsOf(read.op), ...eventsOf(newest.op)],
      });
    } else staleReads++;
  }

  // Each server's final registers, parsed once (a million reads compare against them).
  const finals = finalReads.map((final) => {
    const nodes =
      (final.value as { nodes?: Record<string, [string, number, string]> } | undefined)?.nodes ??
      {};
    const registers = new Map<number, { data: string; version: number; mzxid: Zxid }>();
    for (const [path, [data, version, mzxid]] of Object.entries(nodes))
      if (/^r\d+$/.test(path))
        registers.set(Number(path.slice(1)), { data, version, mzxid: parseZxid(mzxid) });
    return { final, registers };
  });
  const before = (
    node: { data: string; version: number; mzxid: Zxid },
    state: { value: number | null; version: number; mzxid: Zxid },
  ) =>
    node.mzxid < state.mzxid ||
    (node.version === state.version && Number(node.data) !== state.value);

  // No lost writes: each server's final state is each acknowledged write or a later one.
  for (const { final, registers } of finals) {
    for (const write of writes) {
      const node = registers.get(write.key);
      if (node === undefined) continue;
      if (before(node, write)) {
        anomalies.push({
          kind: "lost-write",
          message: `server ${final.server} ends with register ${write.key} = ${node.data} (version ${node.version}), losing the acknowledged write of ${write.value} (version ${write.version})`,
          events: [...eventsOf(write.op), final.index],
        });
      }
    }
  }

  // No rolled-back read: a state some session read is not gone from every server at the end.
  const rolledBack = new Set<string>();
  for (const read of reads) {
    if (read.value === null || finals.length === 0) continue;
    const gone = finals.every(({ registers }) => {
      const node = registers.get(read.key);
      return node !== undefined && before(node, read);
    });
    if (!gone) continue;
    // One anomaly per state read: many sessions may have read the same one. (Named only here:
    // a name for every read cost a million strings.)
    const state = `${read.key}@${read.mzxid}`;
    if (!rolledBack.has(state)) {
      rolledBack.add(state);
      anomalies.push({
        kind: "rolled-back-read",
        message: `register ${read.key} = ${read.value} (version ${read.version}, zxid ${formatZxid(read.mzxid)}) was read, but every server ends before it: a state a client saw was rolled back`,
        events: [...eventsOf(read.op), ...finalReads.map((final) => final.index)],
      });
    }
  }

  // Indeterminate writes: applied if any observation shows their value.
  const seenValues = new PerRegister<number | null, true>();
  for (const read of reads) seenValues.set(read.key, read.value, true);
  for (const { registers } of finals)
    for (const [key, node] of registers) seenValues.set(key, Number(node.data), true);
  const indeterminate = registerOps.filter((op) => op.type === "info" && op.invoke.f !== "read");
  const applied = indeterminate.filter((op) => {
    const value = writtenValue(op);
    return value !== undefined && seenValues.has(registerKey(op) as number, value);
  }).length;
  return {
    anomalies,
    stats: {
      writes: writes.length,
      reads: reads.length,
      staleReads,
      syncedReads: reads.filter(
        (read) => (read.op.invoke.value as { synced?: boolean }).synced === true,
      ).length,
      indeterminateWrites: indeterminate.length,
      resolvedApplied: applied,
      unresolved: indeterminate.length - applied,
    },
  };
}
