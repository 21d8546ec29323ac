import { canSetClock } from "../../ensemble/ensemble.js";
import type { FaultHandlers } from "../fault-context.js";

/**
 * Clock faults: a server's clocks jump forward. The heal leaves them there:
 * libfaketime moves the monotonic clock with the wall clock, and a monotonic
 * clock stepped back stalls every wait the JVM timed with it (a leader that
 * stops ticking while it still says LEADING). Drift is left out: the
 * library's rate counts from the process's start, so a rate set mid-run jumps
 * by the whole uptime, and offsets written every second are not reread by
 * every thread in time.
 */
export const CLOCK_FAULTS: FaultHandlers<"clock"> = {
  clock: async (context, id, spec) => {
    const ensemble = context.ability(
      canSetClock,
      spec.kind,
      "servers started with libfaketime preloaded (the local provider, started for it)",
    );
    const target = await context.oneTarget(spec.target, id);
    const offsetMs = ensemble.clockOffset(target) + spec.offset;
    await ensemble.setClock(target, offsetMs);
    const heal = async () => {
      context.record("clock-left", { id, server: target, offsetMs: ensemble.clockOffset(target) });
    };
    return { id, spec, detail: { servers: [target], jumpMs: spec.offset, offsetMs }, heal };
  },
};
