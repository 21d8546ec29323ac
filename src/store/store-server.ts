/**
 * `zk-chaos serve`: a read-only web server over a store. It lists the runs
 * with filters, draws the trends and serves each run's own files; nothing
 * outside the store is ever read (paths are checked segment by segment and
 * again after symbolic links resolve), it answers only GET and HEAD, and
 * its connections, header sizes and times are bounded.
 */
import { createReadStream } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, sep } from "node:path";
import { indexStore, type StoreIndex, storeRoot } from "./store-index.js";
import {
  analyseTrend,
  folderPage,
  RUN_FILTERS,
  type RunFilters,
  runsPage,
  trendPage,
} from "./store-pages.js";

/** How to serve. */
export interface StoreServerOptions {
  /** Address to bind (default loopback). */
  readonly host?: string;
  /** Port (default 0: any free one). */
  readonly port?: number;
  /** The index is rebuilt (unchanged runs reused) when older than this on a page request (default 10 s). */
  readonly reindexAfterMs?: number;
  /** Connections held at once (default 64); more wait in the kernel's backlog. */
  readonly maxConnections?: number;
}

/** A serving store. */
export interface RunningStoreServer {
  readonly url: string;
  readonly close: () => Promise<void>;
}

const MAX_URL_LENGTH = 2048;
const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** A run's own pages run their own inline scripts, sandboxed: no access to the server's origin. */
const FILE_HTML_POLICY = `sandbox allow-scripts; ${PAGE_POLICY.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")}`;
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};
const NAV =
  '<nav><a href="/">runs</a><a href="/trend">trends</a><a href="/index.json">index</a></nav>';

/** Where a run folder is served. */
export function runHref(path: string): string {
  return `/store/${path.split("/").map(encodeURIComponent).join("/")}/`;
}

/** The store path a request names, or undefined when any segment could leave the store. */
export function storeSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "." || segment === ".." || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  type = "text/plain; charset=utf-8",
  policy = PAGE_POLICY,
): void {
  response.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "content-security-policy": policy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

/** Hosts a loopback server answers to: anything else is a page elsewhere reaching in by DNS rebinding. */
function allowedHosts(host: string, port: number): Set<string> {
  return new Set([`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
}

/** Serves a store until closed. */
export async function serveStore(
  dir: string,
  options: StoreServerOptions = {},
): Promise<RunningStoreServer> {
  const root = await realpath(storeRoot(dir));
  const host = options.host ?? "127.0.0.1";
  const reindexAfterMs = options.reindexAfterMs ?? 10_000;
  let index: StoreIndex = (await indexStore(root)).index;
  let indexedAt = Date.now();
  let indexing: Promise<StoreIndex> | undefined;
  const currentIndex = async (): Promise<StoreIndex> => {
    if (Date.now() - indexedAt < reindexAfterMs) return index;
    indexing ??= indexStore(root, { previous: index.runs })
      .then((outcome) => {
        index = outcome.index;
        indexedAt = Date.now();
        return index;
      })
      .finally(() => {
        indexing = undefined;
      });
    return indexing;
  };

  const serveFile = async (response: ServerResponse, rawPath: string, trailingSlash: boolean) => {
    const segments = storeSegments(rawPath);
    if (segments === undefined)
      return send(response, 400, "bad path: it may not leave the store\n");
    let target: string;
    try {
      target = await realpath(join(root, ...segments));
    } catch {
      return send(response, 404, "not found\n");
    }
    if (target !== root && !target.startsWith(root + sep))
      return send(response, 404, "not found\n");
    const info = await stat(target);
    if (info.isDirectory()) {
      if (!trailingSlash) {
        response.writeHead(301, {
          location: `${runHref(segments.join("/")).replace(/\/\/$/, "/")}`,
        });
        return response.end();
      }
      const entries = (await readdir(target, { withFileTypes: true }))
        .map((entry) => ({ name: entry.name, folder: entry.isDirectory() }))
        .sort((a, b) => Number(b.folder) - Number(a.folder) || a.name.localeCompare(b.name));
      return send(
        response,
        200,
        folderPage(segments.join("/"), entries, NAV),
        CONTENT_TYPES[".html"],
      );
    }
    if (!info.isFile()) return send(response, 404, "not found\n");
    const extension = extname(target).toLowerCase();
    response.writeHead(200, {
      "content-type": CONTENT_TYPES[extension] ?? "text/plain; charset=utf-8",
      "content-length": info.size,
      "content-security-policy": extension === ".html" ? FILE_HTML_POLICY : PAGE_POLICY,
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    });
    if (response.req.method === "HEAD") return response.end();
    const stream = createReadStream(target);
    stream.on("error", () => response.destroy());
    stream.pipe(response);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, port: number) => {
    const url = request.url ?? "/";
    if (url.length > MAX_URL_LENGTH) return send(response, 414, "URL too long\n");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      return send(response, 405, "read-only: GET and HEAD only\n");
    }
    if (isLoopback(host) && !allowedHosts(host, port).has(request.headers.host ?? ""))
      return send(response, 421, "wrong host\n");
    const [rawPath = "/", query = ""] = url.split("?", 2);
    if (rawPath === "/") {
      const current = await currentIndex();
      const params = new URLSearchParams(query);
      const filters: RunFilters = {};
      for (const name of RUN_FILTERS) {
        const value = params.get(name);
        if (value) filters[name] = value.slice(0, 200);
      }
      return send(
        response,
        200,
        runsPage(current.runs, filters, {
          href: runHref,
          nav: NAV,
          skipped: current.skipped.length,
        }),
        CONTENT_TYPES[".html"],
      );
    }
    if (rawPath === "/trend")
      return send(
        response,
        200,
        trendPage(analyseTrend((await currentIndex()).runs), "zk-chaos trends", NAV),
        CONTENT_TYPES[".html"],
      );
    if (rawPath === "/index.json")
      return send(
        response,
        200,
        `${JSON.stringify(await currentIndex())}\n`,
        CONTENT_TYPES[".json"],
      );
    if (rawPath === "/store" || rawPath.startsWith("/store/"))
      return serveFile(response, rawPath.slice("/store".length), rawPath.endsWith("/"));
    return send(response, 404, "not found\n");
  };

  const server = createServer({ maxHeaderSize: 8192 }, (request, response) => {
    const port = (server.address() as AddressInfo).port;
    handle(request, response, port).catch(() => {
      if (!response.headersSent) send(response, 500, "could not read that\n");
      else response.destroy();
    });
  });
  server.maxConnections = options.maxConnections ?? 64;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
