import { NothingToDamageError } from "../ensemble/data-damage.js";
import {
  canChangeMembers,
  canChangeVersion,
  canDamageData,
  canFillLogDisks,
  canSlowFsync,
  canStarveCpu,
  type Ensemble,
  type EnsembleServer,
  hasServerLogs,
} from "../ensemble/ensemble.js";
import { ZkChaosError } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import { classifyServerLogLine } from "../history/server-log.js";
import type { ToxicSpec } from "../network/fault-network.js";
import type { LinkFaults } from "../network/link-faults.js";
import type { DirectedPair } from "../network/link-topology.js";
import type { ConnectivityView, ServerCondition } from "../quorum/connectivity.js";
import { deriveRandom, pick, type Random, shuffled } from "../util/seeded-random.js";
import {
  DEFAULT_STARVE_CPU,
  type FaultSpec,
  type LinkSelection,
  type ScheduledFault,
  type Target,
} from "./fault-spec.js";
import { joinServer, leaveServer } from "./membership.js";
import {
  bridge,
  isolateGroups,
  majoritiesRing,
  majorityMinority,
  randomHalves,
  splitPairs,
} from "./partitions.js";
import { Supervisor } from "./supervisor.js";
import { TriggerArming } from "./triggers.js";

export type { ScheduledFault } from "./fault-spec.js";

/** A fault in force: what was asked, what it hit, and how to undo it. */
export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  /** What the fault resolved to when it started (servers, groups, links). */
  readonly detail: Readonly<Record<string, unknown>>;
  heal(): Promise<void>;
}

/** What the nemesis works on. */
export interface NemesisOptions {
  readonly ensemble: Ensemble;
  /** Needed for network faults; process faults work without it. */
  readonly network?: LinkFaults;
  readonly recorder?: HistoryRecorder;
  /** Seed of every choice the nemesis makes (random targets and groups). */
  readonly seed: number | string;
  /** How long to look for a leader when a fault targets it (default 10 s). */
  readonly leaderTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** Runs just before each fault acts (workers pinned at that fault take their places). */
  readonly beforeFault?: (id: string, spec: FaultSpec) => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs faults against an ensemble and its network, recording each action in the history. */
export class Nemesis {
  private readonly active = new Map<string, ActiveFault>();
  /** The servers each started fault hit, by fault id (for same-as / other-than targets). */
  private readonly hit = new Map<string, number[]>();
  /** The server whose log line fired a fault's trigger, by fault id. */
  private readonly logged = new Map<string, number>();
  private supervisor: Supervisor | undefined;
  /** Servers held to a fraction of a core. */
  private readonly starved = new Set<number>();
  private readonly random: Random;
  private counter = 0;

  constructor(private readonly options: NemesisOptions) {
    this.random = deriveRandom(options.seed, "nemesis");
  }

  /** The current connectivity: process conditions plus what the network blocks. */
  view(): ConnectivityView {
    const { ensemble, network } = this.options;
    const conditions: Record<number, ServerCondition> = {};
    for (const server of ensemble.servers) {
      conditions[server.id] =
        server.processState === "running"
          ? this.starved.has(server.id)
            ? "slow"
            : "up"
          : server.processState === "paused"
            ? "paused"
            : "down";
    }
    const net = network?.view();
    // With membership changes: the members vote; a running server outside them (a joiner
    // syncing, not yet added) serves as an observer would; the others are not in the view.
    const members = canChangeMembers(ensemble) ? ensemble.members : undefined;
    const ids = ensemble.servers.map((server) => server.id);
    const outsiders =
      members === undefined
        ? []
        : ids.filter((server) => !members.includes(server) && conditions[server] !== "down");
    const observers = [...this.observers(), ...outsiders];
    return {
      servers:
        members === undefined
          ? ids
          : ids.filter((server) => members.includes(server) || outsiders.includes(server)),
      conditions,
      blocked: net?.blocked ?? [],
      clientsBlocked: net?.clientsBlocked ?? [],
      ...(observers.length > 0 ? { observers } : {}),
    };
  }

