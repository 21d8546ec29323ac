import type { ZkSession } from "./zk-session.js";

/** A znode as read: data, version and the zxid that last modified it. */
export interface ReadNode {
  readonly data: string;
  readonly version: number;
  readonly mzxid: string;
}

/** Reads every znode under a root (relative paths; the root itself excluded). Not atomic. */
export async function readTree(
  session: ZkSession,
  root: string,
  limit = 100_000,
): Promise<Map<string, ReadNode>> {
  const nodes = new Map<string, ReadNode>();
  const queue: string[] = [""];
  while (queue.length > 0 && nodes.size < limit) {
    const relative = queue.shift() as string;
    const absolute = relative === "" ? root : `${root}/${relative}`;
    const { children } = await session.getChildren(absolute);
    for (const child of children.sort()) {
      const path = relative === "" ? child : `${relative}/${child}`;
      const { data, stat } = await session.getData(`${root}/${path}`);
      nodes.set(path, {
        data: data.toString("utf8"),
        version: stat.version,
        mzxid: stat.mzxid.toString(),
      });
      queue.push(path);
    }
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
