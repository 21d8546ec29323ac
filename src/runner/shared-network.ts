/**
 * network.link: every proxied connection of a run (clients' and the peer
 * links) crosses one shared link, with a data path of bulk flows on it or
 * on a link of its own. What the data path moved goes into the history.
 */

import type { HistoryRecorder } from "../history/recorder.js";
import { startDataPath } from "../network/data-path.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { NetworkLink } from "../scenario/schema.js";

/** The shared link's name in the built-in proxy; a separate data path's own link. */
const ZOOKEEPER_LINK = "zkchaos-network";
const DATA_LINK = "zkchaos-data-path";
/** Bulk flows of the data path: two keep a queue full, whatever the scheduling. */
const DATA_FLOWS = 2;

/**
 * Puts the run's connections on the shared link and starts its data path;
 * returns the stop, which records what the data path moved (an observer
 * event `data-path`).
 */
export async function startSharedNetwork(
  network: FaultNetwork,
  link: NetworkLink,
  maxMs: number,
  recorder: HistoryRecorder,
  log?: (line: string) => void,
): Promise<() => Promise<void>> {
  // Toxiproxy's rates are KB/s of 1000 bytes, whole numbers.
  const rate = Math.max(1, Math.round(link.mbPerS * 1000));
  await network.shareLink(ZOOKEEPER_LINK, rate, link.bufferMs);
  log?.(
    `network: every connection shares one link of ${link.mbPerS} MB/s with a ${link.bufferMs} ms queue; data path ${link.dataPath}`,
  );
  if (link.dataPath === "none") return async () => {};
  const onLink = link.dataPath === "shared" ? ZOOKEEPER_LINK : DATA_LINK;
  const dataPath = await startDataPath(
    (sinkPort) => network.linkedProxy("data-path", sinkPort, onLink, rate, link.bufferMs),
    DATA_FLOWS,
    maxMs,
  );
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    const moved = await dataPath.stop();
    recorder.record({
      process: "observer",
      type: "ok",
      f: "data-path",
      value: {
        link: link.dataPath,
        mbPerS: Number(moved.mbPerS.toFixed(3)),
        bytes: moved.bytes,
        seconds: Number(moved.seconds.toFixed(3)),
      },
    });
    log?.(`network: the data path moved ${moved.mbPerS.toFixed(1)} MB/s (${link.dataPath} link)`);
  };
}
