import { randomBytes } from "node:crypto";
import { type Proxy as ClientProxy, type Toxic, Toxiproxy } from "toxiproxy-node-client";
import { type RunNetwork, TOXIPROXY_NAME } from "../docker/run-network.js";
import type { PeerLayout, PeerLayoutFactory, ServerPorts } from "../ensemble/ensemble.js";
import { BadInputError, ZkChaosError } from "../errors.js";
import { type PortReservation, reservePorts } from "../util/port-reservation.js";
import type {
  LinkFaults,
  MessageRuleAction,
  MessageRules,
  NetworkView,
  RuleTaken,
  ToxicSpec,
} from "./link-faults.js";
import {
  blockedPairs,
  type CutMode,
  clientLinks,
  clientProxyName,
  type DirectedPair,
  type LinkProxy,
  linkTopology,
  type PeerChannel,
  pairKey,
  peerProxyName,
  peerProxyState,
} from "./link-topology.js";
import { type MessageMatch, messageStreams } from "./message-streams.js";
import { ZOOKEEPER_ELECTION_REWRITE } from "./toxiproxy/tcp-proxy.js";
import { startToxiproxyServer, type ToxiproxyServer } from "./toxiproxy/toxiproxy-server.js";
import { startToxiproxyContainer, type ToxiproxyContainer } from "./toxiproxy-container.js";
import type { MessageRule } from "./wire/message-rule.js";
import type { WireObservation } from "./wire/wire-tap.js";
import { wireZxid } from "./wire/zab-packets.js";

/** Options of the fault network. */
export interface FaultNetworkOptions {
  /** A real Toxiproxy to use; default: start the built-in server on loopback. */
  readonly toxiproxyUrl?: string;
  /** Run Toxiproxy in a container of this image (docker provider); default: the built-in server. */
  readonly toxiproxyContainer?: {
    readonly image: string;
    readonly runId?: string;
    /** Put it on this run network as `toxiproxy` (default: the host network); the network goes with it. */
    readonly network?: RunNetwork;
  };
  /** Seed for the built-in server's toxicity and jitter draws. */
  readonly seed?: string | number;
  /** Host the servers and proxies use (default 127.0.0.1). */
  readonly host?: string;
  readonly log?: (line: string) => void;
  /**
   * Rewrite the election handshake in the built-in server (default true).
   * Off only to show the bypass it prevents.
   */
  readonly electionRewrite?: boolean;
  /** Decode the peer links' protocols (quorum and election) in the built-in server. */
  readonly wire?: boolean;
  /** With `wire`: also write each peer stream's raw bytes under this folder. */
  readonly captureDir?: string;
}

/** A decoded peer message with the link it crossed, as the fault network reports it. */
export interface WireLinkEvent extends WireObservation {
  /** The server that dialled (the proxy's from) and the one it dialled. */
  readonly from: number;
  readonly to: number;
  readonly channel: PeerChannel;
  /** The fault or trigger whose message rule took the message, if one did. */
  readonly ruleOwner?: string;
}

const MESSAGE_TOXIC_PREFIX = "zkchaos_msg_";

const WIRE_NEEDS_BUILT_IN =
  "network.wire reads the peer links inside the built-in proxy: it cannot with an external Toxiproxy (--toxiproxy-url) or a Toxiproxy container (--docker-network bridge); drop that option or set network.wire: off";

export type { NetworkView, ToxicSpec } from "./link-faults.js";

/** Where the proxies are, as each party names them. */
interface ProxyPlacement {
  /** The host part of each proxy's listen address, as Toxiproxy binds it. */
  readonly listen: string;
  /** Where the harness reaches the proxies (client connect strings). */
  readonly reach: string;
  /** How the servers' configs name the proxies' host. */
  readonly named: string;
  /** How Toxiproxy reaches server `id`. */
  upstream(id: number): string;
}

/** Everything on one host: the loopback layout. */
function samePlace(host: string): ProxyPlacement {
  return { listen: host, reach: host, named: host, upstream: () => host };
}

