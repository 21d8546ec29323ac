import type { ServerPorts } from "../ensemble/ensemble.js";

/** The two ZooKeeper peer channels: quorum (followers to leader) and leader election. */
export type PeerChannel = "quorum" | "election";

/** One proxy of the mesh: what it carries and where it forwards. */
export interface LinkProxy {
  readonly name: string;
  readonly kind: "peer" | "client";
  /** For peer proxies: the server that opens connections through it. */
  readonly from?: number;
  /** The server it forwards to. */
  readonly to: number;
  readonly channel?: PeerChannel;
  readonly upstream: string;
}

/** Name of the proxy that carries `from`'s connections to `to` on a channel. */
export function peerProxyName(
  prefix: string,
  channel: PeerChannel,
  from: number,
  to: number,
): string {
  return `${prefix}-${channel === "quorum" ? "q" : "e"}-${from}-${to}`;
}

/** Name of the client proxy in front of a server. */
export function clientProxyName(prefix: string, server: number): string {
  return `${prefix}-c-${server}`;
}

/**
 * The proxies for an ensemble: one per directed server pair and channel (so
 * each direction of each link can be cut alone) and one client proxy per server.
 * n servers make 2n(n-1) + n proxies (91 for 7).
 */
export function linkTopology(
  prefix: string,
  ports: readonly ServerPorts[],
  /** How the proxies reach server `id`. */
  hostOf: (id: number) => string,
): LinkProxy[] {
  const proxies: LinkProxy[] = [];
  for (const from of ports) {
    for (const to of ports) {
      if (from.id === to.id) continue;
      for (const channel of ["quorum", "election"] as const) {
        proxies.push({
          name: peerProxyName(prefix, channel, from.id, to.id),
          kind: "peer",
          from: from.id,
          to: to.id,
          channel,
          upstream: `${hostOf(to.id)}:${channel === "quorum" ? to.quorum : to.election}`,
        });
      }
    }
  }
  for (const server of ports) {
    proxies.push({
      name: clientProxyName(prefix, server.id),
      kind: "client",
      to: server.id,
      upstream: `${hostOf(server.id)}:${server.client}`,
    });
  }
  return proxies;
}

/** A directed pair: data from `from` does not reach `to`. */
export interface DirectedPair {
  readonly from: number;
  readonly to: number;
}

/** How a cut behaves: refuse (connections drop and are refused) or black-hole (accepted, nothing passes). */
export type CutMode = "refuse" | "blackhole";

/** What one peer proxy must look like for a set of blocked directions. */
export interface PeerProxyState {
  readonly enabled: boolean;
  /** Black-hole the stream from the proxy's client (upstream) or back (downstream). */
  readonly blackholeUpstream: boolean;
  readonly blackholeDownstream: boolean;
}

/**
 * The state of the proxy carrying from->to connections, given the blocked
 * directions. Its upstream carries from->to data, its downstream to->from.
 * A cut in both directions in refuse mode disables the proxy; anything
 * one-way, or in black-hole mode, is a timeout toxic on the blocked stream.
 */
export function peerProxyState(
  from: number,
  to: number,
  blocked: ReadonlyMap<string, CutMode>,
): PeerProxyState {
  const forward = blocked.get(`${from}>${to}`);
  const backward = blocked.get(`${to}>${from}`);
  if (forward === "refuse" && backward === "refuse") {
    return { enabled: false, blackholeUpstream: false, blackholeDownstream: false };
  }
  return {
    enabled: true,
    blackholeUpstream: forward !== undefined,
    blackholeDownstream: backward !== undefined,
  };
}

/** The directed pairs of blocked-map keys, sorted: what a network view lists as blocked. */
export function blockedPairs(keys: Iterable<string>): [number, number][] {
  return [...keys]
    .map((key) => key.split(">").map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/** Key of a directed pair in blocked maps. */
export function pairKey(pair: DirectedPair): string {
  return `${pair.from}>${pair.to}`;
}

/** Client proxies only, to servers anywhere (an existing ensemble's client ports). */
export function clientLinks(
  prefix: string,
  servers: readonly { readonly id: number; readonly host: string; readonly port: number }[],
): LinkProxy[] {
  return servers.map((server) => ({
    name: clientProxyName(prefix, server.id),
    kind: "client",
    to: server.id,
    upstream: `${server.host.includes(":") && !server.host.startsWith("[") ? `[${server.host}]` : server.host}:${server.port}`,
  }));
}
