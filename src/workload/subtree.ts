import pLimit from "p-limit";
import type { ZkSession } from "./zk-session.js";

/** A znode as read: data, version and the zxid that last modified it. */
export interface ReadNode {
  readonly data: string;
  readonly version: number;
  readonly mzxid: string;
}

/** Requests a tree read keeps in flight on its session: ZooKeeper answers a session's requests in order. */
const IN_FLIGHT = 256;

/**
 * Reads every znode under a root (relative paths; the root itself excluded),
 * level by level in sorted order, with the requests of a level pipelined on
 * the session rather than one round trip each. Not atomic.
 */
export async function readTree(
  session: ZkSession,
  root: string,
  limit = 100_000,
): Promise<Map<string, ReadNode>> {
  const nodes = new Map<string, ReadNode>();
  const absolute = (relative: string) => (relative === "" ? root : `${root}/${relative}`);
  const inFlight = pLimit(IN_FLIGHT);
  let level: string[] = [""];
  while (level.length > 0 && nodes.size < limit) {
    const childLists = await Promise.all(
      level.map((relative) =>
        inFlight(async () =>
          (await session.getChildren(absolute(relative))).children
            .sort()
            .map((child) => (relative === "" ? child : `${relative}/${child}`)),
        ),
      ),
    );
    const paths = childLists.flat().slice(0, limit - nodes.size);
    const read = await Promise.all(
      paths.map((path) => inFlight(() => session.getData(absolute(path)))),
    );
    for (const [index, path] of paths.entries()) {
      const { data, stat } = read[index] as Awaited<ReturnType<ZkSession["getData"]>>;
      nodes.set(path, {
        data: data.toString("utf8"),
        version: stat.version,
        mzxid: stat.mzxid.toString(),
      });
    }
    level = paths;
  }
  return nodes;
}

function sameTree(a: ReadonlyMap<string, ReadNode>, b: ReadonlyMap<string, ReadNode>): boolean {
  if (a.size !== b.size) return false;
  for (const [path, node] of a) {
    const other = b.get(path);
    if (other === undefined || other.mzxid !== node.mzxid || other.version !== node.version)
      return false;
  }
  return true;
}

/**
 * A consistent snapshot of a subtree by double collect: two passes that read
 * the same version of every znode prove that all those values held at once
 * (at the instant between the passes). ZooKeeper has no atomic multi-read.
 */
export async function readSnapshot(
  session: ZkSession,
  root: string,
  attempts = 4,
): Promise<{ consistent: boolean; nodes: Map<string, ReadNode> }> {
  let previous = await readTree(session, root);
  for (let attempt = 1; attempt < attempts; attempt++) {
    const next = await readTree(session, root);
    if (sameTree(previous, next)) return { consistent: true, nodes: next };
    previous = next;
  }
  return { consistent: false, nodes: previous };
}
