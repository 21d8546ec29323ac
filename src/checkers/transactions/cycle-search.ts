/**
 * Cycles in a dependency graph, as Elle searches them: strongly connected
 * components first (Tarjan), then in each the most telling cycle: with the
 * fewest kinds of order (data only, then session, then real time), and of
 * those the gravest class (G0, G1c, G-single, G2-item), each by a shortest
 * path (breadth first).
 */
import type { Anomaly } from "../verdict.js";
import { type CycleStep, cycleAnomaly, type EdgeKind } from "./cycle.js";
import type { DependencyGraph, Edge } from "./dependency-graph.js";
import type { Txn } from "./txn.js";

/** Strongly connected components with more than one vertex (iterative Tarjan). */
export function stronglyConnected(out: readonly (readonly Edge[])[]): number[][] {
  const size = out.length;
  const index = new Int32Array(size).fill(-1);
  const low = new Int32Array(size);
  const onStack = new Uint8Array(size);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < size; root++) {
    if (index[root] !== -1) continue;
    const work: { vertex: number; edge: number }[] = [{ vertex: root, edge: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1] as { vertex: number; edge: number };
      const edges = out[frame.vertex] as readonly Edge[];
      if (frame.edge < edges.length) {
        const next = (edges[frame.edge++] as Edge).to;
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack.push(next);
          onStack[next] = 1;
          work.push({ vertex: next, edge: 0 });
        } else if (onStack[next])
          low[frame.vertex] = Math.min(low[frame.vertex] as number, index[next] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent)
        low[parent.vertex] = Math.min(low[parent.vertex] as number, low[frame.vertex] as number);
      if (low[frame.vertex] === index[frame.vertex]) {
        const component: number[] = [];
        let vertex: number;
        do {
          vertex = stack.pop() as number;
          onStack[vertex] = 0;
          component.push(vertex);
        } while (vertex !== frame.vertex);
        if (component.length > 1) components.push(component);
      }
    }
  }
  return components;
}

/** Which order edges a search may use beside the data dependencies. */
const EXTENSIONS: readonly (readonly EdgeKind[])[] = [[], ["process"], ["process", "realtime"]];

/** The shortest path from `from` to `to` inside the component over allowed edges, as steps. */
function shortestPath(
  graph: DependencyGraph,
  inside: Set<number>,
  from: number,
  to: number,
  allowed: (edge: Edge) => boolean,
): { from: number; edge: Edge }[] | undefined {
  const parent = new Map<number, { from: number; edge: Edge }>();
  const queue = [from];
  const seen = new Set([from]);
  for (let head = 0; head < queue.length; head++) {
    const vertex = queue[head] as number;
    for (const edge of graph.out[vertex] as Edge[]) {
      if (!inside.has(edge.to) || !allowed(edge)) continue;
      if (edge.to === to) {
        const path = [{ from: vertex, edge }];
        let at = vertex;
        while (at !== from) {
          const step = parent.get(at) as { from: number; edge: Edge };
          path.unshift(step);
          at = step.from;
        }
        return path;
      }
      if (seen.has(edge.to)) continue;
      seen.add(edge.to);
      parent.set(edge.to, { from: vertex, edge });
      queue.push(edge.to);
    }
  }
  return undefined;
}

const toSteps = (
  txns: readonly Txn[],
  path: readonly { from: number; edge: Edge }[],
): CycleStep[] =>
  path.map(({ from, edge }) => ({
    from: txns[from] as Txn,
    to: txns[edge.to] as Txn,
    edge: edge.kind,
    ...(edge.key !== undefined ? { key: edge.key } : {}),
  }));

/** A cycle of the component that uses only `kinds` (no anti-dependency), if any. */
function cycleWithout(
  graph: DependencyGraph,
  component: readonly number[],
  kinds: ReadonlySet<EdgeKind>,
) {
  const allowed = (edge: Edge) => kinds.has(edge.kind);
  // A cycle of the restricted graph lies in one of its own components (numbered locally: components are small).
  const local = new Map(component.map((vertex, at) => [vertex, at]));
  const restricted = component.map((vertex) =>
    (graph.out[vertex] as Edge[])
      .filter((edge) => local.has(edge.to) && allowed(edge))
      .map((edge) => ({ ...edge, to: local.get(edge.to) as number })),
  );
  const [sub] = stronglyConnected(restricted);
  if (sub === undefined) return undefined;
  const members = new Set(sub.map((at) => component[at] as number));
  const start = component[sub[0] as number] as number;
  return shortestPath(graph, members, start, start, allowed);
}

/** A cycle with exactly one anti-dependency: an rw edge and a path back over the others. */
function cycleWithOneRw(
  graph: DependencyGraph,
  component: readonly number[],
  kinds: ReadonlySet<EdgeKind>,
  deadline: number,
) {
  const inside = new Set(component);
  for (const from of component) {
    for (const edge of graph.out[from] as Edge[]) {
      if (edge.kind !== "rw" || !inside.has(edge.to)) continue;
      if (performance.now() > deadline) return "timeout" as const;
      const back = shortestPath(graph, inside, edge.to, from, (candidate) =>
        kinds.has(candidate.kind),
      );
      if (back) return [{ from, edge }, ...back];
    }
  }
  return undefined;
}

/** The most telling cycle of one component, or a timeout. */
function componentCycle(
  graph: DependencyGraph,
  component: readonly number[],
  deadline: number,
): CycleStep[] | "timeout" {
  let timedOut = false;
  for (const extension of EXTENSIONS) {
    const ww = new Set<EdgeKind>(["ww", ...extension]);
    const data = new Set<EdgeKind>(["ww", "wr", ...extension]);
    const g0 = cycleWithout(graph, component, ww);
    if (g0) return toSteps(graph.txns, g0);
    const g1c = cycleWithout(graph, component, data);
    if (g1c) return toSteps(graph.txns, g1c);
    const single = cycleWithOneRw(graph, component, data, deadline);
    if (single === "timeout") timedOut = true;
    else if (single) return toSteps(graph.txns, single);
    const any = cycleWithout(graph, component, new Set<EdgeKind>([...data, "rw"]));
    if (any) return toSteps(graph.txns, any);
  }
  return timedOut ? "timeout" : [];
}

/** One anomaly per component with a cycle (the cap keeps reports short; counts stay exact). */
export function searchCycles(
  graph: DependencyGraph,
  budgetMs: number,
  cap = 50,
): { anomalies: Anomaly[]; components: number; largest: number; timedOut: number } {
  const deadline = performance.now() + budgetMs;
  const components = stronglyConnected(graph.out).sort((a, b) => a.length - b.length);
  const anomalies: Anomaly[] = [];
  let timedOut = 0;
  for (const component of components) {
    if (anomalies.length >= cap) break;
    const cycle = componentCycle(graph, component, deadline);
    if (cycle === "timeout" || cycle.length === 0) {
      timedOut++;
      anomalies.push({
        kind: "cycle-search-timeout",
        message: `a cycle exists among ${component.length} transactions (one strongly connected component), but the search for its gravest form ran out of time`,
        events: component.slice(0, 20).map((vertex) => (graph.txns[vertex] as Txn).id),
      });
      continue;
    }
    anomalies.push(cycleAnomaly(cycle));
  }
  return {
    anomalies,
    components: components.length,
    largest: components.reduce((most, component) => Math.max(most, component.length), 0),
    timedOut,
  };
}
