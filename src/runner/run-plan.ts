import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCheckers } from "../checkers/registry.js";
import { combineValidity, type Verdict } from "../checkers/verdict.js";
import { DEFAULT_LOG_DISK_MB, type Ensemble, hasServerLogs } from "../ensemble/ensemble.js";
import { ELECTION_BOUND_PROPERTY } from "../ensemble/server-setup.js";
import { BadInputError, isZkChaosError } from "../errors.js";
import { needsFakeClock, needsLogDisks, needsSlowFsync } from "../faults/fault-spec.js";
import { Nemesis } from "../faults/nemesis.js";
import type { HistoryEvent, RunSettingsRecord } from "../history/event.js";
import { HistoryRecorder, JsonlSink, MemorySink } from "../history/recorder.js";
import {
  classifyServerLogLine,
  loggedAt,
  ServerLogThrottle,
  serverProcess,
} from "../history/server-log.js";
import type { FaultNetwork } from "../network/fault-network.js";
import type { LinkFaults } from "../network/link-faults.js";
import {
  choiceForRelease,
  faultLinksFor,
  faultsProviderCannot,
  installFor,
  type ProviderChoice,
  prepareProvider,
  providerOf,
  refuseProviderFaults,
  startProviderEnsemble,
  startProviderNetwork,
} from "../providers/registry.js";
import { latencySummary } from "../report/operation-spans.js";
import type { LatencySummary, RunResult } from "../results/run-result.js";
import type { RunPlan } from "../scenario/plan.js";
import { sleep } from "../util/sleep.js";
import { FaultPins } from "../workload/fault-pins.js";
import { removeTree } from "../workload/remove-tree.js";
import {
  finalReads,
  runWorkload,
  type WorkloadKind,
  type WorkloadResult,
} from "../workload/run-workload.js";
import { releaseLine } from "../zookeeper/release-lines.js";
import {
  type EnsemblePool,
  type PooledEnsemble,
  poolable,
  poolKey,
  ServerLogCapture,
} from "./ensemble-pool.js";
import { startSharedNetwork } from "./shared-network.js";
import { recordWire } from "./wire-recording.js";

/** What a run reports as it goes (for progress lines or a live display). */
export interface RunProgress {
  readonly phase:
    | "starting"
    | "running"
    | "healing"
    | "watchers-settling"
    | "final-reads"
    | "stopping"
    | "checking"
    | "done";
  readonly elapsedMs: number;
  readonly operations: number;
  readonly activeFaults: readonly string[];
}

/** How servers run beyond the plan's provider: docker images, a local ZooKeeper home (defaults: the official images, Debian's install). */
export type DockerImages = Omit<ProviderChoice, "provider">;

/** Options of runPlan. */
export interface RunOptions {
  /** Images when the plan's provider is docker. */
  readonly docker?: DockerImages;
  /** The run's folder (created). */
  readonly dir: string;
  readonly onProgress?: (progress: RunProgress) => void;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** With the plan's wire on: write each peer stream's raw bytes under this folder. */
  readonly captureWireDir?: string;
  /** Ensembles to take one from and give it back to, when the plan's servers start as any (see poolable). */
  readonly pool?: EnsemblePool;
}

/** Samples every server's srvr status into the history until stopped (bounded by the run). */
async function observe(
  ensemble: Ensemble,
  recorder: HistoryRecorder,
  stop: { done: boolean },
): Promise<void> {
  for (let sample = 0; sample < 100_000 && !stop.done; sample++) {
    const statuses = await ensemble.statuses();
    const value: Record<number, { mode?: string; epoch?: number; zxid?: string; state: string }> =
      {};
    for (const [id, status] of statuses) {
      value[id] =
        status.state === "serving"
          ? {
              state: status.state,
              mode: status.mode,
              epoch: status.epoch,
              zxid: status.zxid.toString(),
            }
          : { state: status.state };
    }
    recorder.record({ process: "observer", type: "ok", f: "status", value: { statuses: value } });
    await sleep(500);
  }
}

/** ZooKeeper's election back-off cap when nothing bounds it (and always before 3.6). */
const UNBOUNDED_ELECTION_MS = 60_000;

