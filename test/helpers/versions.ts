import { describe } from "vitest";
import { fetchZooKeeper } from "../../src/zookeeper/release-cache.js";

/**
 * The releases the version tests run: 3.4.5 (MidoNet's) and the newest of
 * each line that Maven Central serves here (3.8.7 and 3.9.6 are listed but
 * not fully served).
 */
export const TEST_VERSIONS = ["3.4.5", "3.4.14", "3.5.10", "3.6.4", "3.7.2", "3.8.6", "3.9.5"];

/** Resolves releases into the cache (once per machine); says why when it cannot. */
async function resolveAll(
  versions: readonly string[],
): Promise<{ ready: boolean; reason: string }> {
  try {
    for (const version of versions) await fetchZooKeeper(version);
    return { ready: true, reason: `resolved ${versions.join(", ")}` };
  } catch (error) {
    return { ready: false, reason: (error as Error).message.split("\n")[0] as string };
  }
}

/** A describe that runs only when its releases resolve, and says once why it is skipped. */
export async function describeWithVersions(
  versions: readonly string[],
): Promise<ReturnType<typeof describe.skipIf>> {
  const readiness = await resolveAll(versions);
  if (!readiness.ready)
    console.log(`ZooKeeper version tests skipped: ${versions.join(", ")}: ${readiness.reason}`);
  return describe.skipIf(!readiness.ready);
}
