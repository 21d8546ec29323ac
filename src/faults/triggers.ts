/**
 * Faults that start on an event rather than at a time: a server's log line
 * (or a state it logs), or another fault's start. Each fires at most once,
 * then heals after its duration.
 */
import type { ServerLogLine } from "../ensemble/ensemble.js";
import { classifyServerLogLine, type ServerLogKind } from "../history/server-log.js";
import type { FaultTrigger, ScheduledFault, TriggerState } from "./fault-spec.js";

/** The log moment each state waits for. */
const STATE_KINDS: Readonly<Record<TriggerState, ServerLogKind>> = {
  "new-leader-serving": "quorum-of-supporters",
  "leader-changed": "leading",
  "server-synced": "uptodate-received",
};

/** What the arming needs from the nemesis. */
export interface TriggerArmingOptions {
  readonly items: readonly ScheduledFault[];
  /** performance.now() when the schedule started. */
  readonly startedAt: number;
  readonly signal?: AbortSignal;
  /** Each server's role when arming starts (later lines update it). */
  readonly roles?: ReadonlyMap<number, "leader" | "follower" | "looking">;
  /** Subscribes to the servers' log lines (absent when no item waits for one). */
  readonly subscribe?: (listener: (line: ServerLogLine) => void) => () => void;
  /** Starts a fault: the server whose line fired it, and the line. */
  fire(item: ScheduledFault, logged: number | undefined, line: string | undefined): Promise<void>;
  heal(id: string): Promise<void>;
  log(line: string): void;
}

/** True when a log line (from a server of a role) satisfies a trigger. */
export function lineMatches(
  trigger: FaultTrigger,
  pattern: RegExp | undefined,
  line: string,
  server: number,
  role: "leader" | "follower" | "looking" | undefined,
): boolean {
  const who = trigger.server ?? "any";
  if (typeof who === "number" && who !== server) return false;
  if ((who === "leader" || who === "follower") && role !== who) return false;
  if (pattern !== undefined && !pattern.test(line)) return false;
  if (trigger.state !== undefined && classifyServerLogLine(line) !== STATE_KINDS[trigger.state])
    return false;
  return true;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The triggered faults of one schedule, armed and waiting. */
export class TriggerArming {
  private readonly armedAt = new Map<string, number>();
  private readonly fired = new Set<string>();
  private readonly pending: Promise<void>[] = [];
  private readonly roles = new Map<number, "leader" | "follower" | "looking">();
  private readonly patterns = new Map<string, RegExp | undefined>();
  private readonly unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: TriggerArmingOptions) {
    for (const [server, role] of options.roles ?? []) this.roles.set(server, role);
    for (const item of options.items) {
      this.patterns.set(item.id, item.when?.log ? new RegExp(item.when.log) : undefined);
      // Items without `after` are armed at their offset from the schedule's start.
      if (item.after === undefined) this.armAt(item, options.startedAt + item.at);
    }
    this.unsubscribe = options.subscribe?.((line) => this.onLine(line));
  }

  /** Tells the arming a fault started: faults `after` it arm (or fire) relative to now. */
  started(id: string): void {
    const now = performance.now();
    for (const item of this.options.items) if (item.after === id) this.armAt(item, now + item.at);
  }

  private armAt(item: ScheduledFault, at: number): void {
    if (this.closed) return;
    if (item.when === undefined) {
      // Only `after`: fires at its offset from the fault it follows.
      const timer = setTimeout(
        () => this.fire(item, undefined, undefined),
        Math.max(0, at - performance.now()),
      );
      this.timers.push(timer);
      return;
    }
    this.armedAt.set(item.id, at);
  }

  private onLine({ server, line, receivedMs }: ServerLogLine): void {
    const kind = classifyServerLogLine(line);
    if (kind === "leading") this.roles.set(server, "leader");
    else if (kind === "following") this.roles.set(server, "follower");
    else if (kind === "looking" || kind === "shutdown") this.roles.set(server, "looking");
    for (const item of this.options.items) {
      const armed = this.armedAt.get(item.id);
      if (armed === undefined || receivedMs < armed || this.fired.has(item.id) || !item.when)
        continue;
      if (lineMatches(item.when, this.patterns.get(item.id), line, server, this.roles.get(server)))
        this.fire(item, server, line);
    }
  }

  private fire(item: ScheduledFault, server: number | undefined, line: string | undefined): void {
    if (this.closed || this.fired.has(item.id) || this.options.signal?.aborted) return;
    this.fired.add(item.id);
    this.armedAt.delete(item.id);
    const run = async () => {
      await sleep(item.when?.delayMs ?? 0, this.options.signal);
      if (this.closed || this.options.signal?.aborted) return;
      await this.options.fire(item, server, line);
      this.started(item.id);
      await sleep(item.durationMs, this.options.signal);
      await this.options.heal(item.id);
    };
    this.pending.push(
      run().catch((error: unknown) =>
        this.options.log(`nemesis: triggered fault ${item.id} failed: ${(error as Error).message}`),
      ),
    );
  }

  /** Waits for every fault that fired to start and heal (bounded by the signal). */
  async settled(signal?: AbortSignal): Promise<void> {
    // A fault that fires while we wait adds itself: wait until nothing new came.
    for (let seen = -1; seen !== this.pending.length && !signal?.aborted; ) {
      seen = this.pending.length;
      await Promise.all(this.pending);
    }
  }

  /** Faults armed that never fired, by id. */
  unfired(): string[] {
    return this.options.items.map((item) => item.id).filter((id) => !this.fired.has(id));
  }

  /** Disarms everything that has not fired. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
  }
}
