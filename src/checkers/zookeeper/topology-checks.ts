import { formatZxid, type HistoryEvent } from "../../history/event.js";
import { topologyViolations } from "../../topology/invariants.js";
import type { Anomaly } from "../verdict.js";
import type { PairedOp } from "./operations.js";

type SnapshotValue = {
  root: string;
  consistent: boolean;
  nodes: Record<string, [string, number, string]>;
};

const eventsOf = (op: PairedOp) => [
  op.invoke.index,
  ...(op.completion ? [op.completion.index] : []),
];

/** Topology invariants in every consistent snapshot, and one value per (znode, version) across snapshots. */
export function checkSnapshots(ops: readonly PairedOp[]): {
  anomalies: Anomaly[];
  snapshots: number;
} {
  const anomalies: Anomaly[] = [];
  const byVersion = new Map<string, { data: string; op: PairedOp }>();
  let snapshots = 0;
  for (const op of ops) {
    if (op.invoke.f !== "read-subtree" || op.type !== "ok") continue;
    const value = op.completion?.value as SnapshotValue;
    for (const [path, [data, version, mzxid]] of Object.entries(value.nodes)) {
      const slot = `${value.root}/${path}@${version}#${mzxid}`;
      const seen = byVersion.get(slot);
      if (seen !== undefined && seen.data !== data) {
        anomalies.push({
          kind: "version-value-conflict",
          message: `${value.root}/${path} version ${version} (zxid ${formatZxid(BigInt(mzxid))}) was read as two different values`,
          events: [...eventsOf(seen.op), ...eventsOf(op)],
        });
      } else if (seen === undefined) byVersion.set(slot, { data, op });
    }
    if (!value.consistent) continue;
    snapshots++;
    const snapshot = new Map(Object.entries(value.nodes).map(([path, [data]]) => [path, data]));
    for (const violation of topologyViolations(snapshot)) {
      anomalies.push({
        kind: `topology-${violation.invariant}`,
        message: `snapshot of ${value.root}: ${violation.path}: ${violation.detail}`,
        events: eventsOf(op),
      });
    }
  }
  return { anomalies, snapshots };
}

/** Sequential znodes: names unique, and increasing in real time. */
export function checkSequentialNames(ops: readonly PairedOp[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const created = ops
    .filter((op) => op.invoke.f === "append-log" && op.type === "ok")
    .map((op) => {
      const value = op.completion?.value as { root: string; created: (string | undefined)[] };
      const name = value.created.find((path) => path !== undefined) ?? "";
      return {
        op,
        parent: `${value.root}/${name.slice(0, name.lastIndexOf("/"))}`,
        sequence: Number(name.slice(-10)),
      };
    });
  const byParent = new Map<string, typeof created>();
  for (const entry of created)
    byParent.set(entry.parent, [...(byParent.get(entry.parent) ?? []), entry]);
  for (const [parent, entries] of byParent) {
    const names = new Map<number, (typeof created)[number]>();
    for (const entry of entries) {
      const twin = names.get(entry.sequence);
      if (twin) {
        anomalies.push({
          kind: "sequential-duplicate",
          message: `${parent}: sequence ${entry.sequence} was created twice`,
          events: [...eventsOf(twin.op), ...eventsOf(entry.op)],
        });
      }
      names.set(entry.sequence, entry);
    }
    for (const a of entries) {
      for (const b of entries) {
        const aDone = a.op.completion?.time ?? Number.POSITIVE_INFINITY;
        if (aDone < b.op.invoke.time && a.sequence >= b.sequence) {
          anomalies.push({
            kind: "sequential-not-increasing",
            message: `${parent}: sequence ${b.sequence} was created after ${a.sequence} had been acknowledged`,
            events: [...eventsOf(a.op), ...eventsOf(b.op)],
          });
        }
      }
    }
  }
  return anomalies;
}

/**
 * Ephemeral registrations: gone once their session expired (after a grace
 * for the news to reach readers), and present while their session lives.
 */
export function checkEphemerals(
  ops: readonly PairedOp[],
  events: readonly HistoryEvent[],
  graceNs: number,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const expiredAt = new Map<string, HistoryEvent>();
  for (const event of events) {
    if (
      event.f === "session" &&
      (event.value as { event?: string }).event === "expired" &&
      event.session
    ) {
      expiredAt.set(event.session, event);
    }
  }
  type Registration = { op: PairedOp; session: string; path: string; w: string; until: number };
  const registrations: Registration[] = [];
  const byProcess = new Map<string, PairedOp[]>();
  for (const op of ops)
    byProcess.set(String(op.invoke.process), [
      ...(byProcess.get(String(op.invoke.process)) ?? []),
      op,
    ]);
  for (const [, list] of byProcess) {
    for (const [index, op] of list.entries()) {
      if (op.invoke.f !== "register-host" || op.type !== "ok" || !op.completion?.session) continue;
      const invoke = op.invoke.value as { root: string; ops: { path: string; data: string }[] };
      const first = invoke.ops[0];
      if (!first) continue;
      const w = (JSON.parse(first.data) as { w?: string }).w ?? "";
      // It lives until this process deregisters (or its session ends).
      const end = list
        .slice(index + 1)
        .find((later) => later.invoke.f === "deregister-host" && later.type !== "fail");
      registrations.push({
        op,
        session: op.completion.session,
        path: first.path,
        w,
        until: end?.invoke.time ?? Number.POSITIVE_INFINITY,
      });
    }
  }
  for (const registration of registrations) {
    const expired = expiredAt.get(registration.session);
    for (const op of byProcess.get(String(registration.op.invoke.process)) ?? []) {
      if (op.invoke.f !== "read-subtree" || op.type !== "ok") continue;
      const value = op.completion?.value as SnapshotValue;
      if (!value.consistent) continue;
      const node = value.nodes[registration.path];
      const holds = node?.[0].includes(`"w":"${registration.w}"`) === true;
      const completed = op.completion?.time ?? 0;
      if (expired && op.invoke.time > expired.time + graceNs && holds) {
        anomalies.push({
          kind: "ephemeral-outlived-session",
          message: `${registration.path} (registered by session ${registration.session}) was still there after the session expired`,
          events: [...eventsOf(registration.op), expired.index, ...eventsOf(op)],
        });
      }
      const alive =
        (expired === undefined || completed < expired.time) &&
        op.completion?.session === registration.session;
      if (
        alive &&
        op.invoke.time > (registration.op.completion?.time ?? 0) &&
        completed < registration.until &&
        !holds
      ) {
        anomalies.push({
          kind: "ephemeral-vanished-early",
          message: `${registration.path} vanished while session ${registration.session}, which registered it, was alive`,
          events: [...eventsOf(registration.op), ...eventsOf(op)],
        });
      }
    }
  }
  return anomalies;
}
