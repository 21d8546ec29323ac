/**
 * Ensembles that runs of one shape take in turn (validate: one size's
 * scenarios) instead of starting and stopping servers for each run: a
 * server's JVM costs about a CPU-second to start on this kind of machine, and
 * validate's three sizes started 330 of them.
 * A run takes an ensemble healed and serving, writes under a root of its own,
 * keeps the log lines written while it held it, and gives it back when every
 * server came back after its heal; any other is disposed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Ensemble, hasServerLogs } from "../ensemble/ensemble.js";
import { needsFakeClock, needsLogDisks, needsSlowFsync } from "../faults/fault-spec.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { ProviderChoice } from "../providers/registry.js";
import type { RunPlan } from "../scenario/plan.js";
import { entryOf } from "../util/map-entry.js";

/** An ensemble and the fault network in front of it, started together. */
export interface PooledEnsemble {
  readonly ensemble: Ensemble;
  readonly network: FaultNetwork;
}

/** How long a pooled ensemble may take to show a leader and every server serving before it is replaced. */
const READY_MS = 20_000;

/**
 * Whether a run can take a pooled ensemble: its servers start as any other
 * run's of the same key would (no log disk, slow-fsync preload, fake clock,
 * per-server settings or versions, observers, membership or shared link),
 * nothing records the wire from the servers' start, and the servers are
 * local JVMs, whose log lines stream to the run that holds them.
 */
export function poolable(plan: RunPlan, choice: ProviderChoice): boolean {
  const specs = plan.schedule.map((item) => item.spec);
  return (
    choice.provider === "local" &&
    !plan.wire &&
    plan.link === undefined &&
    plan.members === undefined &&
    plan.observers === undefined &&
    plan.serverSettings === undefined &&
    plan.serverVersions === undefined &&
    !needsLogDisks(specs) &&
    !needsSlowFsync(specs) &&
    !needsFakeClock(specs)
  );
}

/** What makes two runs' ensembles the same: size, settings, release and seed (the network's draws). */
export function poolKey(plan: RunPlan, choice: ProviderChoice): string {
  return JSON.stringify([
    plan.nodes,
    plan.settings,
    plan.zookeeperVersion ?? null,
    choice.zkHome ?? null,
    plan.seed,
  ]);
}

/** Ensembles by key, each held by one run at a time. */
export class EnsemblePool {
  private readonly free = new Map<string, PooledEnsemble[]>();
  private readonly live = new Set<PooledEnsemble>();
  private closed = false;
  /** Ensembles the pool started. */
  started = 0;
  /** Runs that took an ensemble an earlier run gave back. */
  reused = 0;
  private roots = 0;

  /** A znode root of its own for the next run on a pooled ensemble (the last run's may remain). */
  nextRoot(): string {
    this.roots += 1;
    return `/zk-chaos-run-${this.roots}`;
  }

  /** A serving ensemble of this key that no run holds, or a new one from `start`. */
  async take(key: string, start: () => Promise<PooledEnsemble>): Promise<PooledEnsemble> {
    if (this.closed) throw new Error("the ensemble pool is closed");
    const waiting = this.free.get(key) ?? [];
    for (let held = waiting.pop(); held !== undefined; held = waiting.pop()) {
      try {
        await held.ensemble.waitForQuorum({
          timeoutMs: READY_MS,
          servers: held.ensemble.servers.map((server) => server.id),
        });
        this.reused++;
        return held;
      } catch {
        // It did not come back whole since it was given back: a fresh one is cheaper than a doubt.
        await this.dispose(held);
      }
    }
    const held = await start();
    this.live.add(held);
    this.started++;
    return held;
  }

  /** Takes back an ensemble a run held: kept when every server came back, else disposed. */
  async give(key: string, held: PooledEnsemble, healthy: boolean): Promise<void> {
    if (!healthy || this.closed || !this.live.has(held)) {
      await this.dispose(held);
      return;
    }
    entryOf(this.free, key, () => []).push(held);
  }

  /** Disposes every ensemble, held or not; a later take is refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((held) => this.dispose(held)));
    this.free.clear();
  }

  private async dispose(held: PooledEnsemble): Promise<void> {
    this.live.delete(held);
    try {
      await held.ensemble.dispose();
    } finally {
      await held.network.dispose();
    }
  }
}

/** Every line the servers write while a run holds a pooled ensemble, written as the run's logs at the end. */
export class ServerLogCapture {
  private readonly lines = new Map<number, string[]>();
  private readonly unsubscribe: () => void;

  constructor(ensemble: Ensemble) {
    this.unsubscribe = hasServerLogs(ensemble)
      ? ensemble.onServerLog(({ server, line }) => {
          entryOf(this.lines, server, () => []).push(line);
        })
      : () => {};
  }

  /** Stops listening and writes server-<id>.log into `dir` (servers that wrote nothing are skipped). */
  writeInto(dir: string): void {
    this.unsubscribe();
    for (const [server, lines] of this.lines)
      writeFileSync(join(dir, `server-${server}.log`), `${lines.join("\n")}\n`);
  }
}