/** Toxiproxy on a run network: servers name it `toxiproxy`, it names them zk1.., the harness reaches its address. */
function onRunNetwork(network: RunNetwork): ProxyPlacement {
  return {
    listen: "0.0.0.0",
    reach: network.toxiproxyAddress,
    named: TOXIPROXY_NAME,
    upstream: (id) => network.serverName(id),
  };
}

/** First listen port of proxies in a Toxiproxy container of a run network (its namespace is its own). */
const RUN_NETWORK_FIRST_PORT = 10000;

/** The decoder of each peer channel. */
const WIRE_PROTOCOL_OF: Readonly<Record<PeerChannel, string>> = {
  quorum: "zookeeper-quorum",
  election: "zookeeper-election",
};

const BLACKHOLE_UP = "zkchaos_partition_up";
const BLACKHOLE_DOWN = "zkchaos_partition_down";

/** The toxic that puts one stream of a proxy on the shared link `link` (built-in proxy only). */
function sharedLinkToxic(
  stream: "upstream" | "downstream",
  link: string,
  rate: number,
  bufferMs: number,
) {
  return {
    name: `zkchaos_link_${stream}`,
    type: "shared_link",
    stream,
    toxicity: 1,
    attributes: { rate, buffer: bufferMs },
    link,
  };
}

/**
 * The fault network of one ensemble: every peer connection (each channel and
 * direction) and every client connection passes through its own proxy,
 * controlled only through the Toxiproxy HTTP API.
 */
export class FaultNetwork implements LinkFaults, MessageRules {
  readonly prefix: string;
  readonly api: Toxiproxy;
  readonly url: string;
  /** False with an external Toxiproxy, which cannot rewrite the election handshake. */
  readonly builtIn: boolean;
  private readonly rewrite: boolean;
  /** Peer proxies decode what they carry (built-in server only). */
  readonly wire: boolean;
  private readonly host: string;
  /** The run network Toxiproxy sits on (docker bridge mode), removed with this network. */
  readonly runNetwork: RunNetwork | undefined;
  private placement: ProxyPlacement;
  private readonly server: ToxiproxyServer | undefined;
  private readonly container: ToxiproxyContainer | undefined;
  private readonly log: (line: string) => void;
  private proxies = new Map<string, { link: LinkProxy; listenPort: number; client: ClientProxy }>();
  private readonly toxics = new Map<string, Toxic<unknown>>();
  private ids: number[] = [];
  /** Blocked directions, each with the faults that block it and how. */
  private blocked = new Map<string, Map<string, CutMode>>();
  private clientsBlocked = new Map<number, CutMode>();
  private readonly applied = new Map<string, { enabled: boolean; toxics: Set<string> }>();
  private readonly degradations = new Map<
    string,
    { type: string; proxies: string[]; toxics: string[]; links: [number, number][] }
  >();
  /** Message rules by owner: the proxies they sit on. */
  private readonly messageRules = new Map<string, string[]>();
  private disposed = false;
  private reservation: PortReservation | undefined;

  private constructor(init: {
    url: string;
    server: ToxiproxyServer | undefined;
    container?: ToxiproxyContainer;
    runNetwork?: RunNetwork;
    host: string;
    log: (line: string) => void;
    rewrite: boolean;
    wire?: boolean;
  }) {
    this.wire = init.wire === true && init.server !== undefined;
    this.runNetwork = init.runNetwork;
    this.placement = init.runNetwork ? onRunNetwork(init.runNetwork) : samePlace(init.host);
    this.rewrite = init.rewrite && init.server !== undefined;
    this.url = init.url;
    this.server = init.server;
    this.container = init.container;
    this.builtIn = init.server !== undefined;
    this.host = init.host;
    this.log = init.log;
    this.api = new Toxiproxy(init.url);
    this.prefix = `zkc-${randomBytes(3).toString("hex")}`;
  }

