import { canStarveCpu } from "../../ensemble/ensemble.js";
import type { FaultHandlers } from "../fault-context.js";
import { DEFAULT_STARVE_CPU } from "../fault-spec.js";

/** CPU faults: a server held to a fraction of a core; it stays a voter ("slow" in the connectivity view). */
export const CPU_FAULTS: FaultHandlers<"starve"> = {
  starve: async (context, id, spec) => {
    const ensemble = context.ability(
      canStarveCpu,
      "starve",
      "servers whose processes the harness can put in a cgroup (local JVMs or containers, as root)",
    );
    const target = await context.oneTarget(spec.target, id);
    const cpu = spec.cpu ?? DEFAULT_STARVE_CPU;
    const how = await ensemble.starveCpu(target, cpu);
    context.starved.add(target);
    const heal = async () => {
      const got = await ensemble.feedCpu(target);
      context.starved.delete(target);
      // The kernel's measure of what the server got: proof the cap held.
      context.record("fed", { id, server: target, cpu, ...(got ?? {}) });
    };
    return { id, spec, detail: { servers: [target], cpu, how }, heal };
  },
};
