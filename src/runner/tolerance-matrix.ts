import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkAvailability } from "../checkers/availability.js";
import type { Anomaly, Verdict } from "../checkers/verdict.js";
import { checkZooKeeper } from "../checkers/zookeeper/zookeeper-checker.js";
import { BadInputError } from "../errors.js";
import { Nemesis } from "../faults/nemesis.js";
import { HistoryRecorder, JsonlSink, MemorySink } from "../history/recorder.js";
import {
  choiceForRelease,
  faultLinksFor,
  installFor,
  LOCAL_PROVIDER,
  type ProviderChoice,
  prepareProvider,
  startProviderEnsemble,
  startProviderNetwork,
} from "../providers/registry.js";
import { majority } from "../quorum/connectivity.js";
import { RecordedSession } from "../workload/recorded-session.js";
import { finalReads, serverResolver } from "../workload/run-workload.js";
import { ZkSession } from "../workload/zk-session.js";
import type { ZooKeeperSettings } from "../zookeeper/settings.js";

/**
 * How k servers fail: killed, each cut off from every other server, or
 * killed under a supervisor that restarts them (no operator heals).
 */
export type FailureVariant = "kill" | "partition" | "kill+supervisor";

/** One cell: n servers, k of them failed. */
export interface ToleranceCell {
  readonly nodes: number;
  readonly failed: number;
  readonly variant: FailureVariant;
  /** Quorum math: available iff a majority of voters is alive and connected. */
  readonly expectedAvailable: boolean;
  /** Whether a write succeeded on a surviving server while the k were failed. */
  readonly observedAvailable: boolean;
  /** From the failure to the first acknowledged write (election included), if any. */
  readonly electMs: number | undefined;
  /** From the heal to the first acknowledged write. */
  readonly recoverMs: number | undefined;
  /** Under a supervisor: from the kill to the first acknowledged write on every server, with no heal. */
  readonly selfHealMs?: number | undefined;
}

/** Options of the tolerance matrix for one size. */
export interface ToleranceOptions {
  readonly nodes: number;
  /** Default: kill and partition, and kill+supervisor when superviseMs is given. */
  readonly variants?: readonly FailureVariant[];
  /** Restart delay of the supervisor of the kill+supervisor rows (ms). */
  readonly superviseMs?: number;
  readonly settings?: Partial<ZooKeeperSettings>;
  /** How long to try writes while failed before calling the ensemble unavailable (default 3 s). */
  readonly probeMs?: number;
  /** Folder for this size's history and results (created). */
  readonly dir: string;
  readonly seed?: number;
  /** Where servers run (default local JVMs). */
  readonly provider?: ProviderChoice;
  /** The release to run (default: the local install, or the image's). */
  readonly zookeeperVersion?: string;
  readonly log?: (line: string) => void;
}

/** The matrix of one size, with the consistency verdicts of everything it wrote. */
export interface ToleranceResult {
  readonly nodes: number;
  readonly cells: readonly ToleranceCell[];
  /** Failures tolerated as measured: the largest k with a write accepted, for every variant. */
  readonly measuredTolerance: number;
  readonly promisedTolerance: number;
  readonly verdicts: readonly Verdict[];
}

/**
 * For n servers, fails k = 0..n of them (killed, or each isolated), and
 * records expected (quorum math) against observed availability, the time to
 * elect and the time to recover. Every probe write is recorded, so the
 * ZooKeeper checker judges that no acknowledged write was lost through it all.
 */