  /** Connects to a Toxiproxy, or starts the built-in one on a free loopback port. */
  static async start(options: FaultNetworkOptions = {}): Promise<FaultNetwork> {
    const log = options.log ?? (() => {});
    const host = options.host ?? "127.0.0.1";
    if (options.wire && (options.toxiproxyUrl !== undefined || options.toxiproxyContainer))
      throw new BadInputError(WIRE_NEEDS_BUILT_IN);
    if (options.toxiproxyUrl !== undefined) {
      const url = options.toxiproxyUrl.replace(/\/+$/, "");
      try {
        await new Toxiproxy(url).getVersion();
      } catch (error) {
        throw new ZkChaosError(
          "BAD_INPUT",
          `no Toxiproxy answers at ${url} (${(error as Error).message}): start one (toxiproxy-server, or 'zk-chaos toxiproxy') or drop --toxiproxy-url to use the built-in one`,
        );
      }
      log(`fault network: Toxiproxy at ${url}`);
      return new FaultNetwork({ url, server: undefined, host, log, rewrite: false });
    }
    if (options.toxiproxyContainer !== undefined) {
      const runNetwork = options.toxiproxyContainer.network;
      const container = await startToxiproxyContainer({
        image: options.toxiproxyContainer.image,
        runId: options.toxiproxyContainer.runId ?? `network-${randomBytes(4).toString("hex")}`,
        host,
        seed: options.seed ?? 0,
        ...(runNetwork
          ? {
              placement: {
                network: runNetwork.name,
                address: runNetwork.toxiproxyAddress,
                aliases: [TOXIPROXY_NAME],
              },
            }
          : {}),
      });
      log(
        `fault network: Toxiproxy container ${container.containerId.slice(0, 12)} (${container.image}) at ${container.url}`,
      );
      return new FaultNetwork({
        url: container.url,
        server: undefined,
        container,
        ...(runNetwork ? { runNetwork } : {}),
        host,
        log,
        rewrite: false,
      });
    }
    const server = await startToxiproxyServer({
      host: "127.0.0.1",
      port: 0,
      seed: options.seed ?? 0,
      ...(options.captureDir !== undefined ? { captureDir: options.captureDir } : {}),
    });
    log(`fault network: built-in Toxiproxy-compatible server at ${server.url}`);
    return new FaultNetwork({
      url: server.url,
      server,
      host,
      log,
      rewrite: options.electionRewrite !== false,
      wire: options.wire === true,
    });
  }

  /** Hears every decoded peer message with its link; nothing without `wire`. Returns the unsubscribe. */
  onWire(listener: (event: WireLinkEvent) => void): () => void {
    if (this.server === undefined || !this.wire) return () => {};
    return this.server.onWire((observation) => {
      const link = this.proxies.get(observation.proxy)?.link;
      if (link?.from === undefined || link.channel === undefined) return;
      const toxic = observation.rule?.toxic;
      listener({
        ...observation,
        from: link.from,
        to: link.to,
        channel: link.channel,
        ...(toxic?.startsWith(MESSAGE_TOXIC_PREFIX)
          ? { ruleOwner: toxic.slice(MESSAGE_TOXIC_PREFIX.length) }
          : {}),
      });
    });
  }

  /**
   * Puts a message rule for `owner` (a fault or trigger id) on every peer
   * stream that carries what `match` names; the rules share one count.
   * Returns how many streams it covers.
   */
  async ruleMessages(owner: string, match: MessageMatch, rule: MessageRuleAction): Promise<number> {
    if (!this.wire)
      throw new BadInputError(
        `fault ${owner} acts on single peer messages, which only the built-in proxy decoding the peer links sees: set network.wire: summary (and use the local or docker provider without --docker-network bridge or --toxiproxy-url)`,
      );
    const streams = messageStreams(this.ids, match);
    const toxic = `${MESSAGE_TOXIC_PREFIX}${owner}`;
    const names: string[] = [];
    for (const stream of streams) {
      const proxy = peerProxyName(this.prefix, stream.channel, stream.dialler, stream.dialled);
      await this.addToxic(proxy, {
        name: toxic,
        type: "zk_message",
        stream: stream.stream,
        toxicity: 1,
        attributes: {},
        message: {
          types: match.types,
          ...(match.after !== undefined ? { after: match.after } : {}),
          group: `${this.prefix}/${owner}`,
          ...rule,
        },
      });
      names.push(proxy);
    }
    this.messageRules.set(owner, names);
    return streams.length;
  }

