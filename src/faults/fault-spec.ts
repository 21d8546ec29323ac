import type { CutMode } from "../network/link-topology.js";
import type { MessageMatch } from "../network/message-streams.js";

export type { MessageMatch, WireParty } from "../network/message-streams.js";

/**
 * Which server a fault hits: an id, or one chosen when the fault starts:
 * the leader, a follower (a voter), an observer, any, the server whose log line fired the fault's
 * trigger ("logged"), the server(s) an earlier fault hit, or servers no
 * listed fault hit.
 */
export type Target =
  | number
  | "leader"
  | "follower"
  | "observer"
  | "random"
  | "logged"
  | { readonly "same-as": string }
  | { readonly "other-than": readonly string[] };

/** Ensemble states a fault can wait for; each is a moment servers log. */
export type TriggerState = "new-leader-serving" | "leader-changed" | "server-synced";

/** What starts a triggered fault: a server log line (or a state it logs), from a server of some role. */
export interface FaultTrigger {
  /** A regular expression a log line must match. */
  readonly log?: string;
  readonly state?: TriggerState;
  /** Whose line counts (default any): a role as the servers last logged it, or an id. */
  readonly server?: "any" | "leader" | "follower" | number;
  /** A peer message: the fault starts while the proxy holds it, before it is forwarded. */
  readonly wire?: MessageMatch;
  /** Wait this long after the line before starting the fault (ms, default 0). */
  readonly delayMs?: number;
}

/** Links a degradation applies to: every peer link, or chosen directed pairs. */
export type LinkSelection = "all" | readonly (readonly [number, number])[];

/** Every fault the nemesis can run, as data (scenario files and plans hold these). */
export type FaultSpec =
  | { readonly kind: "kill"; readonly target?: Target; readonly count?: number }
  | { readonly kind: "stop"; readonly target?: Target; readonly count?: number }
  | { readonly kind: "pause"; readonly target?: Target; readonly count?: number }
  | { readonly kind: "restart"; readonly target?: Target }
  | { readonly kind: "isolate"; readonly target?: Target; readonly mode?: CutMode }
  | {
      readonly kind: "partition";
      readonly groups: readonly (readonly number[])[] | "random-halves" | "majority-minority";
      readonly mode?: CutMode;
    }
  | { readonly kind: "bridge"; readonly mode?: CutMode }
  | { readonly kind: "ring"; readonly mode?: CutMode }
  | { readonly kind: "one-way"; readonly from: Target; readonly to: Target }
  | { readonly kind: "client-isolate"; readonly target?: Target; readonly mode?: CutMode }
  | {
      readonly kind: "latency";
      readonly latency: number;
      readonly jitter?: number;
      readonly links?: LinkSelection;
    }
  | { readonly kind: "bandwidth"; readonly rate: number; readonly links?: LinkSelection }
  | { readonly kind: "loss"; readonly rate: number; readonly links?: LinkSelection }
  | {
      readonly kind: "flaky";
      readonly style?: "reset" | "slicer";
      readonly links?: LinkSelection;
      readonly toxicity?: number;
    }
  | { readonly kind: "blackhole"; readonly links?: LinkSelection }
  | {
      readonly kind: "drop-message";
      readonly match: MessageMatch;
      readonly count?: number;
      /** cut: the message is removed whole (default); reset: the connection is reset instead. */
      readonly mode?: "cut" | "reset";
    }
  | {
      readonly kind: "delay-message";
      readonly match: MessageMatch;
      readonly count?: number;
      readonly delay: number;
    }
  | { readonly kind: "duplicate-message"; readonly match: MessageMatch; readonly count?: number }
  | { readonly kind: "hold-message"; readonly match: MessageMatch; readonly count?: number }
  | { readonly kind: "disk-full"; readonly target?: Target }
  | { readonly kind: "starve"; readonly target?: Target; readonly cpu?: number }
  | { readonly kind: "wipe"; readonly target?: Target }
  | { readonly kind: "read-only"; readonly target?: Target }
  | { readonly kind: "slow-fsync"; readonly target?: Target; readonly delay: number }
  | {
      readonly kind: "clock";
      readonly target?: Target;
      readonly offset: number;
      readonly rate?: number;
    }
  | {
      readonly kind: "corrupt";
      readonly target?: Target;
      readonly damage?: "truncate-log" | "flip-log" | "flip-snapshot";
    }
  | { readonly kind: "upgrade"; readonly target?: Target; readonly version: string }
  | { readonly kind: "downgrade"; readonly target?: Target; readonly version: string }
  | { readonly kind: "join"; readonly target?: Target }
  | { readonly kind: "leave"; readonly target?: Target };

/** The name of every fault kind. */
export type FaultKind = FaultSpec["kind"];

