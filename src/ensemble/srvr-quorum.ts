import { ZkChaosError } from "../errors.js";
import type { ServerStatus } from "../zookeeper/srvr.js";
import type { EnsembleServer, QuorumState, WaitForQuorumOptions } from "./ensemble.js";

/** The server with this id among servers numbered 1..n; names the ids on a bad one. */
export function serverById<S extends EnsembleServer>(servers: readonly S[], id: number): S {
  const server = servers[id - 1];
  if (server === undefined)
    throw new ZkChaosError("BAD_INPUT", `no server ${id}: ids are 1 to ${servers.length}`);
  return server;
}

/** A client connect string for the given servers (default: all), by their client addresses. */
export function connectStringOf(
  servers: readonly EnsembleServer[],
  ids?: readonly number[],
): string {
  return (ids ?? servers.map((server) => server.id))
    .map((id) => serverById(servers, id).clientAddress)
    .map((address) => `${address.host}:${address.port}`)
    .join(",");
}

/** Every server's `srvr` status, by id. */
export async function statusesOf(
  servers: readonly EnsembleServer[],
): Promise<ReadonlyMap<number, ServerStatus>> {
  const all = await Promise.all(servers.map((server) => server.status()));
  return new Map(all.map((status, index) => [(servers[index] as EnsembleServer).id, status]));
}

/** The id of the one server that says it leads (or runs standalone), if exactly one does. */
export function leaderAmong(
  statuses: ReadonlyMap<number, ServerStatus>,
  ids?: readonly number[],
): number | undefined {
  const leaders = [...statuses].filter(
    ([id, status]) =>
      (ids === undefined || ids.includes(id)) &&
      status.state === "serving" &&
      (status.mode === "leader" || status.mode === "standalone"),
  );
  return leaders.length === 1 ? leaders[0]?.[0] : undefined;
}

/**
 * Polls `srvr` until the wanted servers all serve with exactly one leader
 * among them, as ensembles whose processes zk-chaos does not hold do.
 */
export async function waitForServing(
  servers: readonly EnsembleServer[],
  options: WaitForQuorumOptions,
  what: string,
  stopped: () => boolean,
): Promise<QuorumState> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ids = options.servers ?? servers.map((server) => server.id);
  for (;;) {
    const statuses = await statusesOf(servers);
    const leader = leaderAmong(statuses, ids);
    if (ids.every((id) => statuses.get(id)?.state === "serving") && leader !== undefined) {
      const status = statuses.get(leader) as ServerStatus & { state: "serving" };
      return { leader, epoch: status.epoch, statuses, waitedMs: performance.now() - started };
    }
    if (options.signal?.aborted || stopped())
      throw new ZkChaosError("INTERRUPTED", "interrupted while waiting for a quorum");
    if (performance.now() - started > timeoutMs)
      throw new ZkChaosError(
        "QUORUM_TIMEOUT",
        `${what} did not serve with one leader within ${timeoutMs} ms: ${[...statuses]
          .map(
            ([id, status]) => `${id}: ${status.state === "serving" ? status.mode : status.state}`,
          )
          .join(", ")}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What ensembles whose servers answer `srvr` share: lookup, connect strings, statuses, the leader. */
export abstract class SrvrHeldEnsemble<S extends EnsembleServer> {
  /** The servers, numbered 1..n. */
  abstract readonly servers: readonly S[];

  /** The server with this id; throws on an unknown id. */
  server(id: number): S {
    return serverById(this.servers, id);
  }

  /** A client connect string for the given servers (default: all). */
  connectString(ids?: readonly number[]): string {
    return connectStringOf(this.servers, ids);
  }

  /** Every server's `srvr` status, by id. */
  statuses(): Promise<ReadonlyMap<number, ServerStatus>> {
    return statusesOf(this.servers);
  }

  /** The id of the server that reports itself leader, if exactly one does. */
  async leader(): Promise<number | undefined> {
    return leaderAmong(await this.statuses());
  }
}
