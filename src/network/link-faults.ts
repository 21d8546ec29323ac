import { BadInputError } from "../errors.js";
import type { CutMode, DirectedPair } from "./link-topology.js";
import type { MessageMatch } from "./message-streams.js";
import type { MessageAction } from "./wire/message-rule.js";

/** What a message rule does to what it takes (the match is given apart). */
export interface MessageRuleAction {
  readonly action: MessageAction;
  /** How many messages, over all the streams the match names (0: every one). */
  readonly count: number;
  readonly delayMs?: number;
  readonly holdMs?: number;
}

/** A toxic a degradation adds, in Toxiproxy's terms. */
export interface ToxicSpec {
  readonly type: string;
  readonly attributes: Readonly<Record<string, number>>;
  readonly toxicity?: number;
  /** Which direction of each link (default both). */
  readonly stream?: "upstream" | "downstream" | "both";
}

/** A peer message a message rule took: whose rule, what it did, and the message. */
export interface RuleTaken {
  readonly owner: string;
  readonly action: MessageAction;
  readonly channel: "quorum" | "election";
  readonly sender: number;
  readonly receiver: number;
  readonly type: string;
  /** epoch:counter, when the message has one. */
  readonly zxid?: string;
}

/** Which server can send to which, as the network (not the processes) allows. */
export interface NetworkView {
  /** Directed server pairs whose data is blocked, e.g. [[1,2]] = 1 cannot reach 2. */
  readonly blocked: readonly [number, number][];
  /** Servers whose clients are cut off. */
  readonly clientsBlocked: readonly number[];
  /** Active degradations by name, with the links they affect. */
  readonly degradations: readonly { name: string; type: string; links: [number, number][] }[];
}

/**
 * What the nemesis and the workload need of a fault network, whatever makes
 * the faults: TCP proxies (FaultNetwork) or the hosts' kernels (KernelNetwork).
 */
export interface LinkFaults extends AsyncDisposable {
  /** Cuts the directed pairs, on behalf of `owner` (a fault id); each owner heals its own. */
  block(pairs: readonly DirectedPair[], mode: CutMode, owner: string): Promise<void>;
  /** Heals what `owner` cut. */
  unblock(owner: string): Promise<void>;
  /** Cuts server `id` off from its clients. */
  blockClients(id: number, mode: CutMode): Promise<void>;
  unblockClients(id: number): Promise<void>;
  /** Degrades the links (latency, bandwidth, loss...) under a name. */
  degrade(name: string, links: readonly DirectedPair[], toxic: ToxicSpec): Promise<void>;
  undegrade(name: string): Promise<void>;
  /** Heals everything. */
  healAll(): Promise<void>;
  view(): NetworkView;
  /** How clients reach the given servers through this network (where it routes them). */
  clientConnectString(ids?: readonly number[]): string;
  dispose(): Promise<void>;
}

/** What a network that decodes the peer links adds: rules on single messages. */
export interface MessageRules {
  /** Puts a rule on single peer messages for `owner`; returns the streams it covers. */
  ruleMessages(owner: string, match: MessageMatch, rule: MessageRuleAction): Promise<number>;
  /** Removes `owner`'s message rules. */
  unruleMessages(owner: string): Promise<void>;
  /** Hears each message a rule takes, as the proxy takes it (before it acts); returns the unsubscribe. */
  onRuleTaken(listener: (taken: RuleTaken) => void): () => void;
}

/** The network's message rules, or why it has none (`what` names the fault or trigger that needs them). */
export function messageRulesOf(network: LinkFaults, what: string): MessageRules {
  const rules = network as Partial<MessageRules>;
  if (
    typeof rules.ruleMessages === "function" &&
    typeof rules.unruleMessages === "function" &&
    typeof rules.onRuleTaken === "function"
  )
    return network as LinkFaults & MessageRules;
  throw new BadInputError(
    `${what} acts on single peer messages, which only the built-in proxy decoding the peer links sees: use the local or docker provider without --toxiproxy-url or --docker-network bridge`,
  );
}
