import { canChangeMembers, type Ensemble } from "../ensemble/ensemble.js";
import { BadInputError } from "../errors.js";
import type { HistoryRecorder } from "../history/recorder.js";
import type { LinkFaults } from "../network/link-faults.js";
import { deriveRandom, shuffled } from "../util/seeded-random.js";
import { releaseLine } from "../zookeeper/release-lines.js";
import type { FaultPins } from "./fault-pins.js";
import { RecordedSession, type RecordedSessionOptions } from "./recorded-session.js";
import { RegisterWorker } from "./register-worker.js";
import { type Pin, pinnedServers, roleOf, type WorkerRole } from "./roles.js";
import { TransactionWorker } from "./transaction-worker.js";

export { type Pin, pinnedServers, roleOf, type WorkerRole } from "./roles.js";

import { sleep } from "../util/sleep.js";
import type { NotificationFault } from "./notification-relay.js";
import { readTree } from "./subtree.js";
import { topologyCommandChunk } from "./topology/commands.js";
import { TopologyAgent } from "./topology-worker.js";
import { WatchingAgent, type WatchMode } from "./watching-agent.js";
import { ZK_ERRORS, ZkOperationError, ZkSession } from "./zk-session.js";

/** The workloads: topology agents, registers (Jepsen's), transactions (multis and atomic reads). */
export type WorkloadKind = "topology" | "registers" | "transactions";

/** A worker that repeats one recorded operation after another. */
interface StepWorker {
  step(): Promise<void>;
}

/** The workloads whose workers repeat one step, and how each makes its worker. */
const STEP_WORKERS: Readonly<
  Record<
    Exclude<WorkloadKind, "topology">,
    (
      options: WorkloadOptions,
      index: number,
      root: string,
      session: RecordedSession,
      role?: WorkerRole,
    ) => StepWorker
  >
> = {
  registers: (options, index, root, session, role) =>
    new RegisterWorker(index, root, options.registers ?? 5, session, options.seed, role?.mix),
  transactions: (options, index, root, session) =>
    new TransactionWorker(
      index,
      root,
      options.keys ?? 5,
      session,
      options.seed,
      multiReadIn(options.ensemble.zooKeeperVersion),
    ),
};

/** Whether a release answers multiRead (a release outside the lines zk-chaos knows: no). */
function multiReadIn(version: string): boolean {
  try {
    return releaseLine(version).multiRead;
  } catch {
    return false;
  }
}

/** How workers reach the servers. */
export type ConnectMode = "all" | "one" | "proxies";

/** The workload of a run. */
export interface WorkloadOptions {
  readonly ensemble: Ensemble;
  /** Needed for connect mode "proxies". */
  readonly network?: LinkFaults;
  readonly recorder: HistoryRecorder;
  readonly seed: number | string;
  readonly kind: WorkloadKind;
  /** Concurrent workers, each with its own session (1 to a few hundred). */
  readonly workers: number;
  /** Each worker stops after this long... */
  readonly durationMs: number;
  /** ...or after this many operations, whichever comes first. */
  readonly maxOpsPerWorker?: number;
  /** Target operations per second per worker (default: as fast as it can). */
  readonly ratePerWorker?: number;
  readonly connect?: ConnectMode;
  /** Roles for the first workers, in order; the others keep the default mix and connect mode. */
  readonly roles?: readonly WorkerRole[];
  /** Znode root of the workload (default /zkchaos). */
  readonly root?: string;
  readonly registers?: number;
  /** Keys of the transactions workload (default 5). */
  readonly keys?: number;
  readonly sessionTimeoutMs?: number;
  readonly operationTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Called after every operation with the total count (for progress). */
  readonly onProgress?: (operations: number) => void;
  /** Where roles pinned at a fault (`pinAt`) learn their servers; needed when a role has one. */
  readonly faultPins?: FaultPins;
  /** Agents that consume the topology through watches, numbered after the workers. */
  readonly watchers?: WatchersOptions;
}

/** Watching agents of a run. */
export interface WatchersOptions {
  readonly agents: number;
  readonly mode: WatchMode;
  /** Reads without a watch at this interval, testing "the event before the data" (default 250 ms; 0: none). */
  readonly probeEveryMs?: number;
  /** A deliberately broken client in the first watching agent (proving the checker). */
  readonly fault?: NotificationFault;
  /** The servers the watching agents connect to (resolved at the start, as roles' pins are). */
  readonly pin?: Pin;
}

