import { canChangeMembers, type Ensemble, hasServerLogs } from "../ensemble/ensemble.js";
import { ZkChaosError } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import { type LinkFaults, messageRulesOf } from "../network/link-faults.js";
import type { ConnectivityView, ServerCondition } from "../quorum/connectivity.js";
import { deriveRandom, type Random } from "../util/seeded-random.js";
import type { ActiveFault, FaultContext } from "./fault-context.js";
import { handlerOf } from "./fault-handlers.js";
import type { FaultSpec, ScheduledFault } from "./fault-spec.js";
import { Supervisor } from "./supervisor.js";
import { Targets, UnhitTargetError } from "./targets.js";
import { TriggerArming, type WireTriggers } from "./triggers.js";

/** The longest a wire trigger holds its message while its fault starts (a kill takes well under this). */
const WIRE_TRIGGER_HOLD_MS = 30_000;

export type { ActiveFault } from "./fault-context.js";
export type { ScheduledFault } from "./fault-spec.js";

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

/** Runs faults against an ensemble and its network, recording each action in the history. */
export class Nemesis {
  private readonly active = new Map<string, ActiveFault>();
  private supervisor: Supervisor | undefined;
  /** Servers held to a fraction of a core. */
  private readonly starved = new Set<number>();
  private readonly random: Random;
  private readonly targets: Targets;
  private counter = 0;

  constructor(private readonly options: NemesisOptions) {
    this.random = deriveRandom(options.seed, "nemesis");
    this.targets = new Targets(options.ensemble, this.random, options.leaderTimeoutMs ?? 10_000);
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
    const observers = [...this.targets.observers(), ...outsiders];
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
    if (logged !== undefined) this.targets.recordLogged(id, logged);
    let fault: ActiveFault;
    try {
      await this.options.beforeFault?.(id, spec);
      fault = await handlerOf(spec)(this.context(), id, spec);
    } catch (error) {
      this.record("info", spec.kind, { id, spec, error: (error as Error).message });
      throw error;
    }
    this.active.set(id, fault);
    const servers = fault.detail.servers;
    if (Array.isArray(servers)) this.targets.recordHit(id, servers as number[]);
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
          try {
            await this.start(item.spec, item.id);
          } catch (error) {
            // Nothing to hit the same way: skipped, and the faults after it never arm.
            if (!(error instanceof UnhitTargetError)) throw error;
            this.options.log?.(`nemesis: ${item.id} skipped: ${error.message}`);
            return;
          }
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
    const needsLogs = items.some((item) => item.when !== undefined && item.when.wire === undefined);
    const wire = items.some((item) => item.when?.wire !== undefined)
      ? this.wireTriggers(items.find((item) => item.when?.wire !== undefined)?.id ?? "")
      : undefined;
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
      ...(wire ? { wire } : {}),
      fire: async (item, logged, line) => {
        if (line !== undefined)
          this.record("info", "trigger", { id: item.id, server: logged, line, when: item.when });
        await this.start(item.spec, item.id, logged);
      },
      heal: (id) => this.heal(id),
      log: (line) => this.options.log?.(line),
    });
  }

  /** Wire triggers through the network's message rules: a hold on the first match, released once the fault started. */
  private wireTriggers(first: string): WireTriggers {
    const rules = messageRulesOf(
      this.requireNetwork(`wire trigger of ${first}`),
      `the wire trigger of ${first}`,
    );
    return {
      arm: async (id, match) => {
        await rules.ruleMessages(id, match, {
          action: "hold",
          count: 1,
          holdMs: WIRE_TRIGGER_HOLD_MS,
        });
      },
      disarm: (id) => rules.unruleMessages(id),
      subscribe: (listener) =>
        rules.onRuleTaken((taken) => {
          if (taken.action !== "hold") return;
          listener({
            owner: taken.owner,
            sender: taken.sender,
            description: `wire: ${taken.type} ${taken.sender} -> ${taken.receiver} (${taken.channel}${taken.zxid ? `, zxid ${taken.zxid}` : ""}), held until the fault started`,
          });
        }),
    };
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

  /** What the fault handlers may use of this nemesis. */
  private context(): FaultContext {
    const { ensemble } = this.options;
    const targets = this.targets;
    return {
      ensemble,
      random: this.random,
      starved: this.starved,
      ids: () => targets.ids(),
      network: (kind) => this.requireNetwork(kind),
      links: (selection) => {
        if (selection === undefined || selection === "all") {
          const ids = targets.ids();
          return ids.flatMap((from) => ids.filter((to) => to !== from).map((to) => ({ from, to })));
        }
        return selection.map(([from, to]) => ({ from, to }));
      },
      resolve: (target, count, id) => targets.resolve(target, count, id),
      oneTarget: async (target, id) =>
        (await targets.resolve(target ?? "random", 1, id))[0] as number,
      leader: () => targets.leader(),
      exclusive: (act) => this.exclusive(act),
      record: (f, value) => this.record("info", f, value),
      ability: (has, kind, needs) => {
        if (!has(ensemble))
          throw new ZkChaosError(
            "BAD_INPUT",
            `fault '${kind}' needs ${needs}; this ensemble is ${ensemble.provider}`,
          );
        return ensemble;
      },
    };
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