  /**
   * Starts a supervisor that restarts any server down for `restartAfterMs`
   * (each restart a history event, with the connectivity after it); returns
   * the function that stops it.
   */
  supervise(restartAfterMs: number): () => Promise<void> {
    const supervisor = new Supervisor({
      // A server outside the membership (waiting to join, or removed) is down on purpose.
      servers: () => {
        const ensemble = this.options.ensemble;
        const members = canChangeMembers(ensemble) ? ensemble.members : undefined;
        return ensemble.servers.filter(
          (server) => members === undefined || members.includes(server.id),
        );
      },
      restartAfterMs,
      onRestart: (server, downMs) => {
        this.record("info", "supervisor-restart", { server, downMs: Math.round(downMs) });
        this.recordView();
        this.options.log?.(
          `supervisor: restarted server ${server} after ${Math.round(downMs)} ms down`,
        );
      },
      onError: (server, error) =>
        this.record("info", "supervisor-restart", { server, error: error.message }),
    });
    this.supervisor = supervisor;
    return async () => {
      await supervisor.stop();
      this.supervisor = undefined;
    };
  }

  /** Runs an action that starts servers, never beside a supervisor's restart. */
  private exclusive<T>(act: () => Promise<T>): Promise<T> {
    return this.supervisor ? this.supervisor.exclusive(act) : act();
  }

  /** Faults in force. */
  activeFaults(): ActiveFault[] {
    return [...this.active.values()];
  }

  /** Starts a fault now and records it; `logged` is the server whose log line triggered it. */
  async start(spec: FaultSpec, id = `f${++this.counter}`, logged?: number): Promise<ActiveFault> {
    this.record("invoke", spec.kind, { id, spec });
    if (logged !== undefined) this.logged.set(id, logged);
    let fault: ActiveFault;
    try {
      await this.options.beforeFault?.(id, spec);
      fault = await this.apply(id, spec);
    } catch (error) {
      this.record("info", spec.kind, { id, spec, error: (error as Error).message });
      throw error;
    }
    this.active.set(id, fault);
    const servers = fault.detail.servers;
    if (Array.isArray(servers)) this.hit.set(id, servers as number[]);
    this.record("info", spec.kind, { id, spec, ...fault.detail });
    this.recordView();
    this.options.log?.(`nemesis: ${id} ${spec.kind} ${JSON.stringify(fault.detail)}`);
    return fault;
  }

  /** Heals one fault and records it. */
  async heal(id: string): Promise<void> {
    const fault = this.active.get(id);
    if (fault === undefined) return;
    this.record("invoke", "heal", { id, kind: fault.spec.kind });
    await fault.heal();
    this.active.delete(id);
    this.record("info", "heal", { id, kind: fault.spec.kind });
    this.recordView();
    this.options.log?.(`nemesis: healed ${id} ${fault.spec.kind}`);
  }

  /**
   * Restores everything: every link, every paused server resumed, every
   * stopped server restarted. Run at setup and teardown so no run starts
   * with, or leaves behind, a fault.
   */
  async healAll(): Promise<void> {
    this.record("invoke", "heal-all", {});
    for (const id of [...this.active.keys()]) await this.heal(id).catch(() => undefined);
    await this.options.network?.healAll();
    // Servers outside the membership (not yet joined, or removed) stay as they are.
    const ensemble = this.options.ensemble;
    const members = canChangeMembers(ensemble) ? ensemble.members : undefined;
    await this.exclusive(async () => {
      for (const server of ensemble.servers) {
        if (members !== undefined && !members.includes(server.id)) continue;
        if (server.processState === "paused") await server.resume();
        else if (server.processState === "stopped") await server.restart();
      }
    });
    this.record("info", "heal-all", {});
    this.recordView();
  }

