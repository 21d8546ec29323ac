import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ZkChaosError } from "../../errors.js";
import { RuleBudgets } from "../wire/message-rule.js";
import type { WireObserver } from "../wire/wire-tap.js";
import { ApiError, checkField, type ProxyJson } from "./model.js";
import { SharedLinks } from "./shared-link.js";
import { type ProxyConfig, type ProxyRuntime, TcpProxy } from "./tcp-proxy.js";

/** The Toxiproxy version whose API this server speaks. */
export const TOXIPROXY_API_VERSION = "2.12.0";

/** Options of the built-in Toxiproxy-compatible server. */
export interface ToxiproxyServerOptions {
  /** API host (default 127.0.0.1: loopback only). */
  readonly host?: string;
  /** API port (default 8474; 0 picks a free one). */
  readonly port?: number;
  /** Seed for toxicity and jitter draws, so degradations replay (default "0"). */
  readonly seed?: string | number;
  /** How long a proxied connect is retried while the upstream does not listen (default 1500 ms). */
  readonly upstreamRetryMs?: number;
  /** Host proxies bind to when a listen address has none (default 127.0.0.1). */
  readonly proxyHost?: string;
  /** Write the raw bytes of every decoding proxy's streams under this folder (decoder fixtures, bug reports). */
  readonly captureDir?: string;
}

const MAX_BODY_BYTES = 1 << 20;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, "request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  // Go's decoder on an empty body: EOF, a 400.
  if (text.trim() === "") throw new ApiError(400, "bad request body: EOF");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `bad request body: ${(error as Error).message}`);
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "bad request body: expected a JSON object");
  }
  return value as Record<string, unknown>;
}

function proxyConfig(body: Record<string, unknown>, suffix = ""): ProxyConfig {
  for (const field of ["name", "listen", "upstream", "rewrite", "decode"])
    checkField(body, field, "string");
  checkField(body, "enabled", "boolean");
  if (typeof body.name !== "string" || body.name === "") {
    throw new ApiError(400, `missing required field: name${suffix}`);
  }
  if (typeof body.upstream !== "string" || body.upstream === "") {
    throw new ApiError(400, `missing required field: upstream${suffix}`);
  }
  return {
    name: body.name,
    upstream: body.upstream,
    listen: typeof body.listen === "string" && body.listen !== "" ? body.listen : "127.0.0.1:0",
    enabled: typeof body.enabled === "boolean" ? body.enabled : true,
    ...(typeof body.rewrite === "string" ? { rewrite: body.rewrite } : {}),
    ...(typeof body.decode === "string" ? { decode: body.decode } : {}),
  };
}

/** A running Toxiproxy-compatible server. */
export class ToxiproxyServer implements AsyncDisposable {
  private readonly proxies = new Map<string, TcpProxy>();
  private readonly runtime: ProxyRuntime;
  private http: Server | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private address = { host: "127.0.0.1", port: 0 };

  constructor(options: ToxiproxyServerOptions = {}) {
    this.runtime = {
      seed: String(options.seed ?? "0"),
      defaultHost: options.proxyHost ?? "127.0.0.1",
      upstreamRetryMs: options.upstreamRetryMs ?? 1500,
      ...(options.captureDir !== undefined ? { captureDir: options.captureDir } : {}),
      ruleBudgets: new RuleBudgets(),
      sharedLinks: new SharedLinks(),
      observeWire: (observation) => {
        for (const observer of this.wireObservers) observer(observation);
      },
    };
  }

  private readonly wireObservers = new Set<WireObserver>();

  /** Hears every message the decoding proxies read (in this process only); returns the unsubscribe. */
  onWire(observer: WireObserver): () => void {
    this.wireObservers.add(observer);
    return () => this.wireObservers.delete(observer);
  }

  /** The API's base URL, e.g. http://127.0.0.1:8474. */
  get url(): string {
    return `http://${this.address.host}:${this.address.port}`;
  }

  get port(): number {
    return this.address.port;
  }

