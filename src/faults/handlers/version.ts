import { canChangeVersion } from "../../ensemble/ensemble.js";
import { type FaultHandler, type FaultHandlers, PERMANENT } from "../fault-context.js";
import type { FaultSpec } from "../fault-spec.js";

/** Restarts a server on another release with the same data; permanent, like a restart. */
const changeVersion: FaultHandler<Extract<FaultSpec, { kind: "upgrade" | "downgrade" }>> = async (
  context,
  id,
  spec,
) => {
  const ensemble = context.ability(
    canChangeVersion,
    spec.kind,
    "an ensemble whose servers can change version (the local or ssh provider)",
  );
  const target = await context.oneTarget(spec.target, id);
  const from = ensemble.serverVersion(target);
  await ensemble.changeVersion(target, spec.version);
  return { id, spec, detail: { servers: [target], from, to: spec.version }, heal: PERMANENT };
};

/** Version faults: a server moves to a newer or older release with its data. */
export const VERSION_FAULTS: FaultHandlers<"upgrade" | "downgrade"> = {
  upgrade: changeVersion,
  downgrade: changeVersion,
};