/** What the workers leave behind for checking. */
export interface WorkloadResult {
  readonly operations: number;
  /** The topology agents, with their models of what ZooKeeper holds. */
  readonly agents: readonly TopologyAgent[];
  readonly root: string;
  /** The watching agents, still watching: the run lets them catch up after the heal. */
  readonly watchers: readonly WatchingAgent[];
  /** Lets every watching agent catch up, records its cache and closes its session. */
  finishWatchers(): Promise<void>;
  /** Stops the watching agents at once (an interrupted or failed run). */
  stopWatchers(): Promise<void>;
}

/**
 * The tree every server should hold after the run, relative to the workload
 * root, from the agents' models: their roots and persistent znodes.
 */
export function expectedTree(result: WorkloadResult): Map<string, string> {
  const tree = new Map<string, string>();
  for (const agent of result.agents) {
    const name = agent.root.slice(result.root.length + 1);
    if (agent.rootData !== undefined) tree.set(name, agent.rootData);
    for (const [path, data] of agent.model.expectedTree()) tree.set(`${name}/${path}`, data);
  }
  return tree;
}

/** Maps a session's remote address to a server id: direct addresses and client proxies. */
export function serverResolver(
  ensemble: Ensemble,
  network?: LinkFaults,
): (remote: string | undefined) => number | undefined {
  const byAddress = new Map<string, number>();
  for (const server of ensemble.servers) {
    byAddress.set(`${server.clientAddress.host}:${server.clientAddress.port}`, server.id);
    if (network) {
      try {
        byAddress.set(network.clientConnectString([server.id]), server.id);
      } catch {
        // No client proxy for this server.
      }
    }
  }
  return (remote) => (remote === undefined ? undefined : byAddress.get(remote));
}

function connectStringFor(
  options: WorkloadOptions,
  worker: number,
  pinned?: readonly number[],
): string {
  const ids = pinned ?? options.ensemble.servers.map((server) => server.id);
  const mode = pinned ? "all" : (options.connect ?? "all");
  if (mode === "one") return options.ensemble.connectString([ids[worker % ids.length] as number]);
  // Each worker lists the servers in its own seeded order, so sessions spread over the ensemble.
  const order = shuffled(deriveRandom(options.seed, "connect", worker), ids);
  if (mode === "proxies" || (pinned && options.connect === "proxies")) {
    if (options.network === undefined)
      throw new Error("connect mode 'proxies' needs the fault network");
    return options.network.clientConnectString(order);
  }
  return options.ensemble.connectString(order);
}

/** Worker `worker`'s recorded session, with the run's timeouts and its hooks. */
function recordedSession(
  options: WorkloadOptions,
  worker: number,
  pinned: readonly number[] | undefined,
  serverOf: (remote: string | undefined) => number | undefined,
  hooks: Pick<RecordedSessionOptions, "onExpired" | "onSessionEvent" | "onNotification">,
): RecordedSession {
  return new RecordedSession({
    process: worker,
    connectString: connectStringFor(options, worker, pinned),
    recorder: options.recorder,
    serverOf,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 4000,
    operationTimeoutMs: options.operationTimeoutMs ?? 5000,
    ...hooks,
  });
}

/** Creates a znode unless it exists; a create whose answer was lost may have happened. */
async function ensureNode(session: ZkSession, path: string): Promise<void> {
  if ((await session.exists(path)) !== null) return;
  try {
    await session.create(path, "");
  } catch (error) {
    if (!(error instanceof ZkOperationError && error.code === ZK_ERRORS.NODE_EXISTS)) throw error;
  }
}

/** One attempt at the workload's root and registers. */
async function prepareOnce(options: WorkloadOptions, root: string): Promise<void> {
  const session = await ZkSession.open(options.ensemble.connectString(), {
    operationTimeoutMs: 5000,
    connectTimeoutMs: 5000,
  });
  try {
    let path = "";
    for (const part of root.split("/").filter(Boolean)) {
      path += `/${part}`;
      await ensureNode(session, path);
    }
    if (options.kind === "registers") {
      for (let key = 0; key < (options.registers ?? 5); key++)
        await ensureNode(session, `${root}/r${key}`);
    }
  } finally {
    session.close();
  }
}

/**
 * Creates the workload's root and, for registers, the registers. Faults may
 * already be running (a kill at 0 s), so each attempt is recorded and retried
 * until the run's time is up; it never throws: workers then record what fails.
 */
