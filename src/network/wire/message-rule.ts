/**
 * Message rules: what a decoding proxy does to single messages. A rule is the
 * `message` field of a `zk_message` toxic (a zk-chaos extension of the
 * Toxiproxy API): which messages it matches (their type, and a type that must
 * have crossed the same connection before), what it does to them, and how
 * many it takes. Rules act on whole messages only, so framing stays correct.
 */

/** What a rule does to a message it takes. */
export const MESSAGE_ACTIONS = ["drop", "delay", "duplicate", "hold", "reset"] as const;

/** drop: cut it whole; delay: forward it `delayMs` later; duplicate: forward it twice; hold: until the rule is removed (or `holdMs`); reset: reset the connection instead. */
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

/** The longest a held message waits when the rule says nothing (ms): a stalled harness never wedges a link. */
export const DEFAULT_HOLD_MS = 10_000;

/** A rule as the API carries it. */
export interface MessageRule {
  /** Message types it matches (PROPOSAL, ACK, NOTIFICATION, ...); empty matches any. */
  readonly types: readonly string[];
  /** Only after a message of this type crossed the connection (either way). */
  readonly after?: string;
  readonly action: MessageAction;
  /** How many messages it takes (0: every one). */
  readonly count: number;
  /** Rules with one group share their count (one fault over many links). */
  readonly group?: string;
  /** delay: how long (ms). */
  readonly delayMs?: number;
  /** hold: the longest it holds (ms). */
  readonly holdMs?: number;
}

/** What a rule did to one message, as the proxy reports it. */
export interface RuleDecision {
  /** The toxic whose rule took the message. */
  readonly toxic: string;
  readonly group?: string;
  readonly action: MessageAction;
}

function isAction(value: unknown): value is MessageAction {
  return typeof value === "string" && (MESSAGE_ACTIONS as readonly string[]).includes(value);
}

/** A `message` field that is no rule; the API answers it with a 400. */
export class BadMessageRule extends Error {}

function nonNegativeInteger(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new BadMessageRule(`bad request body: message.${key} must be a whole number >= 0`);
  return value;
}

/** Validates a `message` field of an API body; throws BadMessageRule. */
export function parseMessageRule(given: unknown): MessageRule {
  if (typeof given !== "object" || given === null || Array.isArray(given))
    throw new BadMessageRule("bad request body: a zk_message toxic needs a message object");
  const body = given as Record<string, unknown>;
  if (!isAction(body.action))
    throw new BadMessageRule(
      `bad request body: message.action must be one of ${MESSAGE_ACTIONS.join(", ")}`,
    );
  const types = body.types ?? [];
  if (!Array.isArray(types) || types.some((type) => typeof type !== "string" || type === ""))
    throw new BadMessageRule("bad request body: message.types must be a list of message types");
  for (const key of ["after", "group"] as const)
    if (body[key] !== undefined && (typeof body[key] !== "string" || body[key] === ""))
      throw new BadMessageRule(`bad request body: message.${key} must be a non-empty string`);
  const delayMs = nonNegativeInteger(body, "delayMs");
  const holdMs = nonNegativeInteger(body, "holdMs");
  return {
    types: types as string[],
    ...(body.after !== undefined ? { after: body.after as string } : {}),
    action: body.action,
    count: nonNegativeInteger(body, "count") ?? 0,
    ...(body.group !== undefined ? { group: body.group as string } : {}),
    ...(delayMs !== undefined ? { delayMs } : {}),
    ...(holdMs !== undefined ? { holdMs } : {}),
  };
}

/** True when a message of `type` is one the rule looks for, given the types its connection has carried. */
export function ruleMatches(rule: MessageRule, type: string, seen: ReadonlySet<string>): boolean {
  if (rule.types.length > 0 && !rule.types.includes(type)) return false;
  return rule.after === undefined || seen.has(rule.after);
}

/** True for actions that change which bytes reach the receiver: they need the message whole in hand. */
export function cutsBytes(action: MessageAction): boolean {
  return action === "drop" || action === "duplicate";
}

/**
 * How many messages each rule may still take, shared by the proxies of one
 * server: a rule's group, or the toxic itself, is the key.
 */
export class RuleBudgets {
  private readonly left = new Map<string, number>();

  /** Takes one from the budget of `key` (started at `count`; 0 never runs out); false when spent. */
  take(key: string, count: number): boolean {
    if (count === 0) return true;
    const left = this.left.get(key) ?? count;
    if (left <= 0) return false;
    this.left.set(key, left - 1);
    return true;
  }
}
