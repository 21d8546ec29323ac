/** The Toxiproxy 2.x data model: proxies, toxics, their JSON and their errors. */
import type { MessageRule } from "../wire/message-rule.js";

/** Toxic types Toxiproxy implements ("down" is not one: it is `enabled: false`). */
export const TOXIC_TYPES = [
  "latency",
  "bandwidth",
  "slow_close",
  "timeout",
  "reset_peer",
  "slicer",
  "limit_data",
  // zk-chaos extension: a rule on single decoded messages (see wire/message-rule.ts).
  "zk_message",
  // zk-chaos extension: one bottleneck link many proxies share (see shared-link.ts).
  "shared_link",
] as const;

/** A toxic type name. */
export type ToxicType = (typeof TOXIC_TYPES)[number];

/** upstream = client to server; downstream = server to client. */
export type Stream = "upstream" | "downstream";

/** Each type's attributes with Toxiproxy's defaults (all zero). */
export const TOXIC_DEFAULTS: Readonly<Record<ToxicType, Readonly<Record<string, number>>>> = {
  latency: { latency: 0, jitter: 0 },
  bandwidth: { rate: 0 },
  slow_close: { delay: 0 },
  timeout: { timeout: 0 },
  reset_peer: { timeout: 0 },
  slicer: { average_size: 0, size_variation: 0, delay: 0 },
  limit_data: { bytes: 0 },
  zk_message: {},
  // rate in KB/s as bandwidth's; buffer: the link's queue, ms.
  shared_link: { rate: 0, buffer: 0 },
};

/** A toxic as the API shows it. */
export interface ToxicJson {
  readonly name: string;
  readonly type: ToxicType;
  readonly stream: Stream;
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
  /** zk_message only: the rule (zk-chaos extension). */
  readonly message?: MessageRule;
  /** shared_link only: the link's name; toxics naming the same link share it (zk-chaos extension). */
  readonly link?: string;
}

/** A proxy as the API shows it. */
export interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly ToxicJson[];
  /** zk-chaos extension: rewrite ZooKeeper's election handshake (see election-handshake.ts). */
  readonly rewrite?: string;
  /** zk-chaos extension: the protocol its connections are decoded as (see wire/wire-tap.ts). */
  readonly decode?: string;
}

/**
 * An API error: the HTTP status and Toxiproxy's message. Errors of Toxiproxy's
 * own handlers are JSON; those of its router and middleware (an unknown path,
 * a method it does not route, a browser) are plain text, as there.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly plain: boolean;

  constructor(status: number, message: string, plain = false) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.plain = plain;
  }
}

/** A field of a request body that must have a JSON type, if present (Go's decoder refuses the rest). */
export function checkField(
  body: Record<string, unknown>,
  field: string,
  type: "string" | "boolean" | "number",
): void {
  const value = body[field];
  if (value !== undefined && typeof value !== type)
    throw new ApiError(
      400,
      `bad request body: ${field} must be a ${type}, got ${JSON.stringify(value)}`,
    );
}

/** True for a known toxic type. */
export function isToxicType(value: unknown): value is ToxicType {
  return typeof value === "string" && (TOXIC_TYPES as readonly string[]).includes(value);
}

/** Validates and completes attributes for a type; unknown keys are ignored as Toxiproxy does. */
export function toxicAttributes(
  type: ToxicType,
  given: unknown,
  base: Readonly<Record<string, number>> = TOXIC_DEFAULTS[type],
): Record<string, number> {
  if (given === undefined || given === null) return { ...base };
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new ApiError(400, "bad request body: attributes must be an object");
  }
  const attributes: Record<string, number> = { ...base };
  for (const key of Object.keys(TOXIC_DEFAULTS[type])) {
    const value = (given as Record<string, unknown>)[key];
    if (value === undefined) continue;
    // Go decodes attributes into integers: a float is refused, not rounded.
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new ApiError(400, `bad request body: attribute ${key} must be an integer`);
    }
    attributes[key] = value;
  }
  return attributes;
}

/** Parses "host:port" (host may be empty or a bracketed IPv6 address). */
export function parseAddress(address: string, defaultHost: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  if (colon < 0) throw new ApiError(400, `bad request body: address '${address}' has no port`);
  let host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ApiError(400, `bad request body: address '${address}' has an invalid port`);
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || host === "localhost") host = host === "" ? defaultHost : "127.0.0.1";
  return { host, port };
}

/**
 * The piece sizes the slicer toxic cuts `length` bytes into, the way Toxiproxy
 * does: halve (moved by up to the variation) until a piece is within the
 * variation of the average size. Pieces thus average well below the average
 * size (about 62 bytes for 100), as on the real server.
 */
export function slicerPieces(
  length: number,
  average: number,
  variation: number,
  random: () => number,
): number[] {
  const cuts: number[] = [];
  const chunk = (start: number, end: number): void => {
    if (end - start - average <= variation || end - start < 2) {
      cuts.push(end - start);
      return;
    }
    const offset = variation > 0 ? Math.floor(random() * variation * 2) - variation : 0;
    const middle = Math.min(
      end - 1,
      Math.max(start + 1, start + Math.floor((end - start) / 2) + offset),
    );
    chunk(start, middle);
    chunk(middle, end);
  };
  if (length > 0) chunk(0, length);
  return cuts;
}