  /** Starts listening for API requests. */
  async listen(host = "127.0.0.1", port = 8474): Promise<void> {
    const server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new ZkChaosError(
            "BAD_INPUT",
            error.code === "EADDRINUSE"
              ? `port ${port} on ${host} is taken (another Toxiproxy?): choose another with --port, or 0 for a free one`
              : `cannot listen on ${host}:${port}: ${error.message}`,
          ),
        ),
      );
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
    const bound = server.address();
    this.address = { host, port: typeof bound === "object" && bound ? bound.port : port };
    this.http = server;
  }

  /** Stops the API and every proxy; safe to call twice. */
  async close(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()));
    this.proxies.clear();
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Live connections through a proxy (0 for an unknown one). */
  connectionCount(name: string): number {
    return this.proxies.get(name)?.connectionCount ?? 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if ((request.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
        throw new ApiError(403, "User agent not allowed", true);
      }
      const body = await readBody(request);
      // Mutations are serialized: a proxy is never half-created when the next request looks.
      const result = this.queue.then(() =>
        this.route(request.method ?? "GET", request.url ?? "/", body),
      );
      this.queue = result.catch(() => undefined);
      const { status, json } = await result;
      if (json === undefined) {
        response.writeHead(status).end();
      } else {
        response
          .writeHead(status, { "Content-Type": "application/json" })
          .end(JSON.stringify(json));
      }
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
      if (apiError.plain) {
        // The router's and middleware's own answers are plain text (405: none at all), as Toxiproxy's.
        response
          .writeHead(apiError.status, { "Content-Type": "text/plain; charset=utf-8" })
          .end(apiError.status === 405 ? "" : `${apiError.message}\n`);
        return;
      }
      const extra = (error as { proxies?: unknown }).proxies;
      const payload: Record<string, unknown> = { error: apiError.message, status: apiError.status };
      if (extra !== undefined) payload.proxies = extra;
      response
        .writeHead(apiError.status, { "Content-Type": "text/plain; charset=utf-8" })
        .end(JSON.stringify(payload));
    }
  }

  private proxy(name: string): TcpProxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw new ApiError(404, "proxy not found");
    return proxy;
  }

  private async route(
    method: string,
    url: string,
    text: string,
  ): Promise<{ status: number; json?: unknown }> {
    // No trailing-slash forgiveness: Toxiproxy's router answers /proxies/ with a 404.
    const path = new URL(url, "http://x").pathname;
    const parts = path.split("/").slice(1).map(decodeURIComponent);
    const [first, name, third, toxicName, ...rest] = parts;
    const update = method === "PATCH" || method === "POST";
    const notFound = () => new ApiError(404, "404 page not found", true);
    const notAllowed = () => new ApiError(405, "method not allowed", true);
    if (rest.length > 0 || parts.some((part) => part === "")) throw notFound();
    if (first === "version" && parts.length === 1 && method === "GET") {
      return { status: 200, json: { version: TOXIPROXY_API_VERSION } };
    }
    if (first === "reset" && parts.length === 1 && method === "POST") {
      for (const proxy of this.proxies.values()) {
        proxy.removeAllToxics();
        await proxy.update({ enabled: true });
      }
      return { status: 204 };
    }
    if (first === "populate" && parts.length === 1 && method === "POST") {
      return { status: 201, json: { proxies: await this.populate(parseJson(text)) } };
    }
    if (first !== "proxies") throw notFound();
    if (name === undefined) {
      if (method === "GET") {
        return {
          status: 200,
          json: Object.fromEntries([...this.proxies].map(([key, p]) => [key, p.toJson()])),
        };
      }
      if (method === "POST")
        return { status: 201, json: await this.create(proxyConfig(asObject(parseJson(text)))) };
      throw notAllowed();
    }
    const proxy = this.proxy(name);
    if (third === undefined) {
      if (method === "GET") return { status: 200, json: proxy.toJson() };
      if (update) {
        const patch = asObject(parseJson(text));
        for (const field of ["listen", "upstream"]) checkField(patch, field, "string");
        checkField(patch, "enabled", "boolean");
        await proxy.update(patch);
        return { status: 200, json: proxy.toJson() };
      }
      if (method === "DELETE") {
        await proxy.stop();
        this.proxies.delete(name);
        return { status: 204 };
      }
      throw notAllowed();
    }
    if (third !== "toxics") throw notFound();
    if (toxicName === undefined) {
      if (method === "GET") return { status: 200, json: proxy.toxics() };
      if (method === "POST")
        return { status: 200, json: proxy.addToxic(asObject(parseJson(text))) };
      throw notAllowed();
    }
    if (method === "GET") return { status: 200, json: proxy.toxic(toxicName) };
    if (update)
      return { status: 200, json: proxy.updateToxic(toxicName, asObject(parseJson(text))) };
    if (method === "DELETE") {
      proxy.removeToxic(toxicName);
      return { status: 204 };
    }
    throw notAllowed();
  }

  private async create(config: ProxyConfig): Promise<ProxyJson> {
    if (this.proxies.has(config.name)) throw new ApiError(409, "proxy already exists");
    const proxy = new TcpProxy(config, this.runtime);
    await proxy.start();
    this.proxies.set(config.name, proxy);
    return proxy.toJson();
  }

  private async populate(body: unknown): Promise<ProxyJson[]> {
    const list = body;
    if (!Array.isArray(list))
      throw new ApiError(400, "bad request body: expected a list of proxies");
    // Validate everything before touching anything.
    const configs = list.map((item, index) =>
      proxyConfig(asObject(item), ` at proxy ${index + 1}`),
    );
    const done: ProxyJson[] = [];
    for (const config of configs) {
      try {
        const existing = this.proxies.get(config.name);
        if (
          existing &&
          (existing.listenConfig === config.listen || existing.toJson().listen === config.listen)
        ) {
          // The same listen address: the proxy stays, with its toxics (and its connections unless the upstream moved).
          await existing.update({ upstream: config.upstream, enabled: config.enabled });
          done.push(existing.toJson());
          continue;
        }
        if (existing) {
          await existing.stop();
          this.proxies.delete(config.name);
        }
        done.push(await this.create(config));
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
        throw Object.assign(apiError, { proxies: done.length > 0 ? done : null });
      }
    }
    return done;
  }
}

/** Starts a Toxiproxy-compatible server (on 127.0.0.1:8474 unless told otherwise). */
export async function startToxiproxyServer(
  options: ToxiproxyServerOptions = {},
): Promise<ToxiproxyServer> {
  const server = new ToxiproxyServer(options);
  await server.listen(options.host ?? "127.0.0.1", options.port ?? 8474);
  return server;
}
