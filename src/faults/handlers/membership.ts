import { canChangeMembers } from "../../ensemble/ensemble.js";
import { ZkChaosError } from "../../errors.js";
import { pick } from "../../util/seeded-random.js";
import { type FaultHandler, type FaultHandlers, PERMANENT } from "../fault-context.js";
import type { FaultSpec } from "../fault-spec.js";
import { joinServer, leaveServer } from "../membership.js";

/** A join or a leave: a reconfig, waited for until committed; permanent like an upgrade. */
const changeMembers: FaultHandler<Extract<FaultSpec, { kind: "join" | "leave" }>> = async (
  context,
  id,
  spec,
) => {
  const ensemble = context.ability(
    canChangeMembers,
    spec.kind,
    "an ensemble started for membership changes (a scenario with members:, 3.5+)",
  );
  const members = ensemble.members ?? [];
  let target: number;
  if (spec.kind === "join") {
    const waiting = ensemble.servers
      .map((server) => server.id)
      .filter(
        (server) => !members.includes(server) && ensemble.server(server).processState !== "running",
      );
    if (typeof spec.target === "number") target = spec.target;
    else if (waiting.length === 0)
      throw new ZkChaosError("SERVER_STATE", "join: every server is a member already");
    else target = pick(context.random, waiting);
    if (members.includes(target))
      throw new ZkChaosError("SERVER_STATE", `join: server ${target} is a member already`);
  } else {
    target = await context.oneTarget(spec.target, id);
    if (!members.includes(target))
      throw new ZkChaosError("SERVER_STATE", `leave: server ${target} is not a member`);
  }
  const now = await context.exclusive(() =>
    spec.kind === "join" ? joinServer(ensemble, target) : leaveServer(ensemble, target),
  );
  return { id, spec, detail: { servers: [target], members: now }, heal: PERMANENT };
};

/** Membership faults: a server joins or leaves the ensemble by a reconfig (3.5+). */
export const MEMBERSHIP_FAULTS: FaultHandlers<"join" | "leave"> = {
  join: changeMembers,
  leave: changeMembers,
};
