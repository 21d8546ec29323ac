import type { Ensemble } from "../ensemble/ensemble.js";
import { ZkChaosError } from "../errors.js";
import { pick, type Random, shuffled } from "../util/seeded-random.js";
import { sleep } from "../util/sleep.js";
import type { Target } from "./fault-spec.js";

/**
 * A fault's target is `same-as` a fault that has not hit a server: it has not
 * started (its trigger never fired, or it comes later), so there is nothing to
 * hit the same way; the run skips the fault, as it does one after a trigger
 * that never fired.
 */
export class UnhitTargetError extends ZkChaosError {
  constructor(readonly named: string) {
    super("SERVER_STATE", `target same-as ${named}: that fault has not hit a server (yet)`);
    this.name = "UnhitTargetError";
  }
}

/**
 * Turns a fault's target into server ids, remembering what each fault hit
 * (for same-as and other-than) and whose log line fired it (for logged).
 */
export class Targets {
  /** The servers each started fault hit, by fault id. */
  private readonly hit = new Map<string, number[]>();
  /** The server whose log line fired a fault's trigger, by fault id. */
  private readonly logged = new Map<string, number>();

  constructor(
    private readonly ensemble: Ensemble,
    private readonly random: Random,
    /** How long to look for a leader when a fault targets it. */
    private readonly leaderTimeoutMs: number,
  ) {}

  /** Remembers what fault `id` hit. */
  recordHit(id: string, servers: readonly number[]): void {
    this.hit.set(id, [...servers]);
  }

  /** Remembers the server whose log line fired fault `id`. */
  recordLogged(id: string, server: number): void {
    this.logged.set(id, server);
  }

  /** Every server id. */
  ids(): number[] {
    return this.ensemble.servers.map((server) => server.id);
  }

  /** The ensemble's observers (non-voting servers). */
  observers(): readonly number[] {
    return this.ensemble.observers ?? [];
  }

  /** The leader now, waited for until the timeout. */
  async leader(): Promise<number> {
    const deadline = performance.now() + this.leaderTimeoutMs;
    for (;;) {
      const leader = await this.ensemble.leader();
      if (leader !== undefined) return leader;
      if (performance.now() > deadline) {
        throw new ZkChaosError(
          "SERVER_STATE",
          "no leader to target: no server reports itself leader",
        );
      }
      await sleep(50);
    }
  }

  /** Resolves a target to `count` distinct running server ids (`id`: the fault being started). */
  async resolve(target: Target | undefined, count = 1, id?: string): Promise<number[]> {
    const running = this.ensemble.servers
      .filter((s) => s.processState === "running")
      .map((s) => s.id);
    const chosen: number[] = [];
    let pool = running;
    if (typeof target === "object") {
      if ("same-as" in target) {
        const earlier = this.hit.get(target["same-as"]);
        if (earlier === undefined) throw new UnhitTargetError(target["same-as"]);
        chosen.push(...earlier);
      } else {
        const excluded = new Set(
          target["other-than"].flatMap((other) => this.hit.get(other) ?? []),
        );
        pool = running.filter((server) => !excluded.has(server));
      }
    } else if (target === "logged") {
      const server = id === undefined ? undefined : this.logged.get(id);
      if (server === undefined)
        throw new ZkChaosError(
          "BAD_INPUT",
          "target 'logged' is the server whose log line fired the fault: give the fault a 'when' trigger",
        );
      chosen.push(server);
    } else if (typeof target === "number") {
      if (!this.ids().includes(target)) {
        throw new ZkChaosError(
          "BAD_INPUT",
          `no server ${target}: ids are ${this.ids().join(", ")}`,
        );
      }
      chosen.push(target);
    } else if (target === "leader") {
      chosen.push(await this.leader());
    } else if (target === "follower") {
      const leader = await this.leader();
      // A follower votes: observers are not followers.
      pool = running.filter((server) => !this.observers().includes(server));
      chosen.push(
        pick(
          this.random,
          pool.filter((server) => server !== leader),
        ),
      );
    } else if (target === "observer") {
      pool = running.filter((server) => this.observers().includes(server));
      if (pool.length === 0)
        throw new ZkChaosError(
          "SERVER_STATE",
          this.observers().length === 0
            ? "target 'observer': this ensemble has no observers (give the scenario 'observers: N')"
            : "target 'observer': no observer is running",
        );
      chosen.push(pick(this.random, pool));
    }
    const rest = shuffled(
      this.random,
      pool.filter((server) => !chosen.includes(server)),
    );
    while (chosen.length < count && rest.length > 0) chosen.push(rest.shift() as number);
    if (chosen.length === 0) throw new ZkChaosError("SERVER_STATE", "no running server to target");
    return chosen;
  }
}
