import { createServer, type Server, type Socket } from "node:net";
import {
  BadMessageRule,
  type MessageRule,
  parseMessageRule,
  type RuleBudgets,
} from "../wire/message-rule.js";
import { isWireProtocol, WIRE_PROTOCOLS, type WireObserver } from "../wire/wire-tap.js";
import {
  ApiError,
  checkField,
  isToxicType,
  type ProxyJson,
  parseAddress,
  type Stream,
  type ToxicJson,
  toxicAttributes,
} from "./model.js";
import { ProxyLink } from "./proxy-link.js";
import type { SharedLinks } from "./shared-link.js";
import type { ToxicEntry } from "./toxic-pipe.js";

/** Settings every proxy of a server shares. */
export interface ProxyRuntime {
  readonly seed: string;
  /** Host for a listen address given without one (e.g. ":0"). */
  readonly defaultHost: string;
  readonly upstreamRetryMs: number;
  /** Where decoding proxies report what they read. */
  readonly observeWire: WireObserver;
  /** Where decoding proxies also write their streams' raw bytes. */
  readonly captureDir?: string;
  /** What each message rule may still take. */
  readonly ruleBudgets: RuleBudgets;
  /** The links shared_link toxics share, by name. */
  readonly sharedLinks: SharedLinks;
}

/** The fields a proxy is created or updated with. */
export interface ProxyConfig {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly rewrite?: string;
  /** The protocol to decode its connections as (a WIRE_PROTOCOLS name). */
  readonly decode?: string;
}

