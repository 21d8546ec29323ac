import type { ToxicSpec } from "../../network/fault-network.js";
import type { CutMode, DirectedPair } from "../../network/link-topology.js";
import { pick } from "../../util/seeded-random.js";
import type { ActiveFault, FaultContext, FaultHandlers } from "../fault-context.js";
import type { FaultSpec, LinkSelection } from "../fault-spec.js";
import {
  bridge,
  isolateGroups,
  majoritiesRing,
  majorityMinority,
  randomHalves,
  splitPairs,
} from "../partitions.js";

/** Cuts directed links for fault `id`; the heal lifts only its own cuts. */
async function cut(
  context: FaultContext,
  id: string,
  spec: FaultSpec,
  pairs: DirectedPair[],
  mode: CutMode | undefined,
  detail: Record<string, unknown>,
): Promise<ActiveFault> {
  const network = context.network(spec.kind);
  await network.block(pairs, mode ?? "refuse", id);
  return {
    id,
    spec,
    detail: { ...detail, mode: mode ?? "refuse" },
    heal: () => network.unblock(id),
  };
}

/** Puts a toxic on links for fault `id`; the heal removes it. */
async function degrade(
  context: FaultContext,
  id: string,
  spec: FaultSpec,
  toxic: ToxicSpec,
  links: LinkSelection | undefined,
): Promise<ActiveFault> {
  const network = context.network(spec.kind);
  const pairs = context.links(links);
  await network.degrade(id, pairs, toxic);
  return {
    id,
    spec,
    detail: {
      toxic: toxic.type,
      attributes: toxic.attributes,
      links: pairs.map((p) => [p.from, p.to]),
    },
    heal: () => network.undegrade(id),
  };
}

/** Partitions: links between servers cut, in every shape the catalogue names. */
export const PARTITION_FAULTS: FaultHandlers<
  "isolate" | "partition" | "bridge" | "ring" | "one-way" | "client-isolate"
> = {
  isolate: async (context, id, spec) => {
    const target = await context.oneTarget(spec.target, id);
    const groups = isolateGroups(target, context.ids());
    return cut(context, id, spec, splitPairs(groups), spec.mode, { groups, servers: [target] });
  },
  partition: (context, id, spec) => {
    const ids = context.ids();
    const groups =
      spec.groups === "random-halves"
        ? randomHalves(context.random, ids)
        : spec.groups === "majority-minority"
          ? majorityMinority(context.random, ids)
          : spec.groups.map((group) => [...group]);
    return cut(context, id, spec, splitPairs(groups), spec.mode, { groups });
  },
  bridge: (context, id, spec) => {
    const plan = bridge(context.random, context.ids());
    return cut(context, id, spec, plan.pairs, spec.mode, {
      bridge: plan.bridge,
      groups: plan.halves,
    });
  },
  ring: (context, id, spec) => {
    const plan = majoritiesRing(context.random, context.ids());
    return cut(context, id, spec, plan.pairs, spec.mode, { ring: plan.ring });
  },
  "one-way": async (context, id, spec) => {
    const from = await context.oneTarget(spec.from, id);
    const others = context.ids().filter((candidate) => candidate !== from);
    const to =
      typeof spec.to === "number"
        ? spec.to
        : spec.to === "leader"
          ? await context.leader()
          : spec.to === "random" || spec.to === "follower"
            ? pick(context.random, others)
            : await context.oneTarget(spec.to, id);
    // One-way cuts cannot refuse connections (both directions share them): black-hole the direction.
    return cut(context, id, spec, [{ from, to }], "blackhole", { from, to });
  },
  "client-isolate": async (context, id, spec) => {
    const network = context.network(spec.kind);
    const target = await context.oneTarget(spec.target, id);
    await network.blockClients(target, spec.mode ?? "refuse");
    return {
      id,
      spec,
      detail: { server: target },
      heal: () => network.unblockClients(target),
    };
  },
};

/** Degradations: toxics on peer links (delay, caps, loss, resets, black holes). */
export const DEGRADATION_FAULTS: FaultHandlers<
  "latency" | "bandwidth" | "loss" | "flaky" | "blackhole"
> = {
  latency: (context, id, spec) =>
    degrade(
      context,
      id,
      spec,
      { type: "latency", attributes: { latency: spec.latency, jitter: spec.jitter ?? 0 } },
      spec.links,
    ),
  bandwidth: (context, id, spec) =>
    degrade(context, id, spec, { type: "bandwidth", attributes: { rate: spec.rate } }, spec.links),
  loss: (context, id, spec) =>
    degrade(
      context,
      id,
      spec,
      { type: "loss", attributes: { probability: spec.rate } },
      spec.links,
    ),
  flaky: (context, id, spec) =>
    degrade(
      context,
      id,
      spec,
      spec.style === "slicer"
        ? {
            type: "slicer",
            attributes: { average_size: 16, size_variation: 8, delay: 500 },
            toxicity: spec.toxicity ?? 1,
          }
        : {
            type: "reset_peer",
            attributes: { timeout: 500 },
            toxicity: spec.toxicity ?? 0.3,
            stream: "upstream",
          },
      spec.links,
    ),
  blackhole: (context, id, spec) =>
    degrade(context, id, spec, { type: "timeout", attributes: { timeout: 0 } }, spec.links),
};
