import type { Ensemble, EnsembleServer } from "../../src/ensemble/ensemble.js";
import type { LocalEnsemble } from "../../src/ensemble/local/local-ensemble.js";

/**
 * A deliberately broken "ensemble": two independent ensembles that clients
 * see as one (servers 1-3 from the first, 4-6 from the second). Writes split
 * between two histories, as a real split brain would: the checkers must say so.
 */
export function splitBrainRig(first: LocalEnsemble, second: LocalEnsemble): Ensemble {
  const renumber = (server: EnsembleServer, id: number): EnsembleServer =>
    Object.assign(Object.create(Object.getPrototypeOf(server)), server, { id }) as EnsembleServer;
  const servers = [
    ...first.servers.map((s, i) => renumber(s, i + 1)),
    ...second.servers.map((s, i) => renumber(s, first.size + i + 1)),
  ];
  const address = (id: number) => {
    const server = servers.find((candidate) => candidate.id === id);
    if (server === undefined) throw new Error(`no server ${id}`);
    return `${server.clientAddress.host}:${server.clientAddress.port}`;
  };
  return {
    provider: "split-brain-rig",
    runId: first.runId,
    dir: first.dir,
    collectLogs: (into) => first.collectLogs(into),
    size: servers.length,
    settings: first.settings,
    servers,
    zooKeeperVersion: first.zooKeeperVersion,
    server: (id) => servers.find((candidate) => candidate.id === id) as EnsembleServer,
    connectString: (ids) => (ids ?? servers.map((s) => s.id)).map(address).join(","),
    statuses: async () =>
      new Map([
        ...(await first.statuses()),
        ...[...(await second.statuses())].map(([id, status]) => [id + first.size, status] as const),
      ]),
    leader: async () => first.leader(),
    waitForQuorum: (options) => first.waitForQuorum(options),
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
}