/** The rewrite that keeps ZooKeeper's election dial-back inside the proxies. */
export const ZOOKEEPER_ELECTION_REWRITE = "zookeeper-election";

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new ApiError(500, error.message));
    server.once("error", onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/** One Toxiproxy proxy: a TCP listener forwarding to an upstream through its toxics. */
export class TcpProxy {
  private config: ProxyConfig;
  private server: Server | undefined;
  private boundPort: number | undefined;
  private readonly links = new Set<ProxyLink>();
  private toxicEntries = new Map<string, ToxicEntry>();
  private nextVersion = 1;
  private nextSequence = 0;

  constructor(
    config: ProxyConfig,
    private readonly runtime: ProxyRuntime,
  ) {
    if (config.rewrite !== undefined && config.rewrite !== ZOOKEEPER_ELECTION_REWRITE) {
      throw new ApiError(400, `bad request body: unknown rewrite '${config.rewrite}'`);
    }
    if (config.decode !== undefined && !isWireProtocol(config.decode)) {
      throw new ApiError(
        400,
        `bad request body: unknown decode '${config.decode}' (known: ${Object.keys(WIRE_PROTOCOLS).join(", ")})`,
      );
    }
    parseAddress(config.upstream, runtime.defaultHost);
    parseAddress(config.listen, runtime.defaultHost);
    this.config = config;
  }

  get name(): string {
    return this.config.name;
  }

  get listenConfig(): string {
    return this.config.listen;
  }

  get upstream(): string {
    return this.config.upstream;
  }

  /** Opens the listener if the proxy is enabled. */
  async start(): Promise<void> {
    if (!this.config.enabled || this.server !== undefined) return;
    const { host, port } = parseAddress(this.config.listen, this.runtime.defaultHost);
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    // A re-enabled proxy listens where it listened before, even if created with port 0.
    this.boundPort = await listen(server, host, port === 0 ? (this.boundPort ?? 0) : port);
    this.server = server;
  }

  /** Closes the listener and drops every live connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const link of [...this.links]) link.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Applies a partial update; a new listen or upstream restarts the proxy. */
  async update(patch: { listen?: unknown; upstream?: unknown; enabled?: unknown }): Promise<void> {
    // The listen address as the API showed it (the bound port) is no change: connections stay.
    const listenChanged =
      typeof patch.listen === "string" &&
      patch.listen !== this.config.listen &&
      patch.listen !== this.toJson().listen;
    const upstreamChanged =
      typeof patch.upstream === "string" && patch.upstream !== this.config.upstream;
    if (listenChanged) parseAddress(patch.listen as string, this.runtime.defaultHost);
    if (upstreamChanged) parseAddress(patch.upstream as string, this.runtime.defaultHost);
    const next: ProxyConfig = {
      ...this.config,
      listen: listenChanged ? (patch.listen as string) : this.config.listen,
      upstream: upstreamChanged ? (patch.upstream as string) : this.config.upstream,
      enabled: typeof patch.enabled === "boolean" ? patch.enabled : this.config.enabled,
    };
    if (listenChanged) this.boundPort = undefined;
    if (listenChanged || upstreamChanged || !next.enabled) await this.stop();
    this.config = next;
    await this.start();
  }

  /** The API's view of this proxy. */
  toJson(): ProxyJson {
    const { host } = parseAddress(this.config.listen, this.runtime.defaultHost);
    const port = this.boundPort ?? parseAddress(this.config.listen, this.runtime.defaultHost).port;
    const json: ProxyJson = {
      name: this.config.name,
      listen: `${host.includes(":") ? `[${host}]` : host}:${port}`,
      upstream: this.config.upstream,
      enabled: this.config.enabled,
      toxics: this.toxics(),
    };
    return {
      ...json,
      ...(this.config.rewrite ? { rewrite: this.config.rewrite } : {}),
      ...(this.config.decode ? { decode: this.config.decode } : {}),
    };
  }

  /** Toxics, upstream ones first, each stream in creation order. */
  toxics(): ToxicJson[] {
    const all = [...this.toxicEntries.values()].map((entry) => entry.json);
    return [
      ...all.filter((t) => t.stream === "upstream"),
      ...all.filter((t) => t.stream === "downstream"),
    ];
  }

  toxic(name: string): ToxicJson {
    const entry = this.toxicEntries.get(name);
    if (entry === undefined) throw new ApiError(404, "toxic not found");
    return entry.json;
  }

  /** Adds a toxic from an API body; Toxiproxy's defaults fill what is missing. */
  addToxic(body: Record<string, unknown>): ToxicJson {
    for (const field of ["name", "type", "stream"]) checkField(body, field, "string");
    checkField(body, "toxicity", "number");
    const stream = body.stream ?? "downstream";
    if (stream !== "upstream" && stream !== "downstream") {
      throw new ApiError(400, "stream was invalid, can be either upstream or downstream");
    }
    if (!isToxicType(body.type)) throw new ApiError(400, "invalid toxic type");
    const name =
      typeof body.name === "string" && body.name !== "" ? body.name : `${body.type}_${stream}`;
    if (this.toxicEntries.has(name)) throw new ApiError(409, "toxic already exists");
    if (body.type === "zk_message" && this.config.decode === undefined)
      throw new ApiError(
        400,
        "bad request body: a zk_message toxic needs a proxy that decodes its protocol (decode)",
      );
    const json: ToxicJson = {
      name,
      type: body.type,
      stream: stream as Stream,
      toxicity: toxicity(body.toxicity, 1),
      attributes: toxicAttributes(body.type, body.attributes),
      ...(body.type === "zk_message" ? { message: messageRule(body.message) } : {}),
      ...(body.type === "shared_link" ? { link: sharedLinkName(body.link) } : {}),
    };
    this.toxicEntries.set(name, { json, version: this.nextVersion++ });
    this.syncLinks();
    return json;
  }

  /** Updates a toxic's attributes (merged) and toxicity; name, type and stream stay. */
  updateToxic(name: string, body: Record<string, unknown>): ToxicJson {
    checkField(body, "toxicity", "number");
    const old = this.toxic(name);
    const json: ToxicJson = {
      ...old,
      toxicity: toxicity(body.toxicity, old.toxicity),
      attributes: toxicAttributes(old.type, body.attributes, old.attributes),
    };
    this.toxicEntries.set(name, { json, version: this.nextVersion++ });
    this.syncLinks();
    return json;
  }

  removeToxic(name: string): void {
    this.toxic(name);
    this.toxicEntries.delete(name);
    this.syncLinks();
  }

  removeAllToxics(): void {
    this.toxicEntries = new Map();
    this.syncLinks();
  }

  /** Number of live connections (for tests and status). */
  get connectionCount(): number {
    return this.links.size;
  }

  private syncLinks(): void {
    for (const link of this.links) link.syncToxics();
  }

  private accept(socket: Socket): void {
    const upstream = parseAddress(this.config.upstream, this.runtime.defaultHost);
    const link = new ProxyLink(socket, {
      seed: this.runtime.seed,
      proxyName: this.config.name,
      sequence: this.nextSequence++,
      upstream,
      upstreamRetryMs: this.runtime.upstreamRetryMs,
      rewriteElection: this.config.rewrite === ZOOKEEPER_ELECTION_REWRITE,
      ...(this.config.decode !== undefined
        ? {
            decode: {
              protocol: this.config.decode,
              observe: this.runtime.observeWire,
              budgets: this.runtime.ruleBudgets,
              ...(this.runtime.captureDir !== undefined
                ? { captureDir: this.runtime.captureDir }
                : {}),
            },
          }
        : {}),
      sharedLinks: this.runtime.sharedLinks,
      toxics: () => [...this.toxicEntries.values()],
      onClose: (closed) => this.links.delete(closed),
    });
    this.links.add(link);
    void link.open();
  }
}

/** A zk_message toxic's rule, or the API's 400. */
function messageRule(given: unknown): MessageRule {
  try {
    return parseMessageRule(given);
  } catch (error) {
    if (error instanceof BadMessageRule) throw new ApiError(400, error.message);
    throw error;
  }
}

/** A shared_link toxic's link name, or the API's 400. */
function sharedLinkName(given: unknown): string {
  if (typeof given !== "string" || !/^[A-Za-z0-9_.-]{1,64}$/.test(given))
    throw new ApiError(
      400,
      "bad request body: a shared_link toxic needs link, the name of the link it shares (letters, digits, '_', '.', '-')",
    );
  return given;
}

function toxicity(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ApiError(400, "bad request body: toxicity must be a number from 0 to 1");
  }
  return value;
}