async function prepare(options: WorkloadOptions, root: string): Promise<void> {
  const deadline = performance.now() + Math.max(options.durationMs, 5000);
  for (let attempt = 1; attempt <= 1000; attempt++) {
    options.recorder.record({
      process: "observer",
      type: "invoke",
      f: "setup",
      value: { attempt },
    });
    try {
      await prepareOnce(options, root);
      options.recorder.record({ process: "observer", type: "ok", f: "setup", value: { attempt } });
      return;
    } catch (error) {
      options.recorder.record({
        process: "observer",
        type: "info",
        f: "setup",
        value: { attempt },
        error: (error as Error).message,
      });
      if (performance.now() > deadline || options.signal?.aborted) return;
      await sleep(250);
    }
  }
}

/** Worker `index`'s servers from its fault, or undefined when the run ends (or aborts) first. */
async function placementBefore(
  options: WorkloadOptions,
  index: number,
  deadline: number,
): Promise<readonly number[] | undefined> {
  if (options.faultPins === undefined)
    throw new BadInputError("a role pinned at a fault (pinAt) needs the run's fault pins");
  let timer: NodeJS.Timeout | undefined;
  const ends = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - performance.now()));
    options.signal?.addEventListener("abort", () => resolve(undefined));
  });
  try {
    return await Promise.race([options.faultPins.placement(index), ends]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves every role's pin once, at the start: "the leader" stays the server that led then. */
async function resolvePins(options: WorkloadOptions): Promise<Map<Pin, number[]>> {
  const pins = new Map<Pin, number[]>();
  const wanted = (options.roles ?? []).flatMap((role) =>
    role.pin === undefined || role.pinAt !== undefined ? [] : [role.pin],
  );
  if (options.watchers?.pin !== undefined) wanted.push(options.watchers.pin);
  if (wanted.length === 0) return pins;
  const ids = options.ensemble.servers.map((server) => server.id);
  let leader: number | undefined;
  for (let attempt = 0; attempt < 200 && leader === undefined; attempt++) {
    leader = await options.ensemble.leader();
    if (leader === undefined) await sleep(50);
  }
  for (const pin of wanted) {
    if (typeof pin === "number" && !ids.includes(pin))
      throw new BadInputError(
        `a role is pinned to server ${pin}, but the ensemble has servers ${ids.join(", ")}`,
      );
    pins.set(pin, pinnedServers(pin, ids, leader ?? (ids[0] as number)));
  }
  options.recorder.record({
    process: "observer",
    type: "ok",
    f: "pins",
    value: {
      leader,
      pins: Object.fromEntries([...pins].map(([pin, servers]) => [String(pin), servers])),
    },
  });
  return pins;
}

/**
 * Runs N workers against the ensemble until their time or operation budget
 * ends (or the signal aborts). Every operation is recorded; nothing is asserted.
 */
export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const root = options.root ?? "/zkchaos";
  // The run's time counts from here: a set-up slowed by early faults eats into it, never extends it.
  const deadline = performance.now() + options.durationMs;
  await prepare(options, root);
  const serverOf = serverResolver(options.ensemble, options.network);
  const pins = await resolvePins(options);
  const maxOps = options.maxOpsPerWorker ?? Number.POSITIVE_INFINITY;
  const interval = options.ratePerWorker ? 1000 / options.ratePerWorker : 0;
  let operations = 0;
  const agents: TopologyAgent[] = [];
  const done = () => performance.now() >= deadline || options.signal?.aborted === true;
  const pace = async (started: number) => {
    operations++;
    options.onProgress?.(operations);
    const wait = interval - (performance.now() - started);
    if (wait > 0) await sleep(Math.min(wait, deadline - performance.now()));
  };

  const worker = async (index: number): Promise<void> => {
    let agent: TopologyAgent | undefined;
    const role = roleOf(options.roles, index);
    let pinned: readonly number[] | undefined =
      role?.pin !== undefined ? pins.get(role.pin) : undefined;
    if (role?.pinAt !== undefined) {
      // Placed just before its fault acts; a fault that never comes leaves the worker idle.
      pinned = await placementBefore(options, index, deadline);
      if (pinned === undefined) return;
    }
    const session = recordedSession(options, index, pinned, serverOf, {
      onExpired: () => agent?.model.dropEphemerals(),
    });
    if (role?.pinAt !== undefined) {
      // The fault waits for this session: it must exist on the server before the fault hits it.
      await session.open();
      options.faultPins?.connected(index);
    }
    try {
      if (options.kind !== "topology") {
        const stepper = STEP_WORKERS[options.kind](options, index, root, session, role);
        for (let count = 0; count < maxOps && !done(); count++) {
          const started = performance.now();
          await stepper.step();
          if (role?.sessionOps !== undefined && (count + 1) % role.sessionOps === 0)
            session.renew();
          await pace(started);
        }
        return;
      }
      agent = new TopologyAgent(index, `${root}/a${index}`, session);
      agents.push(agent);
      let count = 0;
      for (let attempt = 0; attempt < 100 && !done() && !(await agent.setup()); attempt++)
        await sleep(200);
      for (let chunk = 0; count < maxOps && !done(); chunk++) {
        for (const command of topologyCommandChunk(options.seed, index, chunk)) {
          if (count >= maxOps || done()) break;
          const context = { model: agent.model, host: agent.host, writeId: agent.writeId };
          if (!command.check(context)) continue;
          const started = performance.now();
          await agent.run(command.plan(context));
          count++;
          await pace(started);
        }
      }
    } finally {
      // Answered before the workload ends: the agents' catch-up then sees the registration go.
      await session.closeAndWait();
      // The session is closed: its ephemeral registration is gone.
      agent?.model.dropEphemerals();
    }
  };

  const watchPin = options.watchers?.pin;
  const watching = startWatchers(
    options,
    root,
    serverOf,
    watchPin === undefined ? undefined : pins.get(watchPin),
  );
  try {
    await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  } catch (error) {
    await watching.stop();
    throw error;
  }
  agents.sort((a, b) => a.worker - b.worker);
  return {
    operations,
    agents,
    root,
    watchers: watching.agents,
    finishWatchers: watching.finish,
    stopWatchers: watching.stop,
  };
}

/** Starts the watching agents: agent i consumes writer (i mod workers)'s subtree, or the registers. */
function startWatchers(
  options: WorkloadOptions,
  root: string,
  serverOf: (remote: string | undefined) => number | undefined,
  pinned: readonly number[] | undefined,
): { agents: WatchingAgent[]; finish: () => Promise<void>; stop: () => Promise<void> } {
  const count = options.watchers?.agents ?? 0;
  const sessions: RecordedSession[] = [];
  const agents: WatchingAgent[] = [];
  for (let index = 0; index < count; index++) {
    const worker = options.workers + index;
    const watchers = options.watchers as WatchersOptions;
    const agent = new WatchingAgent({
      worker,
      root: options.kind === "registers" ? root : `${root}/a${index % options.workers}`,
      mode: watchers.mode,
      recorder: options.recorder,
      seed: options.seed,
      probeEveryMs: watchers.probeEveryMs ?? 250,
      ...(index === 0 && watchers.fault ? { fault: watchers.fault } : {}),
    });
    const session = recordedSession(options, worker, pinned, serverOf, {
      onSessionEvent: agent.sessionChanged,
      onNotification: agent.notified,
    });
    agent.start(session);
    agents.push(agent);
    sessions.push(session);
  }
  let ended: Promise<void> | undefined;
  const end = (how: (agent: WatchingAgent) => Promise<void>) => {
    ended ??= Promise.all(agents.map(how)).then(() => {
      for (const session of sessions) session.close();
    });
    return ended;
  };
  return {
    agents,
    finish: () => end((agent) => agent.finish()),
    stop: () => end((agent) => agent.stop()),
  };
}

/**
 * After a run: reads the whole workload tree from every server directly,
 * after a sync, and records each as an observer event, for convergence checks.
 */
export async function finalReads(
  ensemble: Ensemble,
  recorder: HistoryRecorder,
  root = "/zkchaos",
): Promise<Map<number, Map<string, string>>> {
  const trees = new Map<number, Map<string, string>>();
  // After membership changes only the members hold the tree; the others are not in the ensemble.
  const members = canChangeMembers(ensemble) ? ensemble.members : undefined;
  for (const server of ensemble.servers.filter(
    (each) => members === undefined || members.includes(each.id),
  )) {
    recorder.record({
      process: "observer",
      type: "invoke",
      f: "final-read",
      server: server.id,
      value: { root },
    });
    try {
      const session = await ZkSession.open(ensemble.connectString([server.id]), {
        operationTimeoutMs: 15_000,
        connectTimeoutMs: 15_000,
      });
      try {
        await session.sync(root);
        const tree = await readTree(session, root);
        const flat = new Map([...tree].map(([path, node]) => [path, node.data]));
        trees.set(server.id, flat);
        recorder.record({
          process: "observer",
          type: "ok",
          f: "final-read",
          server: server.id,
          value: {
            root,
            nodes: Object.fromEntries(
              [...tree].map(([path, node]) => [path, [node.data, node.version, node.mzxid]]),
            ),
          },
        });
      } finally {
        session.close();
      }
    } catch (error) {
      recorder.record({
        process: "observer",
        type: "info",
        f: "final-read",
        server: server.id,
        value: { root },
        error: (error as Error).message,
      });
    }
  }
  return trees;
}
