/**
 * Membership changes as an operator makes them with dynamic reconfiguration:
 * a server joins (started with the members' config, then added by a
 * reconfig once it serves) or leaves (removed by a reconfig, then stopped).
 * Each waits until /zookeeper/config shows the change committed.
 */
import type { Ensemble, MembershipChanging } from "../ensemble/ensemble.js";
import { ZkChaosError } from "../errors.js";
import { sleep } from "../util/sleep.js";
import { ZkSession } from "../workload/zk-session.js";

/** How long a joiner may take to serve, and a reconfig to show committed. */
const JOIN_SERVING_MS = 30_000;
const COMMIT_MS = 20_000;

/** The member ids a /zookeeper/config text lists. */
export function configMembers(text: string): number[] {
  return [...text.matchAll(/^server\.(\d+)=/gm)]
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/**
 * Sends one reconfig through a member other than `excluded`, then reads the
 * configuration until `done` holds: a leaving leader may drop the reply, so
 * the committed config is the proof, not the answer. Returns the new members.
 */
async function reconfigure(
  ensemble: Ensemble & MembershipChanging,
  excluded: number,
  change: { joining: readonly string[]; leaving: readonly number[] },
  done: (members: readonly number[]) => boolean,
): Promise<number[]> {
  const through = (ensemble.members ?? []).filter((id) => id !== excluded);
  if (through.length === 0)
    throw new ZkChaosError("SERVER_STATE", "no other member to send the reconfig through");
  const session = await ZkSession.open(ensemble.connectString(through), {
    operationTimeoutMs: 10_000,
  });
  try {
    let error: unknown;
    await session.reconfig(change.joining, change.leaving).catch((cause: unknown) => {
      error = cause;
    });
    const deadline = performance.now() + COMMIT_MS;
    while (performance.now() < deadline) {
      const members = await session
        .getData("/zookeeper/config")
        .then(({ data }) => configMembers(data.toString("utf8")))
        .catch(() => undefined);
      if (members !== undefined && done(members)) return members;
      await sleep(200);
    }
    throw new ZkChaosError(
      "SERVER_STATE",
      `the reconfig (${change.joining.length > 0 ? `add ${change.joining.join(", ")}` : `remove ${change.leaving.join(", ")}`}) did not commit within ${COMMIT_MS} ms${error instanceof Error ? `: ${error.message}` : ""}`,
    );
  } finally {
    session.close();
  }
}

/** Server `id` joins: started with today's members, then added once it serves; returns the new members. */
export async function joinServer(
  ensemble: Ensemble & MembershipChanging,
  id: number,
): Promise<number[]> {
  await ensemble.startJoiner(id);
  const deadline = performance.now() + JOIN_SERVING_MS;
  while ((await ensemble.server(id).status()).state !== "serving") {
    if (performance.now() > deadline)
      throw new ZkChaosError(
        "SERVER_STATE",
        `server ${id} did not sync with the members within ${JOIN_SERVING_MS} ms`,
      );
    await sleep(100);
  }
  const members = await reconfigure(
    ensemble,
    id,
    { joining: [ensemble.memberLine(id)], leaving: [] },
    (now) => now.includes(id),
  );
  ensemble.setMembers(members);
  return members;
}

/** Server `id` leaves: removed by a reconfig, then stopped; returns the new members. */
export async function leaveServer(
  ensemble: Ensemble & MembershipChanging,
  id: number,
): Promise<number[]> {
  const members = await reconfigure(
    ensemble,
    id,
    { joining: [], leaving: [id] },
    (now) => !now.includes(id),
  );
  ensemble.setMembers(members);
  // Out of the configuration it serves no one: stop it as an operator would.
  await ensemble.server(id).stop();
  return members;
}
