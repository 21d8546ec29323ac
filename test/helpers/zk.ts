import type { Ensemble } from "../../src/ensemble/ensemble.js";
import { ZkOperationError, ZkSession } from "../../src/workload/zk-session.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a session to exactly one server of the ensemble. */
export function sessionTo(ensemble: Ensemble, id: number): Promise<ZkSession> {
  return ZkSession.open(ensemble.connectString([id]), { connectTimeoutMs: 15_000 });
}

/**
 * Reads a znode from one server until it shows the expected data. Followers
 * may lag the leader (ZooKeeper's reads are not linearizable), so the loop
 * waits, bounded by a deadline.
 */
export async function readEventually(
  session: ZkSession,
  path: string,
  expected: string,
  timeoutMs = 5000,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let seen: string | undefined;
  while (Date.now() < deadline) {
    try {
      const stat = await session.exists(path);
      if (stat !== null) {
        seen = (await session.getData(path)).data.toString();
        if (seen === expected) return seen;
      }
    } catch (error) {
      // A server still syncing after a heal drops the connection; the client reconnects: read again.
      if (!(error instanceof ZkOperationError) || error.definite) throw error;
    }
    await sleep(25);
  }
  return seen;
}

/** Polls a condition until true or the deadline; returns whether it became true. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}
