import type { EnsembleServer } from "../../ensemble/ensemble.js";
import {
  type ActiveFault,
  type FaultContext,
  type FaultHandlers,
  PERMANENT,
} from "../fault-context.js";
import type { FaultSpec } from "../fault-spec.js";

/** Process faults: kill, stop and pause servers (healed by restart or resume), and restart one. */
export const PROCESS_FAULTS: FaultHandlers<"kill" | "stop" | "pause" | "restart"> = {
  kill: (context, id, spec) => stopServers(context, id, spec, (server) => server.kill()),
  stop: (context, id, spec) => stopServers(context, id, spec, (server) => server.stop()),
  pause: (context, id, spec) => stopServers(context, id, spec, (server) => server.pause()),
  restart: async (context, id, spec) => {
    const target = await context.oneTarget(spec.target, id);
    await context.ensemble.server(target).restart();
    return { id, spec, detail: { servers: [target] }, heal: PERMANENT };
  },
};

/** Stops `count` servers one way; the heal resumes the paused and restarts the others. */
async function stopServers(
  context: FaultContext,
  id: string,
  spec: Extract<FaultSpec, { kind: "kill" | "stop" | "pause" }>,
  act: (server: EnsembleServer) => Promise<void>,
): Promise<ActiveFault> {
  const targets = await context.resolve(spec.target ?? "random", spec.count ?? 1, id);
  const servers = targets.map((target) => context.ensemble.server(target));
  // Never beside a supervisor's restart: a server half-started would shrug the fault off.
  await context.exclusive(() => Promise.all(servers.map(act)));
  const heal = () =>
    context.exclusive(async () => {
      await Promise.all(
        servers.map((server) =>
          spec.kind === "pause"
            ? server.resume()
            : // A supervisor may have brought it back already: a running server needs nothing.
              server.processState === "running"
              ? undefined
              : server.restart(),
        ),
      );
    });
  return { id, spec, detail: { servers: targets }, heal };
}