  /**
   * Runs a schedule in time order from now: each fault starts at its offset
   * (or on its trigger, armed for `armedForMs`) and is healed after its duration. Stops early (healing what it started)
   * when the signal aborts. Everything is healed at the end.
   */
  async run(
    schedule: readonly ScheduledFault[],
    signal?: AbortSignal,
    /** How long triggered faults stay armed (default: until the last timed step). */
    armedForMs = 0,
  ): Promise<void> {
    const started = performance.now();
    type Step = { at: number; act: () => Promise<void> };
    const steps: Step[] = [];
    const triggered = schedule.filter(
      (item) => item.when !== undefined || item.after !== undefined,
    );
    const arming =
      triggered.length > 0
        ? this.armTriggers(triggered, started, signal, await this.roles(triggered))
        : undefined;
    for (const item of schedule) {
      if (triggered.includes(item)) continue;
      steps.push({
        at: item.at,
        act: async () => {
          await this.start(item.spec, item.id);
          arming?.started(item.id);
        },
      });
      steps.push({ at: item.at + item.durationMs, act: () => this.heal(item.id) });
    }
    steps.sort((a, b) => a.at - b.at);
    try {
      for (const step of steps) {
        const wait = step.at - (performance.now() - started);
        if (wait > 0) await abortableSleep(wait, signal);
        if (signal?.aborted) break;
        await step.act();
      }
      // Triggers wait for their moment until the run's time is up.
      while (arming && arming.unfired().length > 0 && performance.now() - started < armedForMs) {
        await abortableSleep(Math.min(50, armedForMs - (performance.now() - started)), signal);
        if (signal?.aborted) break;
      }
      await arming?.settled(signal);
    } finally {
      arming?.close();
      for (const id of arming?.unfired() ?? [])
        this.record("info", "trigger", { id, fired: false });
      await this.healAll();
    }
  }

  /** Every server's role now, when a trigger filters on roles (later log lines keep it current). */
  private async roles(
    items: readonly ScheduledFault[],
  ): Promise<Map<number, "leader" | "follower" | "looking">> {
    const roles = new Map<number, "leader" | "follower" | "looking">();
    const wanted = items.some(
      (item) => item.when?.server === "leader" || item.when?.server === "follower",
    );
    if (!wanted) return roles;
    for (const [id, status] of await this.options.ensemble.statuses()) {
      if (status.state !== "serving") roles.set(id, "looking");
      else if (status.mode === "leader" || status.mode === "standalone") roles.set(id, "leader");
      else roles.set(id, "follower");
    }
    return roles;
  }

  /** Arms the triggered faults: each fires once, on its line or after its fault, then heals after its duration. */
  private armTriggers(
    items: readonly ScheduledFault[],
    started: number,
    signal: AbortSignal | undefined,
    roles: ReadonlyMap<number, "leader" | "follower" | "looking">,
  ): TriggerArming {
    const { ensemble } = this.options;
    const needsLogs = items.some((item) => item.when !== undefined);
    if (needsLogs && !hasServerLogs(ensemble)) {
      throw new ZkChaosError(
        "BAD_INPUT",
        `faults triggered by server log lines need an ensemble that streams its logs; the ${ensemble.provider} provider does not`,
      );
    }
    return new TriggerArming({
      items,
      startedAt: started,
      roles,
      ...(signal ? { signal } : {}),
      ...(needsLogs && hasServerLogs(ensemble)
        ? { subscribe: (listener) => ensemble.onServerLog(listener) }
        : {}),
      fire: async (item, logged, line) => {
        if (line !== undefined)
          this.record("info", "trigger", { id: item.id, server: logged, line, when: item.when });
        await this.start(item.spec, item.id, logged);
      },
      heal: (id) => this.heal(id),
      log: (line) => this.options.log?.(line),
    });
  }

  private record(type: "invoke" | "info", f: string, value: unknown): void {
    this.options.recorder?.record({ process: "nemesis", type, f, value });
  }

  private recordView(): void {
    this.options.recorder?.record({
      process: "nemesis",
      type: "info",
      f: "connectivity",
      value: this.view(),
    });
  }

  private ids(): number[] {
    return this.options.ensemble.servers.map((server) => server.id);
  }

  private requireNetwork(kind: string): LinkFaults {
    if (this.options.network === undefined) {
      throw new ZkChaosError(
        "BAD_INPUT",
        `fault '${kind}' needs the fault network: start the ensemble with one`,
      );
    }
    return this.options.network;
  }