/** The settings the history carries, so that it can be checked without this plan. */
function recordSettings(plan: RunPlan, zooKeeperVersion: string): RunSettingsRecord {
  const bound = Number(plan.settings.systemProperties?.[ELECTION_BOUND_PROPERTY]);
  // Every running release must honour the bound for it to hold (3.4 and 3.5 have none).
  const honoured = zooKeeperVersion
    .split("+")
    .every((version) => releaseLine(version).electionBoundProperty);
  return {
    tickTime: plan.settings.tickTime,
    initLimit: plan.settings.initLimit,
    syncLimit: plan.settings.syncLimit,
    sessionTimeoutMs: plan.workload.sessionTimeout,
    maxNotificationIntervalMs:
      honoured && Number.isFinite(bound) && bound > 0 ? bound : UNBOUNDED_ELECTION_MS,
    zooKeeperVersion,
  };
}

/** What an interrupted run reports: no verdict beyond "unknown, interrupted". */
function interruptedResult(
  plan: RunPlan,
  dir: string,
  operations: number,
  started: number,
): RunResult {
  const totalMs = performance.now() - started;
  return {
    plan,
    dir,
    valid: "unknown",
    verdicts: [
      {
        checker: "interrupted",
        guarantee: "the run ran to its end",
        valid: "unknown",
        anomalies: [],
        elapsedMs: 0,
      },
    ],
    operations,
    events: 0,
    timings: { startMs: 0, runMs: totalMs, recoveryMs: undefined, totalMs },
    zooKeeperVersion: "unknown",
    interrupted: true,
  };
}

/** Removes a run's root from an ensemble that is not ours; a failure is said, naming the znode, never thrown over the run's own error. */
async function removeRunRoot(
  connectString: string,
  root: string,
  log: ((line: string) => void) | undefined,
): Promise<void> {
  try {
    await removeTree(connectString, root);
  } catch (error) {
    log?.(
      `WARNING: could not remove ${root} from the existing ensemble (${(error as Error).message}): delete it by hand (deleteall ${root} in zkCli.sh)`,
    );
  }
}

/** Each workload's znode root under the run's base. */
const WORKLOAD_ROOTS: Readonly<Record<WorkloadKind, string>> = {
  registers: "/registers",
  topology: "/zkchaos",
  transactions: "/transactions",
};

/** The releases a plan runs: one version for every server, or one per server. */
function planRelease(plan: RunPlan): {
  version?: string;
  serverVersions?: RunPlan["serverVersions"];
} {
  return {
    ...(plan.zookeeperVersion !== undefined ? { version: plan.zookeeperVersion } : {}),
    ...(plan.serverVersions !== undefined ? { serverVersions: plan.serverVersions } : {}),
  };
}

/** The provider choice a plan runs on (docker: the image of its release unless one was named). */
export function planChoice(plan: RunPlan, docker: DockerImages | undefined): ProviderChoice {
  return choiceForRelease({ ...docker, provider: plan.provider }, planRelease(plan));
}

/** Persistent watches (addWatch) came with 3.6: refuse them, naming the version, before anything runs. */
export function refuseUnsupportedWatches(plan: RunPlan, version: string): void {
  if (plan.workload.watch?.mode !== "persistent" || !/^\d+\.\d+\.\d+$/.test(version)) return;
  if (!releaseLine(version).persistentWatches)
    throw new BadInputError(
      `watch mode 'persistent' needs ZooKeeper 3.6 or later (addWatch); this ensemble runs ${version}: use mode 'one-time'`,
    );
}

/**
 * Runs one plan: starts the ensemble behind the fault network, runs the
 * workload and the nemesis together, heals, reads every server, checks, and
 * always tears down. Writes history.jsonl and plan.json into the run folder.
 */