export async function runToleranceMatrix(options: ToleranceOptions): Promise<ToleranceResult> {
  const { nodes } = options;
  const variants: readonly FailureVariant[] =
    options.variants ??
    (options.superviseMs === undefined
      ? ["kill", "partition"]
      : ["kill", "partition", "kill+supervisor"]);
  if (variants.includes("kill+supervisor") && options.superviseMs === undefined) {
    throw new BadInputError(
      "the kill+supervisor rows need a supervisor's restart delay (superviseMs)",
    );
  }
  const probeMs = options.probeMs ?? 3000;
  mkdirSync(options.dir, { recursive: true });
  const memory = new MemorySink();
  const recorder = new HistoryRecorder([new JsonlSink(join(options.dir, "history.jsonl")), memory]);
  const release = options.zookeeperVersion ? { version: options.zookeeperVersion } : {};
  const provider = choiceForRelease(options.provider ?? LOCAL_PROVIDER, release);
  await prepareProvider(provider, options.log);
  const network = await startProviderNetwork(provider, {
    seed: options.seed ?? 0,
    ...(options.log ? { log: options.log } : {}),
  });
  const cells: ToleranceCell[] = [];
  try {
    await using ensemble = await startProviderEnsemble(
      provider,
      {
        nodes,
        settings: options.settings ?? {},
        ...installFor(provider, release),
        peerLayout: network.peerLayout(),
        ...(options.log ? { log: options.log } : {}),
      },
      network,
    );
    const nemesis = new Nemesis({
      ensemble,
      network: faultLinksFor(provider, ensemble, network, ["kill", "isolate"]),
      recorder,
      seed: options.seed ?? 0,
    });
    await nemesis.healAll();
    {
      await using setup = await ZkSession.open(ensemble.connectString());
      await setup.create("/registers", "");
      await setup.create("/registers/r0", "");
    }
    const serverOf = serverResolver(ensemble);
    const probes = new Map(
      ensemble.servers.map((server) => [
        server.id,
        new RecordedSession({
          process: server.id,
          connectString: ensemble.connectString([server.id]),
          recorder,
          serverOf,
          sessionTimeoutMs: 2000,
          operationTimeoutMs: 800,
          connectTimeoutMs: 800,
        }),
      ]),
    );
    let value = 0;
    /** Writes through the given servers until one is acknowledged or the time is up; ms to success. */
    const probe = async (ids: readonly number[], limitMs: number): Promise<number | undefined> => {
      const started = performance.now();
      while (performance.now() - started < limitMs && ids.length > 0) {
        const outcomes = await Promise.all(
          ids.map((id) => {
            const written = ++value;
            return (probes.get(id) as RecordedSession).perform(
              "write",
              { key: 0, value: written },
              async (session) => ({
                stat: await session.setData("/registers/r0", String(written)),
              }),
            );
          }),
        );
        if (outcomes.some((outcome) => outcome.type === "ok")) return performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return undefined;
    };
    /** Writes until every server has acknowledged one (each through its own session), or the time is up. */
    const probeUntilAllServe = async (ids: readonly number[], limitMs: number) => {
      const started = performance.now();
      for (const id of ids) {
        const left = limitMs - (performance.now() - started);
        if (left <= 0 || (await probe([id], left)) === undefined) return undefined;
      }
      return performance.now() - started;
    };
    const all = ensemble.servers.map((server) => server.id);
    for (const variant of variants) {
      for (let failed = 0; failed <= nodes; failed++) {
        // Fail the highest ids: the first elected leader is usually among them.
        const victims = all.slice(nodes - failed);
        const survivors = all.filter((id) => !victims.includes(id));
        const expectedAvailable = survivors.length >= majority(nodes);
        const faults = [];
        const supervised = variant === "kill+supervisor";
        const stopSupervisor = supervised
          ? nemesis.supervise(options.superviseMs as number)
          : undefined;
        const killed = performance.now();
        if (variant === "kill" || supervised)
          for (const id of victims) faults.push(await nemesis.start({ kind: "kill", target: id }));
        if (failed > 0 && variant === "partition") {
          faults.push(
            await nemesis.start({
              kind: "partition",
              groups: [...victims.map((id) => [id]), survivors].filter((group) => group.length > 0),
            }),
          );
        }
        const electMs = await probe(
          survivors,
          expectedAvailable
            ? Math.max(probeMs, 15_000)
            : // Under a supervisor, judge the quorum before the first restart.
              supervised
              ? Math.min(probeMs, (options.superviseMs as number) * 0.8)
              : probeMs,
        );
        // No operator: the supervisor must bring every server back while the kill is in force.
        const selfHealed = supervised
          ? await probeUntilAllServe(all, (options.superviseMs as number) + 30_000)
          : undefined;
        const selfHealMs = selfHealed === undefined ? undefined : performance.now() - killed;
        for (const fault of faults) await nemesis.heal(fault.id);
        await stopSupervisor?.();
        const healed = performance.now();
        await ensemble.waitForQuorum({ timeoutMs: 60_000 });
        const recovered = await probe(all, 30_000);
        const recoverMs = recovered === undefined ? undefined : performance.now() - healed;
        const cell: ToleranceCell = {
          nodes,
          failed,
          variant,
          expectedAvailable,
          observedAvailable: electMs !== undefined,
          electMs,
          recoverMs,
          ...(supervised ? { selfHealMs } : {}),
        };
        cells.push(cell);
        options.log?.(
          `n=${nodes} ${variant} ${failed}: expected ${expectedAvailable ? "available" : "unavailable"}, observed ${cell.observedAvailable ? `available (${Math.round(electMs ?? 0)} ms)` : "unavailable"}, recovered in ${recoverMs === undefined ? "-" : Math.round(recoverMs)} ms`,
        );
      }
    }
    for (const session of probes.values()) session.close();
    await nemesis.healAll();
    await ensemble.waitForQuorum({ timeoutMs: 60_000 });
    await finalReads(ensemble, recorder, "/registers");
  } finally {
    await network.dispose();
    recorder.close();
  }
  const anomalies: Anomaly[] = cells
    .filter((cell) => cell.expectedAvailable !== cell.observedAvailable)
    .map((cell) => ({
      kind: cell.observedAvailable ? "available-without-quorum" : "unavailable-with-quorum",
      message: `${cell.nodes} servers with ${cell.failed} ${cell.variant === "kill" ? "killed" : "isolated"}: quorum math says ${cell.expectedAvailable ? "available" : "unavailable"}, observed ${cell.observedAvailable ? "available" : "unavailable"}`,
      events: [],
    }));
  const matrixVerdict: Verdict = {
    checker: "tolerance-matrix",
    guarantee: "available exactly when a majority of voters is alive and connected",
    valid: anomalies.length === 0,
    anomalies,
    stats: { cells },
    elapsedMs: 0,
  };
  const settings = {
    tickTime: options.settings?.tickTime ?? 200,
    initLimit: options.settings?.initLimit ?? 10,
    syncLimit: options.settings?.syncLimit ?? 5,
    sessionTimeoutMs: 2000,
  };
  const verdicts = [
    matrixVerdict,
    ...checkZooKeeper(memory.events, { sessionTimeoutMs: 2000 }),
    checkAvailability(memory.events, settings),
  ];
  const tolerated = (variant: FailureVariant) =>
    Math.max(
      -1,
      ...cells
        .filter((cell) => cell.variant === variant && cell.observedAvailable)
        .map((cell) => cell.failed),
    );
  const result: ToleranceResult = {
    nodes,
    cells,
    measuredTolerance: Math.min(...variants.map(tolerated)),
    promisedTolerance: nodes - majority(nodes),
    verdicts,
  };
  writeFileSync(join(options.dir, "tolerance.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
