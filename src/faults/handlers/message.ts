/** Message faults: a rule on single decoded peer messages, removed by the heal. */
import { type MessageRuleAction, messageRulesOf } from "../../network/link-faults.js";
import type { FaultContext, FaultHandler, FaultHandlers } from "../fault-context.js";
import type { FaultSpec, MessageMatch } from "../fault-spec.js";

/** A held message waits for the heal; this only bounds a heal that never comes. */
const HOLD_UNTIL_HEALED_MS = 3_600_000;

/** Puts a message rule for fault `id` on the streams its match names; the heal removes it. */
async function ruleMessages(
  context: FaultContext,
  id: string,
  spec: FaultSpec & { readonly match: MessageMatch },
  rule: MessageRuleAction,
) {
  const rules = messageRulesOf(context.network(spec.kind), `fault ${id} (${spec.kind})`);
  const streams = await rules.ruleMessages(id, spec.match, rule);
  return {
    id,
    spec,
    detail: { ...spec.match, action: rule.action, count: rule.count, streams },
    heal: () => rules.unruleMessages(id),
  };
}

function messageFault<K extends FaultSpec["kind"]>(
  rule: (spec: Extract<FaultSpec, { kind: K }>) => MessageRuleAction,
): FaultHandler<Extract<FaultSpec, { kind: K }>> {
  return (context, id, spec) =>
    ruleMessages(
      context,
      id,
      spec as Extract<FaultSpec, { kind: K }> & { match: MessageMatch },
      rule(spec),
    );
}

/** Faults on single peer messages (they need the wire). */
export const MESSAGE_FAULTS: FaultHandlers<
  "drop-message" | "delay-message" | "duplicate-message" | "hold-message"
> = {
  "drop-message": messageFault<"drop-message">((spec) => ({
    action: spec.mode === "reset" ? "reset" : "drop",
    count: spec.count ?? 1,
  })),
  "delay-message": messageFault<"delay-message">((spec) => ({
    action: "delay",
    count: spec.count ?? 1,
    delayMs: spec.delay,
  })),
  "duplicate-message": messageFault<"duplicate-message">((spec) => ({
    action: "duplicate",
    count: spec.count ?? 1,
  })),
  "hold-message": messageFault<"hold-message">((spec) => ({
    action: "hold",
    count: spec.count ?? 1,
    holdMs: HOLD_UNTIL_HEALED_MS,
  })),
};