  private async leader(): Promise<number> {
    const deadline = performance.now() + (this.options.leaderTimeoutMs ?? 10_000);
    for (;;) {
      const leader = await this.options.ensemble.leader();
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

  /** A join or a leave: a reconfig, waited for until committed; permanent like an upgrade. */
  private async changeMembers(
    id: string,
    spec: Extract<FaultSpec, { kind: "join" | "leave" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canChangeMembers,
      spec.kind,
      "an ensemble started for membership changes (a scenario with members:, 3.5+)",
    );
    const members = ensemble.members ?? [];
    let target: number;
    if (spec.kind === "join") {
      const waiting = ensemble.servers
        .map((server) => server.id)
        .filter(
          (server) =>
            !members.includes(server) && ensemble.server(server).processState !== "running",
        );
      if (typeof spec.target === "number") target = spec.target;
      else if (waiting.length === 0)
        throw new ZkChaosError("SERVER_STATE", "join: every server is a member already");
      else target = pick(this.random, waiting);
      if (members.includes(target))
        throw new ZkChaosError("SERVER_STATE", `join: server ${target} is a member already`);
    } else {
      target = await this.oneTarget(spec.target, id);
      if (!members.includes(target))
        throw new ZkChaosError("SERVER_STATE", `leave: server ${target} is not a member`);
    }
    const now = await this.exclusive(() =>
      spec.kind === "join" ? joinServer(ensemble, target) : leaveServer(ensemble, target),
    );
    return { id, spec, detail: { servers: [target], members: now }, heal: async () => {} };
  }

  /** The ensemble's observers (non-voting servers). */
  private observers(): readonly number[] {
    return this.options.ensemble.observers ?? [];
  }

  /** Resolves targets to `count` distinct running server ids (`id`: the fault being started). */
  private async resolve(target: Target | undefined, count = 1, id?: string): Promise<number[]> {
    const running = this.options.ensemble.servers
      .filter((s) => s.processState === "running")
      .map((s) => s.id);
    const chosen: number[] = [];
    let pool = running;
    if (typeof target === "object") {
      if ("same-as" in target) {
        const earlier = this.hit.get(target["same-as"]);
        if (earlier === undefined)
          throw new ZkChaosError(
            "SERVER_STATE",
            `target same-as ${target["same-as"]}: that fault has not hit a server (yet)`,
          );
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

  private links(selection: LinkSelection | undefined): DirectedPair[] {
    if (selection === undefined || selection === "all") {
      const ids = this.ids();
      return ids.flatMap((from) => ids.filter((to) => to !== from).map((to) => ({ from, to })));
    }
    return selection.map(([from, to]) => ({ from, to }));
  }

  private servers(ids: readonly number[]): EnsembleServer[] {
    return ids.map((id) => this.options.ensemble.server(id));
  }

  private async partition(
    id: string,
    spec: FaultSpec,
    pairs: DirectedPair[],
    mode: "refuse" | "blackhole" | undefined,
    detail: Record<string, unknown>,
  ): Promise<ActiveFault> {
    const network = this.requireNetwork(spec.kind);
    await network.block(pairs, mode ?? "refuse", id);
    return {
      id,
      spec,
      detail: { ...detail, mode: mode ?? "refuse" },
      heal: () => network.unblock(id),
    };
  }

  private async degrade(
    id: string,
    spec: FaultSpec,
    toxic: ToxicSpec,
    links: LinkSelection | undefined,
  ): Promise<ActiveFault> {
    const network = this.requireNetwork(spec.kind);
    const pairs = this.links(links);
    await network.degrade(id, pairs, toxic);
    return {
      id,
      spec,
      detail: {
        toxic: toxic.type,
        attributes: toxic.attributes,
        links: pairs.map((p) => [p.from, p.to]),
      },
      heal: () => network.undegrade(id),
    };
  }

  /** Fills a server's log disk; the heal frees it and, like an operator once there is room, starts the server if it died. */
  private async fillDisk(
    id: string,
    spec: Extract<FaultSpec, { kind: "disk-full" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canFillLogDisks,
      "disk-full",
      "servers whose transaction log has a disk of its own (local JVMs or containers started with logDiskMb)",
    );
    const target = await this.oneTarget(spec.target, id);
    const filledBytes = await ensemble.fillLogDisk(target);
    const heal = async () => {
      await ensemble.freeLogDisk(target);
      await this.exclusive(async () => {
        const server = ensemble.server(target);
        const died = server.processState === "stopped";
        this.record("info", "disk-freed", { id, server: target, restarted: died });
        if (died) await server.restart();
      });
    };
    return { id, spec, detail: { servers: [target], filledBytes }, heal };
  }

  /** Holds a server to a fraction of a core; it stays a voter ("slow" in the connectivity view). */
  private async starve(
    id: string,
    spec: Extract<FaultSpec, { kind: "starve" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canStarveCpu,
      "starve",
      "servers whose processes the harness can put in a cgroup (local JVMs or containers, as root)",
    );
    const target = await this.oneTarget(spec.target, id);
    const cpu = spec.cpu ?? DEFAULT_STARVE_CPU;
    const how = await ensemble.starveCpu(target, cpu);
    this.starved.add(target);
    const heal = async () => {
      const got = await ensemble.feedCpu(target);
      this.starved.delete(target);
      // The kernel's measure of what the server got: proof the cap held.
      this.record("info", "fed", { id, server: target, cpu, ...(got ?? {}) });
    };
    return { id, spec, detail: { servers: [target], cpu, how }, heal };
  }

  /**
   * Kills a server, damages its data, starts it again. A server that then
   * refuses to start is, at the heal, wiped and started (an operator's fix,
   * after which it resynchronises from the leader).
   */
  private async damage(
    id: string,
    spec: Extract<FaultSpec, { kind: "wipe" | "corrupt" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canDamageData,
      spec.kind,
      "servers whose data folders are on this machine (local JVMs or bind-mounted containers)",
    );
    const target = await this.oneTarget(spec.target, id);
    const server = ensemble.server(target);
    const damage = spec.kind === "wipe" ? "wipe" : (spec.damage ?? "flip-log");
    const report = await this.exclusive(async () => {
      await server.kill();
      try {
        return await ensemble.damageData(target, damage, this.random);
      } catch (error) {
        // A server with nothing of the kind yet (e.g. fresh from a snapshot after an earlier
        // fault): the fault happened, it found nothing to damage; the run goes on.
        if (!(error instanceof NothingToDamageError)) throw error;
        return { damage, files: [], nothingDamaged: error.message };
      } finally {
        await server.restart();
      }
    });
    // Whether ZooKeeper took the damaged data is known once it has read it: it begins an election, or exits.
    const outcome = await loadOutcome(ensemble, target, 20_000);
    const heal = async () => {
      await this.exclusive(async () => {
        if (server.processState !== "stopped") return;
        const exit = server.exitDescription;
        await ensemble.damageData(target, "wipe", this.random);
        await server.restart();
        this.record("info", "data-repaired", {
          id,
          server: target,
          refused: exit ?? "exited",
          wiped: true,
        });
      });
    };
    return { id, spec, detail: { servers: [target], ...report, outcome }, heal };
  }

  /** Makes every fsync of a server's log wait; the heal restores it and records how many fsyncs waited. */
  private async slowFsync(
    id: string,
    spec: Extract<FaultSpec, { kind: "slow-fsync" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canSlowFsync,
      spec.kind,
      "servers whose transaction log is on the slow-fsync file system (the local provider, started for it)",
    );
    const target = await this.oneTarget(spec.target, id);
    const before = await ensemble.setFsyncDelay(target, spec.delay);
    const heal = async () => {
      const after = await ensemble.setFsyncDelay(target, 0);
      this.record("info", "fsync-restored", { id, server: target, slowedFsyncs: after - before });
    };
    return { id, spec, detail: { servers: [target], delayMs: spec.delay }, heal };
  }

  /** Restarts a server on read-only data folders; the heal makes them writable and starts it if it died. */
  private async readOnly(
    id: string,
    spec: Extract<FaultSpec, { kind: "read-only" }>,
  ): Promise<ActiveFault> {
    const ensemble = this.requireAbility(
      canDamageData,
      "read-only",
      "servers whose data folders are on this machine (local JVMs or bind-mounted containers)",
    );
    const target = await this.oneTarget(spec.target, id);
    const server = ensemble.server(target);
    const folders = await this.exclusive(async () => {
      await server.kill();
      try {
        return await ensemble.setDataReadOnly(target, true);
      } finally {
        await server.restart();
      }
    });
    // Known before the fault returns, as for damaged data: it refused (or somehow ran), so a
    // heal that comes soon (a container still starting) sees the server as it will be.
    const outcome = await loadOutcome(ensemble, target, 20_000);
    const heal = () =>
      this.exclusive(async () => {
        await ensemble.setDataReadOnly(target, false);
        const died = server.processState === "stopped";
        this.record("info", "data-writable", {
          id,
          server: target,
          restarted: died,
          ...(died ? { exit: server.exitDescription ?? "exited" } : {}),
        });
        if (died) await server.restart();
      });
    return { id, spec, detail: { servers: [target], folders, outcome }, heal };
  }

  /** The ensemble, if it has the ability a fault needs; else a bad-input error naming what is missing. */
  private requireAbility<E extends Ensemble>(
    has: (ensemble: Ensemble) => ensemble is E,
    kind: string,
    needs: string,
  ): E {
    const ensemble = this.options.ensemble;
    if (!has(ensemble)) {
      throw new ZkChaosError(
        "BAD_INPUT",
        `fault '${kind}' needs ${needs}; this ensemble is ${ensemble.provider}`,
      );
    }
    return ensemble;
  }

  /** The one running server a fault hits (random when the scenario names none). */
  private async oneTarget(target: Target | undefined, id: string): Promise<number> {
    return (await this.resolve(target ?? "random", 1, id))[0] as number;
  }

  private async apply(id: string, spec: FaultSpec): Promise<ActiveFault> {
    const ids = this.ids();
    switch (spec.kind) {
      case "kill":
      case "stop":
      case "pause": {
        const targets = await this.resolve(spec.target ?? "random", spec.count ?? 1, id);
        const servers = this.servers(targets);
        // Never beside a supervisor's restart: a server half-started would shrug the fault off.
        await this.exclusive(() =>
          Promise.all(
            servers.map((server) =>
              spec.kind === "kill"
                ? server.kill()
                : spec.kind === "stop"
                  ? server.stop()
                  : server.pause(),
            ),
          ),
        );
        const heal = () =>
          this.exclusive(async () => {
            await Promise.all(
              servers.map((server) =>
                spec.kind === "pause"
                  ? server.resume()
                  : // A supervisor may have brought it back already: a running server needs nothing.
                    server.processState === "running"
                    ? undefined
                    : server.restart(),
              ),
            );
          });
        return { id, spec, detail: { servers: targets }, heal };
      }
      case "restart": {
        const [target] = await this.resolve(spec.target ?? "random", 1, id);
        await this.options.ensemble.server(target as number).restart();
        return { id, spec, detail: { servers: [target] }, heal: async () => {} };
      }
      case "join":
      case "leave":
        return this.changeMembers(id, spec);
      case "upgrade":
      case "downgrade": {
        const ensemble = this.options.ensemble;
        if (!canChangeVersion(ensemble)) {
          throw new ZkChaosError(
            "BAD_INPUT",
            `fault '${spec.kind}' needs an ensemble whose servers can change version (the local or ssh provider); this one is ${ensemble.provider}`,
          );
        }
        const [target] = await this.resolve(spec.target ?? "random", 1, id);
        const from = ensemble.serverVersion(target as number);
        await ensemble.changeVersion(target as number, spec.version);
        // Permanent, like a restart: the server stays on its new version.
        return {
          id,
          spec,
          detail: { servers: [target], from, to: spec.version },
          heal: async () => {},
        };
      }
      case "disk-full":
        return this.fillDisk(id, spec);
      case "starve":
        return this.starve(id, spec);
      case "wipe":
      case "corrupt":
        return this.damage(id, spec);
      case "read-only":
        return this.readOnly(id, spec);
      case "slow-fsync":
        return this.slowFsync(id, spec);
      case "isolate": {
        const [target] = await this.resolve(spec.target ?? "random", 1, id);
        const groups = isolateGroups(target as number, ids);
        return this.partition(id, spec, splitPairs(groups), spec.mode, {
          groups,
          servers: [target],
        });
      }
      case "partition": {
        const groups =
          spec.groups === "random-halves"
            ? randomHalves(this.random, ids)
            : spec.groups === "majority-minority"
              ? majorityMinority(this.random, ids)
              : spec.groups.map((group) => [...group]);
        return this.partition(id, spec, splitPairs(groups), spec.mode, { groups });
      }
      case "bridge": {
        const plan = bridge(this.random, ids);
        return this.partition(id, spec, plan.pairs, spec.mode, {
          bridge: plan.bridge,
          groups: plan.halves,
        });
      }
      case "ring": {
        const plan = majoritiesRing(this.random, ids);
        return this.partition(id, spec, plan.pairs, spec.mode, { ring: plan.ring });
      }
      case "one-way": {
        const [from] = await this.resolve(spec.from, 1, id);
        const others = ids.filter((candidate) => candidate !== from);
        const to =
          typeof spec.to === "number"
            ? spec.to
            : spec.to === "leader"
              ? await this.leader()
              : spec.to === "random" || spec.to === "follower"
                ? pick(this.random, others)
                : ((await this.resolve(spec.to, 1, id))[0] as number);
        // One-way cuts cannot refuse connections (both directions share them): black-hole the direction.
        return this.partition(id, spec, [{ from: from as number, to }], "blackhole", { from, to });
      }
      case "client-isolate": {
        const network = this.requireNetwork(spec.kind);
        const [target] = await this.resolve(spec.target ?? "random", 1, id);
        await network.blockClients(target as number, spec.mode ?? "refuse");
        return {
          id,
          spec,
          detail: { server: target },
          heal: () => network.unblockClients(target as number),
        };
      }
      case "latency":
        return this.degrade(
          id,
          spec,
          { type: "latency", attributes: { latency: spec.latency, jitter: spec.jitter ?? 0 } },
          spec.links,
        );
      case "bandwidth":
        return this.degrade(
          id,
          spec,
          { type: "bandwidth", attributes: { rate: spec.rate } },
          spec.links,
        );
      case "loss":
        return this.degrade(
          id,
          spec,
          { type: "loss", attributes: { probability: spec.rate } },
          spec.links,
        );
      case "flaky":
        return this.degrade(
          id,
          spec,
          spec.style === "slicer"
            ? {
                type: "slicer",
                attributes: { average_size: 16, size_variation: 8, delay: 500 },
                toxicity: spec.toxicity ?? 1,
              }
            : {
                type: "reset_peer",
                attributes: { timeout: 500 },
                toxicity: spec.toxicity ?? 0.3,
                stream: "upstream",
              },
          spec.links,
        );
      case "blackhole":
        return this.degrade(id, spec, { type: "timeout", attributes: { timeout: 0 } }, spec.links);
    }
  }
}

/**
 * What a server restarted on damaged data did with it: "loaded" once it
 * begins an election (its database is read by then), "refused (...)" if its
 * process ends first, "undetermined" when neither happens in time.
 */
async function loadOutcome(ensemble: Ensemble, id: number, timeoutMs: number): Promise<string> {
  const server = ensemble.server(id);
  let loaded = false;
  const unsubscribe = hasServerLogs(ensemble)
    ? ensemble.onServerLog(({ server: from, line }) => {
        if (from === id && classifyServerLogLine(line) === "election-started") loaded = true;
      })
    : () => {};
  try {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (server.processState === "stopped")
        return `refused (${server.exitDescription ?? "exited"})`;
      if (loaded) return "loaded";
      // Without a log stream, a server that serves has loaded its data.
      if (
        !hasServerLogs(ensemble) &&
        (await server.status().catch(() => undefined))?.state === "serving"
      )
        return "loaded";
      await sleep(100);
    }
    return "undetermined";
  } finally {
    unsubscribe();
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
  });
}