/** The fault catalogue: every kind with what it does (the scenario schema and CLI take names from here). */
export const FAULT_CATALOGUE: Readonly<Record<FaultKind, string>> = {
  kill: "SIGKILL servers; heal restarts them with their data",
  stop: "stop servers gracefully; heal restarts them",
  pause: "freeze servers (SIGSTOP, a stop-the-world pause); heal resumes them",
  restart: "restart a server (graceful stop, start); nothing to heal",
  isolate: "cut one server (e.g. the leader) off from every other server",
  partition: "split the servers into groups (given, random halves, or majority/minority)",
  bridge: "two halves that share one server, which sees everyone",
  ring: "majorities ring: each server sees a majority, no two the same",
  "one-way": "data from one server stops reaching another; the reverse still flows",
  "client-isolate": "clients cannot reach one server; servers still can",
  latency: "delay on peer links (latency +/- jitter, ms)",
  bandwidth: "throughput cap on peer links (KB/s)",
  loss: "drop this share of packets on peer links at random (rate 0-1; the kernel's iptables: provider ssh)",
  flaky: "connections reset (reset_peer) or sliced into tiny pieces (slicer)",
  blackhole: "peer links accept connections but pass nothing (timeout 0)",
  "drop-message":
    "the next `count` (default 1) peer messages that match are cut whole (mode cut), or their connection is reset (mode reset); needs the wire",
  "delay-message": "the next `count` matching peer messages wait `delay` ms; needs the wire",
  "duplicate-message": "the next `count` matching peer messages are sent twice; needs the wire",
  "hold-message":
    "the next `count` matching peer messages (and what follows them on their stream) are held until the heal; needs the wire",
  "disk-full":
    "fill a server's transaction-log disk (it gets ENOSPC); heal frees the space and starts the server again if it died meanwhile (needs root: each log gets a tmpfs)",
  starve:
    "hold a server's JVM to a fraction of one core (cpu, default 0.1) in a cgroup of its own, as beside a busy neighbour; heal lifts it (needs root)",
  wipe: "kill a server, delete its data (myid kept), start it again: the operator's clean reinstall",
  "slow-fsync":
    "every fsync of a server's transaction log waits `delay` ms (a FUSE pass-through under its log; needs root, /dev/fuse, python3-fusepy); heal restores it",
  clock:
    "jump a server's clocks, wall and monotonic together, forward by `offset` (+30s, +1h), as a suspended VM resumed or a host clock stepped under it would (libfaketime preloaded into its JVM; the local provider); the heal leaves them there (a monotonic clock never goes back)",
  "read-only":
    "kill a server, make its data folders read-only (a read-only bind mount), start it; heal makes them writable and starts it again if it died (needs root)",
  corrupt:
    "kill a server, cut the tail off its newest log (truncate-log) or flip bytes in its newest log (flip-log, default) or snapshot (flip-snapshot), start it; heal wipes and restarts it if it refused to start",
  upgrade:
    "restart a server on a newer ZooKeeper version with the same data (permanent; a scenario's rolling-upgrade expands into one per server)",
  downgrade: "restart a server on an older ZooKeeper version with the same data (permanent)",
  join: "start a server that is not a member with the members' config and add it by a reconfig once it serves (permanent; a scenario with members:, 3.5+)",
  leave: "remove a member by a reconfig, then stop it (permanent; a scenario with members:, 3.5+)",
};

/** True for a known fault kind. */
export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === "string" && Object.hasOwn(FAULT_CATALOGUE, value);
}

/** Default share of one core a starved server gets. */
export const DEFAULT_STARVE_CPU = 0.1;

/**
 * Kinds only a scenario schedules, never a random draw: they need a version
 * or a membership, root (mounts, cgroups), or they destroy data on purpose.
 */
const SCENARIO_ONLY_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  "loss",
  "drop-message",
  "delay-message",
  "duplicate-message",
  "hold-message",
  "join",
  "leave",
  "upgrade",
  "downgrade",
  "disk-full",
  "starve",
  "wipe",
  "corrupt",
  "read-only",
  "slow-fsync",
  "clock",
]);

/**
 * Kinds a random schedule draws by default: every kind that needs no argument
 * only a scenario can give, and nothing that needs root (mounts, cgroups).
 */
export const RANDOM_FAULT_KINDS = (Object.keys(FAULT_CATALOGUE) as FaultKind[]).filter(
  (kind) => !SCENARIO_ONLY_FAULTS.has(kind),
);

/** The message faults: they act on single decoded peer messages, so they need the wire. */
export const MESSAGE_FAULT_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  "drop-message",
  "delay-message",
  "duplicate-message",
  "hold-message",
]);

/** Faults that need each server's transaction log on a disk of its own. */
export function needsLogDisks(specs: readonly FaultSpec[]): boolean {
  return specs.some((spec) => spec.kind === "disk-full");
}

/** Faults that need each server's transaction log on the slow-fsync pass-through. */
export function needsSlowFsync(specs: readonly FaultSpec[]): boolean {
  return specs.some((spec) => spec.kind === "slow-fsync");
}

/** Faults that need libfaketime preloaded into each server's JVM. */
export function needsFakeClock(specs: readonly FaultSpec[]): boolean {
  return specs.some((spec) => spec.kind === "clock");
}

/** A fault at an offset from the start of the schedule, for a while. */
export interface ScheduledFault {
  readonly id: string;
  /**
   * Milliseconds from the start of the run; with `after`, from the start of
   * that fault. A triggered fault is armed then and fires on its trigger.
   */
  readonly at: number;
  /** How long it stays before it is healed (0: heal at once; instant faults ignore it). */
  readonly durationMs: number;
  readonly spec: FaultSpec;
  /** Start on a server's log line (or a state it logs) instead of at a time. */
  readonly when?: FaultTrigger;
  /** Start relative to another fault's start (and only if it started). */
  readonly after?: string;
}