  /** Hears each message a rule of this network takes, before the rule acts on it. */
  onRuleTaken(listener: (taken: RuleTaken) => void): () => void {
    return this.onWire((event) => {
      if (event.ruleOwner === undefined || event.rule === undefined || event.message === undefined)
        return;
      const [sender, receiver] =
        event.stream === "upstream" ? [event.from, event.to] : [event.to, event.from];
      listener({
        owner: event.ruleOwner,
        action: event.rule.action,
        channel: event.channel,
        sender,
        receiver,
        type: event.message.type,
        ...(event.message.zxid !== undefined ? { zxid: wireZxid(event.message.zxid) } : {}),
      });
    });
  }

  /** Removes the message rules of `owner`: held messages go on, delayed ones at once. */
  async unruleMessages(owner: string): Promise<void> {
    const proxies = this.messageRules.get(owner) ?? [];
    this.messageRules.delete(owner);
    await Promise.all(
      proxies.map((proxy) =>
        this.removeToxic(proxy, `${MESSAGE_TOXIC_PREFIX}${owner}`).catch(() => {}),
      ),
    );
  }

  /**
   * The peer layout for startLocalEnsemble: creates the proxy mesh once the
   * servers' ports are known, and names each peer through its proxy.
   */
  peerLayout(): PeerLayoutFactory {
    return async (ports: readonly ServerPorts[], host: string): Promise<PeerLayout> => {
      if (this.runNetwork === undefined) this.placement = samePlace(host);
      await this.createMesh(ports);
      const own = new Map(ports.map((server) => [server.id, server]));
      return (self, peer) => {
        if (self === peer) {
          const server = own.get(self) as ServerPorts;
          // Without the handshake rewrite (a real Toxiproxy), the wildcard own
          // address is the other way to stop the election dial-back bypass.
          return {
            host: this.builtIn ? host : "0.0.0.0",
            quorumPort: server.quorum,
            electionPort: server.election,
          };
        }
        return {
          host: this.placement.named,
          quorumPort: this.listenPort(peerProxyName(this.prefix, "quorum", self, peer)),
          electionPort: this.listenPort(peerProxyName(this.prefix, "election", self, peer)),
        };
      };
    };
  }

  /** A connect string through the client proxies of the given servers (default all). */
  clientConnectString(ids: readonly number[] = this.ids): string {
    return ids
      .map((id) => `${this.placement.reach}:${this.listenPort(clientProxyName(this.prefix, id))}`)
      .join(",");
  }

  /** The listen ports of every proxy, by name. */
  proxyPorts(): ReadonlyMap<string, number> {
    return new Map([...this.proxies].map(([name, entry]) => [name, entry.listenPort]));
  }

  /**
   * Blocks the given directions on behalf of `owner` (a fault id). Faults
   * overlap safely: a direction stays blocked until every owner released it.
   */
  async block(
    pairs: readonly DirectedPair[],
    mode: CutMode = "refuse",
    owner = "manual",
  ): Promise<void> {
    for (const pair of pairs) {
      this.requireServer(pair.from);
      this.requireServer(pair.to);
      if (pair.from === pair.to) continue;
      const owners = this.blocked.get(pairKey(pair)) ?? new Map<string, CutMode>();
      owners.set(owner, mode);
      this.blocked.set(pairKey(pair), owners);
    }
    await this.applyPeers();
  }

  /** Releases every direction `owner` blocked. */
  async unblock(owner = "manual"): Promise<void> {
    for (const [key, owners] of this.blocked) {
      owners.delete(owner);
      if (owners.size === 0) this.blocked.delete(key);
    }
    await this.applyPeers();
  }

