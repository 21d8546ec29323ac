import { expect } from "vitest";
import type { Ensemble } from "../../src/ensemble/ensemble.js";
import type { LocalEnsemble } from "../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../src/history/recorder.js";
import { findBypasses } from "../../src/network/bypass-check.js";
import type { FaultNetwork } from "../../src/network/fault-network.js";
import { canListen } from "../../src/util/port-reservation.js";
import { expectNoDockerLeft, startTestEnsemble, startTestNetwork } from "./provider.js";
import { expectNothingLeft } from "./runtime.js";
import { eventually, readEventually, sessionTo } from "./zk.js";

/** An ensemble behind the fault network, with a nemesis recording into memory. */
export interface FaultyEnsemble extends AsyncDisposable {
  readonly ensemble: LocalEnsemble;
  readonly network: FaultNetwork;
  readonly nemesis: Nemesis;
  readonly history: MemorySink;
}

/** Starts n servers (on this project's provider) whose every peer link goes through its own proxy. */
export async function startFaultyEnsemble(
  nodes: number,
  root: string,
  seed = 1,
): Promise<FaultyEnsemble> {
  const network = await startTestNetwork(seed);
  let ensemble: LocalEnsemble;
  try {
    ensemble = await startTestEnsemble({
      nodes,
      runtimeRoot: root,
      peerLayout: network.peerLayout(),
    });
  } catch (error) {
    await network.dispose();
    throw error;
  }
  const history = new MemorySink();
  const recorder = new HistoryRecorder([history]);
  const nemesis = new Nemesis({ ensemble, network, recorder, seed });
  await nemesis.healAll();
  return {
    ensemble,
    network,
    nemesis,
    history,
    async [Symbol.asyncDispose]() {
      try {
        await nemesis.healAll();
      } finally {
        await ensemble.dispose();
        await network.dispose();
      }
    },
  };
}

/** Asserts a disposed faulty ensemble left nothing: no server, no proxy listener, no folder. */
export async function expectFaultyNothingLeft(faulty: FaultyEnsemble, root: string): Promise<void> {
  await expectNothingLeft(faulty.ensemble, root);
  const busy: number[] = [];
  for (const port of faulty.network.proxyPorts().values())
    if (!(await canListen("127.0.0.1", port))) busy.push(port);
  expect(busy, "proxy ports still listening").toEqual([]);
  await expectNoDockerLeft();
}

/** Server-to-server connections that bypass the proxies right now. */
export function bypasses(ensemble: LocalEnsemble): ReturnType<typeof findBypasses> {
  const pids = ensemble.servers
    .map((server) => server.pid)
    .filter((pid): pid is number => pid !== undefined);
  const real = new Set(ensemble.ports.flatMap((p) => [p.client, p.quorum, p.election]));
  return findBypasses(pids, real);
}

/** Ids of servers whose srvr says they serve. */
export async function servingIds(ensemble: Ensemble): Promise<number[]> {
  const statuses = await ensemble.statuses();
  return [...statuses]
    .filter(([, status]) => status.state === "serving")
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

/** Waits until exactly `expected` serve (bounded); returns what served last. */
export async function waitServing(
  ensemble: Ensemble,
  expected: readonly number[],
  timeoutMs = 20_000,
): Promise<number[]> {
  let last: number[] = [];
  const want = [...expected].sort((a, b) => a - b).join(",");
  await eventually(async () => {
    last = await servingIds(ensemble);
    return last.join(",") === want;
  }, timeoutMs);
  return last;
}

let marker = 0;

/** Writes through the given servers and checks the write is acknowledged. */
export async function expectWritable(ensemble: Ensemble, ids: readonly number[]): Promise<void> {
  const session = await sessionTo(ensemble, ids[0] as number);
  try {
    await session.create(`/writable-${process.pid}-${++marker}`, "ok");
  } finally {
    session.close();
  }
}

/** After a heal: every server serves, one leader, a new write reaches every server, zxids agree. */
export async function expectHealedInSync(ensemble: Ensemble): Promise<void> {
  const { leader } = await ensemble.waitForQuorum({
    servers: ensemble.servers.map((s) => s.id),
    timeoutMs: 30_000,
  });
  const path = `/in-sync-${process.pid}-${++marker}`;
  const writer = await sessionTo(ensemble, leader);
  await writer.create(path, "synced");
  writer.close();
  for (const server of ensemble.servers) {
    const reader = await sessionTo(ensemble, server.id);
    expect(
      await readEventually(reader, path, "synced", 10_000),
      `server ${server.id} caught up`,
    ).toBe("synced");
    reader.close();
  }
  // Each session's close is a transaction too: the servers agree once the last one is applied
  // everywhere. srvr through five containers on a loaded machine is slow: 30 s, as the quorum above.
  let seen = "";
  const agreed = await eventually(async () => {
    const statuses = [...(await ensemble.statuses()).entries()];
    seen = statuses
      .map(
        ([id, status]) =>
          `${id}: ${status.state === "serving" ? `0x${status.zxid.toString(16)}` : status.state}`,
      )
      .join(", ");
    const zxids = new Set(
      statuses.map(([, status]) => (status.state === "serving" ? status.zxid : -1n)),
    );
    return zxids.size === 1 && !zxids.has(-1n);
  }, 30_000);
  expect(agreed, `all servers at the same zxid (last seen ${seen})`).toBe(true);
}
