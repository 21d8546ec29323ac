/**
 * A run's behaviour signature, the feedback of the explore search: what the
 * servers did (their key log lines) and what the nemesis did to them, told
 * by role rather than by server id, so that two runs that differ only in
 * which follower was hit read the same (DistFuzz's symmetry). Coverage is
 * the set of distinct n-grams of those tokens. Pure: a history in, strings out.
 */
import type { HistoryEvent } from "../history/event.js";
import { wireSequences } from "./wire-signature.js";

/** A server's role as its log last told it. */
type Role = "leader" | "follower" | "looking" | "unknown";

/** The longest n-gram the signature keeps. */
export const SIGNATURE_GRAM = 3;

const ROLE_OF_KIND: Readonly<Record<string, Role>> = {
  leading: "leader",
  following: "follower",
  looking: "looking",
  "election-started": "looking",
};

/** The server ids a nemesis record names as hit (servers, server, from/to). */
function serversHit(value: unknown): number[] {
  const detail = value as { servers?: unknown; server?: unknown; from?: unknown; to?: unknown };
  const ids = [
    ...(Array.isArray(detail?.servers) ? detail.servers : []),
    detail?.server,
    detail?.from,
  ];
  return ids.filter((id): id is number => typeof id === "number");
}

/** The server id of a `server-N` process, if it is one. */
function serverOf(process: HistoryEvent["process"]): number | undefined {
  if (typeof process !== "string" || !process.startsWith("server-")) return undefined;
  const id = Number(process.slice("server-".length));
  return Number.isInteger(id) ? id : undefined;
}

/** One token of the run, with the server it concerns when it concerns one. */
interface Token {
  readonly server?: number;
  readonly text: string;
}

/**
 * The run as tokens, in history order: each key log line as `<role>:<kind>`
 * (the role the server had before the line), each fault that started as
 * `<role>:fault:<kind>` for each server it hit (or `all:fault:<kind>`), each
 * heal as `heal:<kind>`. A server's role changes as its log says.
 */
export function behaviourTokens(events: readonly HistoryEvent[]): Token[] {
  const roles = new Map<number, Role>();
  const role = (server: number) => roles.get(server) ?? "unknown";
  const tokens: Token[] = [];
  // A fault's own info record (after its invoke) says what it hit; heal-all and connectivity do not count.
  const invoked = new Set<string>();
  for (const event of events) {
    const server = serverOf(event.process);
    if (server !== undefined && event.f === "log") {
      const kind = (event.value as { kind?: string } | undefined)?.kind;
      if (kind === undefined) continue;
      tokens.push({ server, text: `${role(server)}:${kind}` });
      const next = ROLE_OF_KIND[kind];
      if (next !== undefined) roles.set(server, next);
      continue;
    }
    if (event.process !== "nemesis") continue;
    const value = event.value as
      | { id?: string; spec?: { kind?: string }; kind?: string }
      | undefined;
    if (event.f === "heal" && event.type === "info" && value?.kind !== undefined) {
      tokens.push({ text: `heal:${value.kind}` });
      continue;
    }
    const kind = value?.spec?.kind;
    if (kind === undefined || value?.id === undefined) continue;
    if (event.type === "invoke") {
      invoked.add(value.id);
      continue;
    }
    if (!invoked.delete(value.id) || (value as { error?: unknown }).error !== undefined) continue;
    const hit = serversHit(event.value);
    if (hit.length === 0) tokens.push({ text: `all:fault:${kind}` });
    for (const each of hit) tokens.push({ server: each, text: `${role(each)}:fault:${kind}` });
  }
  return tokens;
}

/** The distinct 1..n-grams of a sequence, consecutive repeats collapsed first. */
export function nGrams(sequence: readonly string[], n = SIGNATURE_GRAM): string[] {
  const collapsed = sequence.filter((token, index) => index === 0 || sequence[index - 1] !== token);
  const grams = new Set<string>();
  for (let length = 1; length <= n; length++)
    for (let start = 0; start + length <= collapsed.length; start++)
      grams.add(collapsed.slice(start, start + length).join(" > "));
  return [...grams];
}

/**
 * The signature of a run: n-grams of the whole run's tokens (`run|...`) and
 * of each server's own tokens (`server|...`), and of each peer link's
 * messages where the wire was recorded (`wire|...`), without server ids. Two runs
 * that differ only by which interchangeable server was hit have the same one.
 */
export function behaviourSignature(
  events: readonly HistoryEvent[],
  n = SIGNATURE_GRAM,
): ReadonlySet<string> {
  const tokens = behaviourTokens(events);
  const grams = new Set(
    nGrams(
      tokens.map((token) => token.text),
      n,
    ).map((gram) => `run|${gram}`),
  );
  const byServer = new Map<number, string[]>();
  for (const token of tokens) {
    if (token.server === undefined) continue;
    const own = byServer.get(token.server) ?? [];
    own.push(token.text);
    byServer.set(token.server, own);
  }
  for (const sequence of byServer.values())
    for (const gram of nGrams(sequence, n)) grams.add(`server|${gram}`);
  // The peer messages, when the run recorded them (network.wire): per link, ids dropped.
  for (const sequence of wireSequences(events).values())
    for (const gram of nGrams(sequence, n)) grams.add(`wire|${gram}`);
  return grams;
}

/** The grams of `signature` that `coverage` does not hold yet. */
export function newGrams(signature: ReadonlySet<string>, coverage: ReadonlySet<string>): string[] {
  return [...signature].filter((gram) => !coverage.has(gram));
}