  /** Cuts clients off from a server (its client proxy). */
  async blockClients(id: number, mode: CutMode = "refuse"): Promise<void> {
    this.requireServer(id);
    this.clientsBlocked.set(id, mode);
    await this.applyClient(id);
  }

  /** Lets clients reach a server again. */
  async unblockClients(id: number): Promise<void> {
    this.clientsBlocked.delete(id);
    await this.applyClient(id);
  }

  /** Adds a toxic to every proxy of the given directed links (both channels). */
  async degrade(name: string, links: readonly DirectedPair[], toxic: ToxicSpec): Promise<void> {
    if (this.degradations.has(name))
      throw new ZkChaosError("BAD_INPUT", `degradation '${name}' is already active`);
    const streams =
      toxic.stream === undefined || toxic.stream === "both"
        ? ["upstream", "downstream"]
        : [toxic.stream];
    const record = {
      type: toxic.type,
      proxies: [] as string[],
      toxics: [] as string[],
      links: [] as [number, number][],
    };
    this.degradations.set(name, record);
    for (const link of links) {
      record.links.push([link.from, link.to]);
      for (const channel of ["quorum", "election"] as const) {
        const proxyName = peerProxyName(this.prefix, channel, link.from, link.to);
        for (const stream of streams) {
          const toxicName = `${name}_${stream}`;
          await this.addToxic(proxyName, {
            name: toxicName,
            type: toxic.type,
            stream,
            toxicity: toxic.toxicity ?? 1,
            attributes: toxic.attributes,
          });
          record.proxies.push(proxyName);
          record.toxics.push(toxicName);
        }
      }
    }
  }

  /** Removes a degradation. */
  async undegrade(name: string): Promise<void> {
    const record = this.degradations.get(name);
    if (record === undefined) return;
    this.degradations.delete(name);
    for (const [index, proxyName] of record.proxies.entries()) {
      await this.removeToxic(proxyName, record.toxics[index] as string);
    }
  }

  /** Restores every link: nothing blocked, no degradation, every proxy enabled. */
  async healAll(): Promise<void> {
    this.blocked.clear();
    for (const name of [...this.degradations.keys()]) await this.undegrade(name);
    for (const owner of [...this.messageRules.keys()]) await this.unruleMessages(owner);
    await this.applyPeers();
    const clients = [...this.clientsBlocked.keys()];
    this.clientsBlocked.clear();
    for (const id of clients) await this.applyClient(id);
  }

  /**
   * Puts every proxy of this network (peer and client links, both streams)
   * on one shared link of `rate` KB/s with a queue of `bufferMs`: they
   * compete for it as traffic on one saturated network does.
   */
  async shareLink(link: string, rate: number, bufferMs: number): Promise<void> {
    this.requireBuiltIn("a shared network link");
    for (const proxyName of this.proxies.keys())
      for (const stream of ["upstream", "downstream"] as const)
        await this.addToxic(proxyName, sharedLinkToxic(stream, link, rate, bufferMs));
  }

