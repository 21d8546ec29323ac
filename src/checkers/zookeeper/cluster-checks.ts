import type { HistoryEvent } from "../../history/event.js";
import type { Anomaly } from "../verdict.js";

/** After healing, every server holds the same tree: compares the final reads. */
export function checkConvergence(finalReads: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  servers: number;
} {
  const reads = finalReads.filter((event) => event.type === "ok");
  const anomalies: Anomaly[] = [];
  const [first, ...rest] = reads;
  if (first === undefined) return { anomalies, servers: 0 };
  const nodesOf = (event: HistoryEvent) =>
    (event.value as { nodes: Record<string, [string, number, string]> }).nodes;
  const reference = nodesOf(first);
  for (const other of rest) {
    const nodes = nodesOf(other);
    const paths = new Set([...Object.keys(reference), ...Object.keys(nodes)]);
    const differing = [...paths].filter(
      (path) =>
        JSON.stringify(reference[path]?.slice(0, 2)) !== JSON.stringify(nodes[path]?.slice(0, 2)),
    );
    if (differing.length > 0) {
      anomalies.push({
        kind: "divergent-final-state",
        message: `servers ${first.server} and ${other.server} hold different trees after healing (${differing.length} znodes differ, e.g. ${differing.slice(0, 3).join(", ")})`,
        events: [first.index, other.index],
      });
    }
  }
  return { anomalies, servers: reads.length };
}

/** At most one leader per epoch, from the observer's srvr samples. */
export function checkLeaders(events: readonly HistoryEvent[]): {
  anomalies: Anomaly[];
  epochs: number;
} {
  const leaders = new Map<number, Map<number, number>>();
  for (const event of events) {
    if (event.process !== "observer" || event.f !== "status" || event.type !== "ok") continue;
    const statuses =
      (event.value as { statuses?: Record<string, { mode?: string; epoch?: number }> }).statuses ??
      {};
    for (const [id, status] of Object.entries(statuses)) {
      if (status.mode !== "leader" || status.epoch === undefined) continue;
      const byEpoch = leaders.get(status.epoch) ?? new Map<number, number>();
      if (!byEpoch.has(Number(id))) byEpoch.set(Number(id), event.index);
      leaders.set(status.epoch, byEpoch);
    }
  }
  const anomalies: Anomaly[] = [];
  for (const [epoch, byServer] of leaders) {
    if (byServer.size > 1) {
      anomalies.push({
        kind: "two-leaders-one-epoch",
        message: `servers ${[...byServer.keys()].join(" and ")} both reported themselves leader of epoch ${epoch}`,
        events: [...byServer.values()],
      });
    }
  }
  return { anomalies, epochs: leaders.size };
}
