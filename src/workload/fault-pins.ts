/**
 * Pins resolved at a named fault: workers of a role with `pinAt: <fault id>`
 * learn their servers just before that fault acts ("the leader" then is the
 * leader the fault is about to cut off), open their sessions there, and only
 * then does the fault go ahead. They stay on those servers afterwards.
 */
import type { Ensemble } from "../ensemble/ensemble.js";
import type { HistoryRecorder } from "../history/recorder.js";
import { sleep } from "../util/sleep.js";
import { type Pin, pinnedServers, roleOf, type WorkerRole } from "./roles.js";

interface Waiting {
  readonly servers: Promise<readonly number[] | undefined>;
  readonly resolve: (servers: readonly number[] | undefined) => void;
}

/** The meeting point of the workers pinned at faults and the nemesis that starts those faults. */
export class FaultPins {
  /** Each waiting worker's placement, by worker index. */
  private readonly placements = new Map<number, Waiting>();
  /** Workers that have their session (or gave up), by fault id. */
  private readonly ready = new Map<string, Set<number>>();
  private closed = false;

  constructor(
    private readonly roles: readonly WorkerRole[],
    private readonly ensemble: Ensemble,
    private readonly recorder: HistoryRecorder,
    /** How long a fault waits for its pinned workers' sessions (default 5 s). */
    private readonly connectWaitMs = 5000,
  ) {}

  /** True when some role waits for any fault. */
  static wanted(roles: readonly WorkerRole[] | undefined): boolean {
    return (roles ?? []).some((role) => role.pinAt !== undefined);
  }

  /** The workers (by index) of roles that wait for fault `id`. */
  private workersOf(id: string): number[] {
    const total = this.roles.reduce((sum, role) => sum + role.workers, 0);
    return Array.from({ length: total }, (_, index) => index).filter(
      (index) => roleOf(this.roles, index)?.pinAt === id,
    );
  }

  private waiting(worker: number): Waiting {
    let entry = this.placements.get(worker);
    if (entry === undefined) {
      let resolve: (servers: readonly number[] | undefined) => void = () => {};
      const servers = new Promise<readonly number[] | undefined>((done) => {
        resolve = done;
      });
      entry = { servers, resolve };
      this.placements.set(worker, entry);
      if (this.closed) resolve(undefined);
    }
    return entry;
  }

  /** Worker `index`'s servers once its fault is about to start; undefined if the run ends first. */
  placement(worker: number): Promise<readonly number[] | undefined> {
    return this.waiting(worker).servers;
  }

  /** Worker `index` has opened its session on its servers (or could not). */
  connected(worker: number): void {
    const id = roleOf(this.roles, worker)?.pinAt;
    if (id === undefined) return;
    const set = this.ready.get(id) ?? new Set<number>();
    set.add(worker);
    this.ready.set(id, set);
  }

  /**
   * Called by the nemesis just before fault `id` acts: resolves the pins of
   * the roles that wait for it, records them, and waits (bounded) until their
   * workers have their sessions.
   */
  async beforeFault(id: string): Promise<void> {
    const workers = this.workersOf(id);
    if (workers.length === 0 || this.closed) return;
    const ids = this.ensemble.servers.map((server) => server.id);
    const leader = await this.ensemble.leader();
    const resolved = new Map<Pin, number[]>();
    for (const worker of workers) {
      const pin = roleOf(this.roles, worker)?.pin ?? "leader";
      if (!resolved.has(pin))
        resolved.set(pin, pinnedServers(pin, ids, leader ?? (ids[0] as number)));
      this.waiting(worker).resolve(resolved.get(pin));
    }
    this.recorder.record({
      process: "observer",
      type: "ok",
      f: "pins",
      value: {
        at: id,
        leader,
        pins: Object.fromEntries([...resolved].map(([pin, servers]) => [String(pin), servers])),
      },
    });
    const deadline = performance.now() + this.connectWaitMs;
    while ((this.ready.get(id)?.size ?? 0) < workers.length && performance.now() < deadline)
      await sleep(10);
  }

  /** The run is over: workers still waiting for a fault that never came stop waiting. */
  close(): void {
    this.closed = true;
    for (const entry of this.placements.values()) entry.resolve(undefined);
  }
}