  /**
   * A proxy of this network's server (not of the ensemble) from a free
   * loopback port to `upstreamPort`, its upstream stream on the shared link
   * `link`; returns where it listens. It goes with the network.
   */
  async linkedProxy(
    name: string,
    upstreamPort: number,
    link: string,
    rate: number,
    bufferMs: number,
  ): Promise<{ host: string; port: number }> {
    this.requireBuiltIn("a data path");
    const proxy = await this.call(`creating proxy ${name}`, () =>
      this.api.createProxy({
        name: `${this.prefix}-${name}`,
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${upstreamPort}`,
      }),
    );
    await this.call(`adding the shared link to proxy ${name}`, () =>
      proxy.addToxic(sharedLinkToxic("upstream", link, rate, bufferMs) as never),
    );
    return {
      host: "127.0.0.1",
      port: Number(proxy.listen.slice(proxy.listen.lastIndexOf(":") + 1)),
    };
  }

  private requireBuiltIn(what: string): void {
    if (!this.builtIn)
      throw new BadInputError(
        `${what} is a toxic only the built-in proxy has (shared_link): it cannot run with an external Toxiproxy (--toxiproxy-url) or a Toxiproxy container (--docker-network bridge); drop that option or network.link`,
      );
  }

  /** What the network currently blocks, as data. */
  view(): NetworkView {
    return {
      blocked: blockedPairs(this.blocked.keys()),
      clientsBlocked: [...this.clientsBlocked.keys()].sort((a, b) => a - b),
      degradations: [...this.degradations].map(([name, record]) => ({
        name,
        type: record.type,
        links: record.links,
      })),
    };
  }

  /** Removes every proxy of this network and stops the built-in server; safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      if (this.server) await this.server.close();
      // The proxies live in the container: removing it closes them all.
      else if (this.container) {
        try {
          await this.container.stop();
        } finally {
          // Last: the servers' containers are gone by now (ensembles are disposed before their network).
          await this.runNetwork?.remove();
        }
      } else
        for (const [name, entry] of this.proxies) {
          await this.call(`removing proxy ${name}`, () => entry.client.remove()).catch(() => {});
        }
    } finally {
      this.reservation?.release();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  /**
   * For an ensemble that already runs (no peer links of ours): a client proxy
   * per server, listening on this network's host, so that client-side faults
   * and the workload's routes work as on a started ensemble.
   */
  async attachClients(
    servers: readonly { readonly id: number; readonly host: string; readonly port: number }[],
  ): Promise<void> {
    await this.createProxies(
      servers.map((server) => server.id),
      clientLinks(this.prefix, servers),
    );
  }

  private async createMesh(ports: readonly ServerPorts[]): Promise<void> {
    await this.createProxies(
      ports.map((server) => server.id),
      linkTopology(this.prefix, ports, (id) => this.placement.upstream(id)),
    );
  }

  private async createProxies(ids: readonly number[], mesh: readonly LinkProxy[]): Promise<void> {
    this.ids = [...ids];
    const listen = this.placement.listen;
    // Reserved ports, below the ephemeral range: a disabled proxy's port stays free to re-listen
    // on, where port 0 could hand out one an outgoing connection then takes. A Toxiproxy on a run
    // network has a namespace of its own: any port is free there.
    if (this.runNetwork === undefined) this.reservation = await reservePorts(mesh.length, listen);
    const listenPorts =
      this.reservation?.ports ?? mesh.map((_, index) => RUN_NETWORK_FIRST_PORT + index);
    const body = mesh.map((link, index) => ({
      name: link.name,
      listen: `${listen}:${listenPorts[index]}`,
      upstream: link.upstream,
      enabled: true,
      ...(this.rewrite && link.channel === "election"
        ? { rewrite: ZOOKEEPER_ELECTION_REWRITE }
        : {}),
      ...(this.wire && link.channel !== undefined
        ? { decode: WIRE_PROTOCOL_OF[link.channel] }
        : {}),
    }));
    const created = (await this.api.populate(body as never)) as Record<string, ClientProxy>;
    for (const link of mesh) {
      const proxy = created[link.name];
      if (proxy === undefined)
        throw new ZkChaosError(
          "SERVER_START_FAILED",
          `Toxiproxy did not create proxy ${link.name}`,
        );
      const port = Number(proxy.listen.slice(proxy.listen.lastIndexOf(":") + 1));
      this.proxies.set(link.name, { link, listenPort: port, client: proxy });
      this.applied.set(link.name, { enabled: true, toxics: new Set() });
    }
    if (!this.builtIn) {
      this.log(
        "fault network: external Toxiproxy cannot rewrite the election handshake; servers bind peer ports on 0.0.0.0",
      );
    }
    this.log(`fault network: ${mesh.length} proxies for ${ids.length} servers`);
  }

  private listenPort(name: string): number {
    const entry = this.proxies.get(name);
    if (entry === undefined)
      throw new ZkChaosError(
        "BAD_INPUT",
        `no proxy ${name}: is the ensemble started with this network's peerLayout()?`,
      );
    return entry.listenPort;
  }

  private requireServer(id: number): void {
    if (!this.ids.includes(id)) {
      throw new ZkChaosError(
        "BAD_INPUT",
        `no server ${id} in the fault network: ids are ${this.ids.join(", ")}`,
      );
    }
  }

  private async applyPeers(): Promise<void> {
    // A direction is black-holed if any owner asked for that, else refused.
    const effective = new Map<string, CutMode>();
    for (const [key, owners] of this.blocked) {
      effective.set(key, [...owners.values()].includes("blackhole") ? "blackhole" : "refuse");
    }
    const work: Promise<void>[] = [];
    for (const from of this.ids) {
      for (const to of this.ids) {
        if (from === to) continue;
        const state = peerProxyState(from, to, effective);
        for (const channel of ["quorum", "election"] as const) {
          work.push(
            this.applyProxy(
              peerProxyName(this.prefix, channel, from, to),
              state.enabled,
              state.blackholeUpstream,
              state.blackholeDownstream,
            ),
          );
        }
      }
    }
    await Promise.all(work);
  }

  private async applyClient(id: number): Promise<void> {
    const mode = this.clientsBlocked.get(id);
    await this.applyProxy(
      clientProxyName(this.prefix, id),
      mode !== "refuse",
      mode === "blackhole",
      mode === "blackhole",
    );
  }

  /** Brings one proxy to the wanted state with as few API calls as possible. */
  private async applyProxy(
    name: string,
    enabled: boolean,
    holeUp: boolean,
    holeDown: boolean,
  ): Promise<void> {
    const current = this.applied.get(name);
    if (current === undefined) return;
    const wanted = new Map([
      [BLACKHOLE_UP, holeUp ? "upstream" : undefined],
      [BLACKHOLE_DOWN, holeDown ? "downstream" : undefined],
    ]);
    for (const [toxic, stream] of wanted) {
      if (stream !== undefined && !current.toxics.has(toxic)) {
        await this.addToxic(name, {
          name: toxic,
          type: "timeout",
          stream,
          toxicity: 1,
          attributes: { timeout: 0 },
        });
        current.toxics.add(toxic);
      } else if (stream === undefined && current.toxics.has(toxic)) {
        await this.removeToxic(name, toxic);
        current.toxics.delete(toxic);
      }
    }
    if (current.enabled !== enabled) {
      const entry = this.proxies.get(name);
      if (entry === undefined) return;
      entry.client = await this.call(`${enabled ? "enabling" : "disabling"} proxy ${name}`, () =>
        entry.client.update({ ...entry.client.toJson(), enabled }),
      );
      current.enabled = enabled;
    }
  }

  private async addToxic(
    proxyName: string,
    body: {
      name: string;
      type: string;
      stream: string;
      toxicity: number;
      attributes: Readonly<Record<string, number>>;
      message?: Omit<MessageRule, "count"> & { readonly count: number };
      link?: string;
    },
  ): Promise<void> {
    const entry = this.proxies.get(proxyName);
    if (entry === undefined) throw new ZkChaosError("BAD_INPUT", `no proxy ${proxyName}`);
    const toxic = await this.call(
      `adding ${body.type} toxic ${body.name} to proxy ${proxyName}`,
      () => entry.client.addToxic(body as never),
    );
    this.toxics.set(`${proxyName}/${body.name}`, toxic as Toxic<unknown>);
  }

  private async removeToxic(proxyName: string, toxicName: string): Promise<void> {
    const key = `${proxyName}/${toxicName}`;
    const toxic = this.toxics.get(key);
    this.toxics.delete(key);
    if (toxic !== undefined)
      await this.call(`removing toxic ${toxicName} from proxy ${proxyName}`, () => toxic.remove());
  }

  /** Runs one client call, naming what failed (the client library drops the server's message). */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new ZkChaosError(
        "SERVER_STATE",
        `Toxiproxy at ${this.url}: ${what} failed: ${(error as Error).message}`,
      );
    }
  }
}
