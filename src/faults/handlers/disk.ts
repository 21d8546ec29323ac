import { NothingToDamageError } from "../../ensemble/data-damage.js";
import {
  canDamageData,
  canFillLogDisks,
  canSlowFsync,
  type Ensemble,
  hasServerLogs,
} from "../../ensemble/ensemble.js";
import { classifyServerLogLine } from "../../history/server-log.js";
import { sleep } from "../../util/sleep.js";
import type { FaultHandler, FaultHandlers } from "../fault-context.js";
import type { FaultSpec } from "../fault-spec.js";

const LOCAL_DATA =
  "servers whose data folders are on this machine (local JVMs or bind-mounted containers)";

/** How long a server restarted on damaged data may take to show what it did with it. */
const LOAD_OUTCOME_MS = 20_000;

/**
 * Kills a server, damages its data, starts it again. A server that then
 * refuses to start is, at the heal, wiped and started (an operator's fix,
 * after which it resynchronises from the leader).
 */
const damage: FaultHandler<Extract<FaultSpec, { kind: "wipe" | "corrupt" }>> = async (
  context,
  id,
  spec,
) => {
  const ensemble = context.ability(canDamageData, spec.kind, LOCAL_DATA);
  const target = await context.oneTarget(spec.target, id);
  const server = ensemble.server(target);
  const kind = spec.kind === "wipe" ? "wipe" : (spec.damage ?? "flip-log");
  const report = await context.exclusive(async () => {
    await server.kill();
    try {
      return await ensemble.damageData(target, kind, context.random);
    } catch (error) {
      // A server with nothing of the kind yet (e.g. fresh from a snapshot after an earlier
      // fault): the fault happened, it found nothing to damage; the run goes on.
      if (!(error instanceof NothingToDamageError)) throw error;
      return { damage: kind, files: [], nothingDamaged: error.message };
    } finally {
      await server.restart();
    }
  });
  // Whether ZooKeeper took the damaged data is known once it has read it: it begins an election, or exits.
  const outcome = await loadOutcome(ensemble, target, LOAD_OUTCOME_MS);
  const heal = () =>
    context.exclusive(async () => {
      if (server.processState !== "stopped") return;
      const exit = server.exitDescription;
      await ensemble.damageData(target, "wipe", context.random);
      await server.restart();
      context.record("data-repaired", {
        id,
        server: target,
        refused: exit ?? "exited",
        wiped: true,
      });
    });
  return { id, spec, detail: { servers: [target], ...report, outcome }, heal };
};

/** Disk faults: a full log disk, wiped, damaged or read-only data, slow fsyncs. */
export const DISK_FAULTS: FaultHandlers<
  "disk-full" | "wipe" | "corrupt" | "read-only" | "slow-fsync"
> = {
  // The heal frees the disk and, like an operator once there is room, starts the server if it died.
  "disk-full": async (context, id, spec) => {
    const ensemble = context.ability(
      canFillLogDisks,
      "disk-full",
      "servers whose transaction log has a disk of its own (local JVMs or containers started with logDiskMb)",
    );
    const target = await context.oneTarget(spec.target, id);
    const filledBytes = await ensemble.fillLogDisk(target);
    const heal = async () => {
      await ensemble.freeLogDisk(target);
      await context.exclusive(async () => {
        const server = ensemble.server(target);
        const died = server.processState === "stopped";
        context.record("disk-freed", { id, server: target, restarted: died });
        if (died) await server.restart();
      });
    };
    return { id, spec, detail: { servers: [target], filledBytes }, heal };
  },
  wipe: damage,
  corrupt: damage,
  // The heal makes the folders writable and starts the server if it died.
  "read-only": async (context, id, spec) => {
    const ensemble = context.ability(canDamageData, "read-only", LOCAL_DATA);
    const target = await context.oneTarget(spec.target, id);
    const server = ensemble.server(target);
    const folders = await context.exclusive(async () => {
      await server.kill();
      try {
        return await ensemble.setDataReadOnly(target, true);
      } finally {
        await server.restart();
      }
    });
    // Known before the fault returns, as for damaged data: it refused (or somehow ran), so a
    // heal that comes soon (a container still starting) sees the server as it will be.
    const outcome = await loadOutcome(ensemble, target, LOAD_OUTCOME_MS);
    const heal = () =>
      context.exclusive(async () => {
        await ensemble.setDataReadOnly(target, false);
        const died = server.processState === "stopped";
        context.record("data-writable", {
          id,
          server: target,
          restarted: died,
          ...(died ? { exit: server.exitDescription ?? "exited" } : {}),
        });
        if (died) await server.restart();
      });
    return { id, spec, detail: { servers: [target], folders, outcome }, heal };
  },
  // The heal restores fsync and records how many fsyncs waited.
  "slow-fsync": async (context, id, spec) => {
    const ensemble = context.ability(
      canSlowFsync,
      spec.kind,
      "servers whose transaction log is on the slow-fsync file system (the local provider, started for it)",
    );
    const target = await context.oneTarget(spec.target, id);
    const before = await ensemble.setFsyncDelay(target, spec.delay);
    const heal = async () => {
      const after = await ensemble.setFsyncDelay(target, 0);
      context.record("fsync-restored", { id, server: target, slowedFsyncs: after - before });
    };
    return { id, spec, detail: { servers: [target], delayMs: spec.delay }, heal };
  },
};

/**
 * What a server restarted on damaged data did with it: "loaded" once it
 * begins an election (its database is read by then), "refused (...)" if its
 * process ends first, "undetermined" when neither happens in time.
 */
async function loadOutcome(ensemble: Ensemble, id: number, timeoutMs: number): Promise<string> {
  const server = ensemble.server(id);
  let loaded = false;
  const unsubscribe = hasServerLogs(ensemble)
    ? ensemble.onServerLog(({ server: from, line }) => {
        if (from === id && classifyServerLogLine(line) === "election-started") loaded = true;
      })
    : () => {};
  try {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (server.processState === "stopped")
        return `refused (${server.exitDescription ?? "exited"})`;
      if (loaded) return "loaded";
      // Without a log stream, a server that serves has loaded its data.
      if (
        !hasServerLogs(ensemble) &&
        (await server.status().catch(() => undefined))?.state === "serving"
      )
        return "loaded";
      await sleep(100);
    }
    return "undetermined";
  } finally {
    unsubscribe();
  }
}
