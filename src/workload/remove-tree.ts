/** Removing what a run wrote: a znode and everything under it. */
import { ZK_ERRORS, ZkSession } from "./zk-session.js";

/** At most this many znodes go: a run writes far fewer; a bigger tree is not the run's. */
const MOST_NODES = 200_000;

/**
 * Deletes `root` and every znode under it, children first, through one
 * session; a znode already gone is fine. Returns how many were deleted.
 */
export async function removeTree(connectString: string, root: string): Promise<number> {
  if (root === "/" || root === "" || root === "/zookeeper" || root.startsWith("/zookeeper/"))
    throw new Error(`refusing to remove ${root || "/"}: not a run's own root`);
  await using session = await ZkSession.open(connectString, { operationTimeoutMs: 10_000 });
  let deleted = 0;
  const visit = async (path: string): Promise<void> => {
    let children: string[];
    try {
      children = (await session.getChildren(path)).children;
    } catch (error) {
      if ((error as { code?: number }).code === ZK_ERRORS.NO_NODE) return;
      throw error;
    }
    for (const child of children) await visit(`${path}/${child}`);
    if (deleted >= MOST_NODES)
      throw new Error(`${root} holds more than ${MOST_NODES} znodes: not removed in full`);
    try {
      await session.delete(path);
      deleted++;
    } catch (error) {
      if ((error as { code?: number }).code !== ZK_ERRORS.NO_NODE) throw error;
    }
  };
  await visit(root);
  return deleted;
}
