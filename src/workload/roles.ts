/**
 * Worker roles: groups of workers with their own operation mix and placement
 * (pinned to the leader, the followers, a minority, a majority or one server),
 * resolved when the workload starts or just before a named fault.
 */
import type { OperationMix } from "./register-worker.js";

/** Which servers a role's workers connect to. */
export type Pin = "leader" | "followers" | "minority" | "majority" | number;

/** A group of workers with their own operation mix and placement. */
export interface WorkerRole {
  readonly workers: number;
  readonly mix?: OperationMix;
  readonly pin?: Pin;
  /**
   * Resolve the pin just before this fault (by id) acts, instead of at the
   * start: "the leader" is then the leader the fault is about to hit, and the
   * workers start there and stay.
   */
  readonly pinAt?: string;
  /** Each worker ends its session after this many operations and opens a new one (agents restarting). */
  readonly sessionOps?: number;
}

/** The role of worker `index`, if a role covers it. */
export function roleOf(
  roles: readonly WorkerRole[] | undefined,
  index: number,
): WorkerRole | undefined {
  let first = 0;
  for (const role of roles ?? []) {
    if (index < first + role.workers) return role;
    first += role.workers;
  }
  return undefined;
}

/**
 * The servers a pin names, given the leader: a minority is the leader with
 * the lowest-id followers up to f servers; the majority is everyone else.
 */
export function pinnedServers(pin: Pin, ids: readonly number[], leader: number): number[] {
  if (typeof pin === "number") return [pin];
  const followers = ids.filter((id) => id !== leader);
  if (pin === "leader") return [leader];
  if (pin === "followers") return followers;
  const tolerance = Math.floor((ids.length - 1) / 2);
  const minority = [leader, ...followers].slice(0, Math.max(1, tolerance));
  return pin === "minority" ? minority : ids.filter((id) => !minority.includes(id));
}
