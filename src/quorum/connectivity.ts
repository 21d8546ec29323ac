/**
 * The connectivity view: at one instant, which servers are up and which can
 * exchange data with which. Pure data and pure functions, so the nemesis can
 * write it into the history and the checkers can compute the quorum from it.
 */

/**
 * What the harness did to a server's process. "slow": running but held to a
 * fraction of a core (it votes and may lead, but nothing promises it serves
 * in time).
 */
export type ServerCondition = "up" | "slow" | "paused" | "down";

/** True when the server's process runs (at full speed or starved). */
export function isRunning(condition: ServerCondition | undefined): boolean {
  return condition === "up" || condition === "slow";
}

/** The whole cluster's connectivity at one instant. */
export interface ConnectivityView {
  /** Server ids, 1-based. */
  readonly servers: readonly number[];
  readonly conditions: Readonly<Record<number, ServerCondition>>;
  /** Directed pairs [from, to] whose data is blocked. */
  readonly blocked: readonly (readonly [number, number])[];
  /** Servers that clients cannot reach. */
  readonly clientsBlocked: readonly number[];
  /** Observers: they serve clients when connected to the leader, but never vote (absent: none). */
  readonly observers?: readonly number[];
}

/** The servers that vote: every server but the observers. */
export function voters(view: ConnectivityView): number[] {
  const observers = view.observers ?? [];
  return view.servers.filter((server) => !observers.includes(server));
}

/** The smallest number of voters that make a quorum of n. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Failures an ensemble of n voters tolerates. */
export function tolerance(n: number): number {
  return n - majority(n);
}

/** True when a and b are both up and data flows both ways between them. */
export function connected(view: ConnectivityView, a: number, b: number): boolean {
  if (a === b) return isRunning(view.conditions[a]);
  if (!isRunning(view.conditions[a]) || !isRunning(view.conditions[b])) return false;
  return !view.blocked.some(([from, to]) => (from === a && to === b) || (from === b && to === a));
}

/** The servers a leader at `leader` could lead: itself and every server connected to it. */
export function followersOf(view: ConnectivityView, leader: number): number[] {
  return view.servers.filter((server) => connected(view, leader, server));
}

/** How many voters a leader at `leader` is connected to, itself included. */
function votersWith(view: ConnectivityView, leader: number): number {
  const voting = voters(view);
  return followersOf(view, leader).filter((server) => voting.includes(server)).length;
}

/** Servers that could lead a quorum under this view (voters that see a majority of voters, themselves included). */
export function possibleLeaders(view: ConnectivityView): number[] {
  const voting = voters(view);
  const needed = majority(voting.length);
  return voting.filter(
    (server) => isRunning(view.conditions[server]) && votersWith(view, server) >= needed,
  );
}

/** True when some server can lead a majority: the ensemble can be available. */
export function quorumPossible(view: ConnectivityView): boolean {
  return possibleLeaders(view).length > 0;
}

/**
 * Servers that may serve requests if `leader` leads: its connected majority
 * of voters and the observers connected to it. Empty when it cannot lead a
 * quorum.
 */
export function servingSetFor(view: ConnectivityView, leader: number): number[] {
  return votersWith(view, leader) >= majority(voters(view).length) ? followersOf(view, leader) : [];
}
