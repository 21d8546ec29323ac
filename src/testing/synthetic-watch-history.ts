import type { HistoryEvent } from "../history/event.js";
import { deriveRandom } from "../util/seeded-random.js";

/** Shape of a synthetic watching history. */
export interface SyntheticWatchOptions {
  /** Watching agents, each watching its own writer's subtree. */
  readonly agents: number;
  /** Znodes per subtree. */
  readonly paths: number;
  /** Writes in all (about six and a half events each). */
  readonly changes: number;
  readonly seed: number;
}

/**
 * A correct history of writers and watching agents, for benchmarks and
 * property tests: every write is acknowledged with its zxid, fires its
 * agent's one-time watch, and the agent re-reads (and so re-watches) and
 * caches it; probes read without a watch; every cache converges at the end.
 */
export function syntheticWatchHistory(options: SyntheticWatchOptions): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const random = deriveRandom(options.seed, "synthetic-watch-history");
  let time = 0;
  let zxid = 1000;
  const add = (event: Omit<HistoryEvent, "index" | "time">) => {
    time += 1000 + Math.floor(random() * 1000);
    events.push({ ...event, index: events.length, time } as HistoryEvent);
  };
  const root = (agent: number) => `/zkchaos/a${agent}`;
  const watcher = (agent: number) => options.agents + agent;
  const session = (agent: number) => `w${agent}`;
  const versions = new Map<string, string>();
  const read = (agent: number, path: string, f = "watch-read") => {
    const value = { path, ...(f === "watch-read" ? { watch: "data" } : {}) };
    add({ process: watcher(agent), type: "invoke", f, value });
    add({
      process: watcher(agent),
      type: "ok",
      f,
      value: { ...value, data: "x", version: 0, mzxid: versions.get(path) as string },
      session: session(agent),
      zxid: String(zxid),
    });
  };
  for (let agent = 0; agent < options.agents; agent++)
    for (let n = 0; n < options.paths; n++) {
      const path = `${root(agent)}/n${n}`;
      versions.set(path, "1");
      read(agent, path);
    }
  for (let change = 0; change < options.changes; change++) {
    const agent = Math.floor(random() * options.agents);
    const n = Math.floor(random() * options.paths);
    const path = `${root(agent)}/n${n}`;
    const value = { root: root(agent), ops: [{ op: "set", path: `n${n}`, data: "x" }] };
    add({ process: agent, type: "invoke", f: "set-mac", value });
    zxid++;
    versions.set(path, String(zxid));
    add({
      process: agent,
      type: "ok",
      f: "set-mac",
      value: { ...value, created: [null], versions: [1] },
      session: `s${agent}`,
      zxid: String(zxid),
    });
    add({
      process: `session-${watcher(agent)}`,
      type: "info",
      f: "notify",
      value: { type: "NodeDataChanged", path },
      session: session(agent),
    });
    read(agent, path);
    add({
      process: `session-${watcher(agent)}`,
      type: "info",
      f: "cache",
      value: { path, version: 1, mzxid: String(zxid) },
      session: session(agent),
    });
    if (random() < 0.2)
      read(agent, `${root(agent)}/n${Math.floor(random() * options.paths)}`, "watch-probe");
  }
  for (let agent = 0; agent < options.agents; agent++) {
    const nodes = Object.fromEntries(
      [...versions]
        .filter(([path]) => path.startsWith(`${root(agent)}/`))
        .map(([path, mzxid]) => [path, ["x", 1, mzxid]]),
    );
    add({
      process: `session-${watcher(agent)}`,
      type: "info",
      f: "watch-end",
      value: { root: root(agent), mode: "one-time", settled: true, connected: true, nodes },
      session: session(agent),
    });
  }
  add({
    process: "observer",
    type: "invoke",
    f: "final-read",
    server: 1,
    value: { root: "/zkchaos" },
  });
  add({
    process: "observer",
    type: "ok",
    f: "final-read",
    server: 1,
    value: {
      root: "/zkchaos",
      nodes: Object.fromEntries(
        [...versions].map(([path, mzxid]) => [path.slice("/zkchaos/".length), ["x", 1, mzxid]]),
      ),
    },
  });
  return events;
}