export async function runPlan(plan: RunPlan, options: RunOptions): Promise<RunResult> {
  // A release named up front is refused before anything starts; the local install's once it answered.
  if (plan.zookeeperVersion !== undefined) refuseUnsupportedWatches(plan, plan.zookeeperVersion);
  const started = performance.now();
  const startedAt = new Date().toISOString();
  mkdirSync(options.dir, { recursive: true });
  writeFileSync(join(options.dir, "plan.json"), `${JSON.stringify(plan, null, 2)}\n`);
  const memory = new MemorySink();
  const recorder = new HistoryRecorder([new JsonlSink(join(options.dir, "history.jsonl")), memory]);
  let operations = 0;
  // The ticker repeats the phase the run is in: final reads and teardown are not "running".
  let phaseNow: RunProgress["phase"] = "starting";
  const progress = (phase: RunProgress["phase"], nemesis?: Nemesis) => {
    phaseNow = phase;
    options.onProgress?.({
      phase,
      elapsedMs: performance.now() - started,
      operations,
      activeFaults: nemesis?.activeFaults().map((fault) => fault.spec.kind) ?? [],
    });
  };
  progress("starting");
  const logOption = options.log ? { log: options.log } : {};
  const release = planRelease(plan);
  const choice = planChoice(plan, options.docker);
  refuseProviderFaults(plan, choice.provider, await faultsProviderCannot(choice));
  if (plan.members !== undefined) refusePeerFaults(plan);
  await prepareProvider(choice, options.log);
  const startNetwork = () =>
    startProviderNetwork(choice, {
      seed: plan.seed,
      ...logOption,
      ...(plan.wire ? { wire: true } : {}),
      ...(plan.wire && options.captureWireDir !== undefined
        ? { captureDir: options.captureWireDir }
        : {}),
    });
  const specFor = (network: FaultNetwork) => ({
    nodes: plan.nodes,
    settings: plan.settings,
    ...installFor(choice, release),
    ...(plan.serverSettings ? { serverSettings: plan.serverSettings } : {}),
    ...(plan.observers ? { observers: plan.observers } : {}),
    ...(plan.members !== undefined ? { members: plan.members } : {}),
    ...(needsLogDisks(plan.schedule.map((item) => item.spec))
      ? { logDiskMb: DEFAULT_LOG_DISK_MB }
      : {}),
    ...(needsSlowFsync(plan.schedule.map((item) => item.spec)) ? { slowFsync: true } : {}),
    ...(needsFakeClock(plan.schedule.map((item) => item.spec)) ? { fakeClock: true } : {}),
    // Membership changes hand every server one view of its peers: no per-link proxies then.
    ...(plan.members === undefined ? { peerLayout: network.peerLayout() } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const pool = options.pool !== undefined && poolable(plan, choice) ? options.pool : undefined;
  const key = poolKey(plan, choice);
  /** A pooled ensemble: its network and servers started together, or neither. */
  const startPooled = async (): Promise<PooledEnsemble> => {
    const network = await startNetwork();
    try {
      return { network, ensemble: await startProviderEnsemble(choice, specFor(network), network) };
    } catch (error) {
      await network.dispose();
      throw error;
    }
  };
  let held: PooledEnsemble | undefined;
  try {
    held = pool ? await pool.take(key, startPooled) : undefined;
  } catch (error) {
    recorder.close();
    if (options.signal?.aborted || (isZkChaosError(error) && error.code === "INTERRUPTED"))
      return interruptedResult(plan, options.dir, operations, started);
    throw error;
  }
  const network = held?.network ?? (await startNetwork());
  // From the first election on: the servers' start is where the wire tells most.
  const stopWire = plan.wire ? recordWire(network, recorder, plan.wire) : () => {};
  let ensemble: Ensemble | undefined = held?.ensemble;
  // A pooled ensemble's logs began before this run: keep the lines written while it holds it.
  const capture = held ? new ServerLogCapture(held.ensemble) : undefined;
  let recoveryMs: number | undefined;
  let runMs = 0;
  let startMs = 0;
  let servedToTheEnd = false;
  try {
    try {
      ensemble ??= await startProviderEnsemble(choice, specFor(network), network);
      // Clients still go through proxies of their own (client-side faults, the workload's routes).
      if (plan.members !== undefined)
        await network.attachClients(
          ensemble.servers.map((server) => ({ id: server.id, ...server.clientAddress })),
        );
    } catch (error) {
      // Ctrl-C while the servers start: what started is already released; nothing to judge.
      if (options.signal?.aborted || (isZkChaosError(error) && error.code === "INTERRUPTED"))
        return interruptedResult(plan, options.dir, operations, started);
      throw error;
    }
    startMs = performance.now() - started;
    // On SSH hosts the kernels are the fault network; elsewhere the proxies are.
    const links: LinkFaults = faultLinksFor(
      choice,
      ensemble,
      network,
      plan.schedule.map((item) => item.spec.kind),
    );
    // An existing ensemble, or one runs take in turn, is written to only under the run's own root.
    const workloadBase =
      pool !== undefined && held !== undefined
        ? pool.nextRoot()
        : providerOf(choice).workloadRoot(choice, ensemble.runId);
    const faultPins = FaultPins.wanted(plan.workload.roles)
      ? new FaultPins(plan.workload.roles ?? [], ensemble, recorder)
      : undefined;
    refuseUnsupportedWatches(plan, ensemble.zooKeeperVersion);
    const nemesis = new Nemesis({
      ensemble,
      network: links,
      recorder,
      seed: plan.seed,
      ...(faultPins ? { beforeFault: (id: string) => faultPins.beforeFault(id) } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    await nemesis.healAll();
    // Bounded by itself too: the run's window and its heal, with room to spare.
    const stopSharedNetwork = plan.link
      ? await startSharedNetwork(
          network,
          plan.link,
          plan.durationMs + 120_000,
          recorder,
          options.log,
        )
      : async () => {};
    const stopSupervisor =
      plan.superviseRestartAfterMs === undefined
        ? async () => {}
        : nemesis.supervise(plan.superviseRestartAfterMs);
    recorder.record({
      process: "observer",
      type: "ok",
      f: "settings",
      value: recordSettings(plan, ensemble.zooKeeperVersion),
    });
    // The anchor that ties the history's monotonic times to the servers' wall-clock log lines.
    recorder.record({
      process: "observer",
      type: "ok",
      f: "clock",
      value: { wallMs: Date.now(), timeZoneOffsetMin: new Date().getTimezoneOffset() },
    });
    const throttle = new ServerLogThrottle();
    const unsubscribe = hasServerLogs(ensemble)
      ? ensemble.onServerLog(({ server, line, receivedMs }) => {
          const kind = classifyServerLogLine(line);
          if (kind === undefined || !throttle.admit(server, kind, receivedMs)) return;
          recorder.record({
            process: serverProcess(server),
            type: "info",
            f: "log",
            value: { kind, line, logged: loggedAt(line) },
          });
        })
      : () => {};
    const stop = { done: false };
    const observer = observe(ensemble, recorder, stop);
    // The first running line comes with the ticker, a second in, as it always has.
    phaseNow = "running";
    const ticker = setInterval(() => progress(phaseNow, nemesis), 1000);
    const runStarted = performance.now();
    const controller = new AbortController();
    options.signal?.addEventListener("abort", () => controller.abort());
    let watching: WorkloadResult | undefined;
    try {
      const [result] = await Promise.all([
        runWorkload({
          ensemble,
          network: links,
          recorder,
          seed: plan.seed,
          kind: plan.workload.kind,
          workers: plan.workload.workers,
          durationMs: plan.durationMs,
          ratePerWorker: plan.workload.rate,
          connect: plan.workload.connect,
          ...(plan.workload.roles ? { roles: plan.workload.roles } : {}),
          ...(faultPins ? { faultPins } : {}),
          registers: plan.workload.registers,
          keys: plan.workload.keys,
          sessionTimeoutMs: plan.workload.sessionTimeout,
          operationTimeoutMs: plan.workload.operationTimeout,
          root: `${workloadBase}${WORKLOAD_ROOTS[plan.workload.kind]}`,
          ...(plan.workload.watch
            ? {
                watchers: {
                  agents: plan.workload.watch.agents,
                  mode: plan.workload.watch.mode,
                  probeEveryMs: plan.workload.watch.probe,
                  ...(plan.workload.watch.pin !== undefined
                    ? { pin: plan.workload.watch.pin }
                    : {}),
                  ...(plan.workload.watch.brokenClient
                    ? { fault: plan.workload.watch.brokenClient }
                    : {}),
                },
              }
            : {}),
          signal: controller.signal,
          onProgress: (count) => {
            operations = count;
          },
        }),
        nemesis.run(plan.schedule, controller.signal, plan.durationMs),
      ]).finally(stopSupervisor);
      // The data path loads the measured window only: the heal and the final reads go unloaded.
      await stopSharedNetwork();
      faultPins?.close();
      watching = result;
      runMs = performance.now() - runStarted;
      // Interrupted: tear down at once; the servers may already be going (the shutdown hooks).
      if (controller.signal.aborted) {
        await result.stopWatchers();
        return interruptedResult(plan, options.dir, operations, started);
      }
      progress("healing", nemesis);
      await nemesis.healAll();
      const healed = performance.now();
      try {
        await ensemble.waitForQuorum({ timeoutMs: 60_000 });
        recoveryMs = performance.now() - healed;
        recorder.record({
          process: "observer",
          type: "ok",
          f: "recovered",
          value: { afterMs: recoveryMs },
        });
      } catch (error) {
        // Servers whose process ended by itself after every fault was healed: they did not come back.
        const down = ensemble.servers.filter((server) => server.processState === "stopped");
        recorder.record({
          process: "observer",
          type: "fail",
          f: "recovered",
          value: {
            error: (error as Error).message.split("\n")[0],
            down: down.map((server) => server.id),
            exits: Object.fromEntries(
              down.map((server) => [server.id, server.exitDescription ?? "unknown"]),
            ),
          },
        });
      }
      if (result.watchers.length > 0) {
        // Watching agents catch up after the heal, as agents would: what they miss now, they missed.
        progress("watchers-settling", nemesis);
        await result.finishWatchers();
      }
      progress("final-reads", nemesis);
      await finalReads(ensemble, recorder, result.root);
      servedToTheEnd = recoveryMs !== undefined;
    } finally {
      await stopSharedNetwork();
      await watching?.stopWatchers();
      // On an ensemble that is not ours nothing of the run stays behind: finished, failed or interrupted.
      if (workloadBase !== "")
        await removeRunRoot(ensemble.connectString(), workloadBase, options.log);
      clearInterval(ticker);
      stop.done = true;
      await observer;
      unsubscribe();
    }
  } finally {
    // Keep the servers' logs with the run, then tear everything down.
    progress("stopping");
    stopWire();
    if (pool !== undefined && held !== undefined && capture !== undefined) {
      // A pooled ensemble goes back whole (every server served after the heal), else it is disposed.
      mkdirSync(join(options.dir, "logs"), { recursive: true });
      capture.writeInto(join(options.dir, "logs"));
      await pool.give(key, held, servedToTheEnd && options.signal?.aborted !== true);
    } else {
      if (ensemble) {
        await ensemble.collectLogs(join(options.dir, "logs"));
        await ensemble.dispose();
      }
      await network.dispose();
    }
    recorder.close();
  }
  progress("checking");
  const checkStarted = performance.now();
  const verdicts = checkPlanHistory(plan, memory.events);
  const checkMs = performance.now() - checkStarted;
  progress("done");
  return {
    plan,
    dir: options.dir,
    valid: combineValidity(verdicts.map((verdict) => verdict.valid)),
    verdicts,
    operations,
    events: memory.events.length,
    timings: { startMs, runMs, recoveryMs, totalMs: performance.now() - started, checkMs },
    zooKeeperVersion: ensemble?.zooKeeperVersion ?? "unknown",
    ...withLatency(memory.events),
    startedAt,
    unfiredTriggers: memory.events
      .filter(
        (event) =>
          event.process === "nemesis" &&
          event.f === "trigger" &&
          (event.value as { fired?: boolean }).fired === false,
      )
      .map((event) => String((event.value as { id?: string }).id)),
  };
}

/** The run's latency summary as an optional field (absent when nothing succeeded). */
function withLatency(events: readonly HistoryEvent[]): { latency?: LatencySummary } {
  const latency = latencySummary(events);
  return latency === undefined ? {} : { latency };
}

/** With membership changes the servers address each other directly: nothing can cut their links. */
function refusePeerFaults(plan: RunPlan): void {
  const linkFault = plan.schedule.find((item) => PEER_LINK_FAULTS.has(item.spec.kind));
  if (linkFault !== undefined)
    throw new BadInputError(
      `fault '${linkFault.spec.kind}' (${linkFault.id}) acts on the servers' links, which a scenario with members: cannot proxy (the leader hands every server one view of its peers): use process, disk and client faults there`,
    );
  if (plan.wire !== undefined)
    throw new BadInputError(
      `network.wire: ${plan.wire} reads the servers' links, which a scenario with members: cannot proxy (the leader hands every server one view of its peers): set network.wire: off`,
    );
}

/** Faults that act on the links between servers (the per-link proxies). */
const PEER_LINK_FAULTS: ReadonlySet<string> = new Set([
  "isolate",
  "partition",
  "bridge",
  "ring",
  "one-way",
  "latency",
  "bandwidth",
  "flaky",
  "blackhole",
]);

/** Faults that act on clients' links only: the ones an ensemble that is not ours may take. */

/** The verdicts a plan asks for, on its history. */
export function checkPlanHistory(plan: RunPlan, events: readonly HistoryEvent[]): Verdict[] {
  return runCheckers(plan.checkers, events, {
    sessionTimeoutMs: plan.workload.sessionTimeout,
    settings: plan.settings,
    ...(plan.expectUnavailable !== undefined ? { expectUnavailable: plan.expectUnavailable } : {}),
  });
}
