import { Command, Option } from "commander";
import type { Ensemble } from "../ensemble/ensemble.js";
import { describeReap, reapOrphans } from "../ensemble/run-registry.js";
import { FaultNetwork } from "../network/fault-network.js";
import { chooseOrLocal } from "../providers/choose.js";
import {
  choiceForRelease,
  installFor,
  prepareProvider,
  reapProviderLeftovers,
  startProviderEnsemble,
  startProviderNetwork,
} from "../providers/registry.js";
import { loadInventory } from "../remote/inventory.js";
import { formatDuration } from "../util/duration.js";
import { runtimeRoot } from "../util/runtime-root.js";
import { ownSignals } from "../util/shutdown.js";
import type { SettingsProfile, ZooKeeperSettings } from "../zookeeper/settings.js";
import type { ServerStatus } from "../zookeeper/srvr.js";
import { settingsFromZkConfig } from "../zookeeper/zoo-cfg-settings.js";
import type { CliIo } from "./cli-io.js";
import { jsonDocument } from "./json-output.js";
import {
  collectList,
  parseDurationOption,
  parseNodes,
  parsePositiveInt,
  ZK_CONFIG_HELP,
} from "./parse-options.js";
import {
  checkReleaseOptions,
  type ImageOptions,
  type ReleaseOptions,
  withImageOptions,
  withReleaseOptions,
} from "./provider-options.js";

/** Parsed options of `ensemble up`. */
export interface EnsembleUpOptions extends ImageOptions, ReleaseOptions {
  readonly nodes: number;
  readonly json?: boolean;
  readonly for?: number;
  readonly profile: SettingsProfile;
  readonly tickTime?: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly minSessionTimeout?: number;
  readonly maxSessionTimeout?: number;
  readonly heap?: number;
  readonly jvmFlag?: string[];
  /** --zk-config values: zoo.cfg files and key=value entries. */
  readonly zkConfig?: string[];
  readonly dir?: string;
  readonly keep?: boolean;
  readonly java?: string;
  readonly network?: boolean;
  readonly toxiproxyUrl?: string;
  readonly seed?: string;
  readonly provider?: string;
  readonly clientPort?: number;
}

/** Turns CLI options into settings overrides (only what was given). */
export function settingsFromOptions(options: EnsembleUpOptions): Partial<ZooKeeperSettings> {
  const overrides: { -readonly [K in keyof ZooKeeperSettings]?: ZooKeeperSettings[K] } = {};
  if (options.tickTime !== undefined) overrides.tickTime = options.tickTime;
  if (options.initLimit !== undefined) overrides.initLimit = options.initLimit;
  if (options.syncLimit !== undefined) overrides.syncLimit = options.syncLimit;
  if (options.minSessionTimeout !== undefined)
    overrides.minSessionTimeout = options.minSessionTimeout;
  if (options.maxSessionTimeout !== undefined)
    overrides.maxSessionTimeout = options.maxSessionTimeout;
  if (options.heap !== undefined) overrides.heapMb = options.heap;
  if (options.jvmFlag !== undefined) overrides.jvmFlags = options.jvmFlag;
  // zoo.cfg entries first: the dedicated flags above win over a file's.
  return { ...(options.zkConfig ? settingsFromZkConfig(options.zkConfig) : {}), ...overrides };
}

/** One line per server: id, address, role, epoch, zxid. */
export function describeServers(
  ensemble: Ensemble,
  statuses: ReadonlyMap<number, ServerStatus>,
): string[] {
  return ensemble.servers.map((server) => {
    const status = statuses.get(server.id);
    const address = `${server.clientAddress.host}:${server.clientAddress.port}`;
    const detail =
      status === undefined
        ? "unknown"
        : status.state === "serving"
          ? `${status.mode.padEnd(9)} epoch ${status.epoch}  zxid 0x${status.zxid.toString(16)}`
          : status.state;
    return `  server ${server.id}  ${address.padEnd(16)}  ${detail}`;
  });
}

function waitForStop(durationMs: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    // Signal handlers do not keep Node alive, and containers (unlike child JVMs) hold no handle here.
    const keepAlive = setInterval(() => {}, 60_000);
    const releaseSignals = ownSignals();
    const done = (reason: string) => {
      clearInterval(keepAlive);
      releaseSignals();
      if (timer !== undefined) clearTimeout(timer);
      for (const signal of signals) process.off(signal, onSignal);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => done(`${signal} received`);
    for (const signal of signals) process.on(signal, onSignal);
    const timer =
      durationMs === undefined
        ? undefined
        : setTimeout(() => done(`${formatDuration(durationMs)} elapsed`), durationMs);
  });
}

/** Runs `ensemble up`: start, print, wait for the duration or a signal, tear down. */
export async function ensembleUp(options: EnsembleUpOptions, io: CliIo): Promise<number> {
  const started = performance.now();
  const log = (line: string) => io.err(`zk-chaos: ${line}\n`);
  checkReleaseOptions(options);
  const release = options.zookeeperVersion?.[0] ? { version: options.zookeeperVersion[0] } : {};
  const choice = choiceForRelease(await chooseOrLocal(options, log), release);
  await prepareProvider(choice, log);
  const seed = options.seed ?? 0;
  const network =
    options.toxiproxyUrl !== undefined
      ? await FaultNetwork.start({ toxiproxyUrl: options.toxiproxyUrl, seed, log })
      : options.network || choice.dockerNetwork === "bridge"
        ? await startProviderNetwork(choice, { seed, log })
        : undefined;
  let ensemble: Ensemble;
  try {
    ensemble = await startProviderEnsemble(
      choice,
      {
        nodes: options.nodes,
        profile: options.profile,
        settings: settingsFromOptions(options),
        ...installFor(choice, release),
        install: { ...installFor(choice, release).install, java: options.java },
        dir: options.dir,
        keepDir: options.keep,
        peerLayout: network?.peerLayout(),
        ...(options.clientPort !== undefined ? { clientPort: options.clientPort } : {}),
        log,
      },
      network,
    );
  } catch (error) {
    await network?.dispose();
    throw error;
  }
  // With --json, stdout holds one document; what follows goes to stderr.
  const say = options.json ? io.err : io.out;
  try {
    const statuses = await ensemble.statuses();
    const kept = options.dir !== undefined || options.keep === true;
    if (options.json) {
      io.out(
        jsonDocument({
          size: ensemble.size,
          zooKeeperVersion: ensemble.zooKeeperVersion,
          tickTime: ensemble.settings.tickTime,
          connectString: ensemble.connectString(),
          ...(network !== undefined
            ? { proxyConnectString: network.clientConnectString(), toxiproxyUrl: network.url }
            : {}),
          servers: ensemble.servers.map((server) => ({
            id: server.id,
            ...server.clientAddress,
            status: statuses.get(server.id),
          })),
          dir: ensemble.dir,
          kept,
        }),
      );
    } else {
      io.out(
        `ensemble of ${ensemble.size} up in ${formatDuration(performance.now() - started)} ` +
          `(ZooKeeper ${ensemble.zooKeeperVersion}, tickTime ${ensemble.settings.tickTime} ms)\n`,
      );
      io.out(`connect string: ${ensemble.connectString()}\n`);
      if (network !== undefined) {
        io.out(`connect string through the client proxies: ${network.clientConnectString()}\n`);
        io.out(
          `Toxiproxy API: ${network.url} (proxies named ${network.prefix}-*; peer links q/e-FROM-TO, clients c-ID)\n`,
        );
      }
      for (const line of describeServers(ensemble, statuses)) io.out(`${line}\n`);
      io.out(
        `data and logs: ${ensemble.dir}${kept ? "" : " (removed on exit; --keep keeps them)"}\n`,
      );
    }
    say(
      options.for === undefined
        ? "running until Ctrl-C\n"
        : `running for ${formatDuration(options.for)}; Ctrl-C stops it sooner\n`,
    );
    const reason = await waitForStop(options.for);
    say(`${reason}: stopping\n`);
  } finally {
    await ensemble.dispose();
    await network?.dispose();
  }
  say("stopped; no server left running\n");
  return 0;
}

/** The `ensemble` command group. */
export function ensembleCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  const ensemble = new Command("ensemble").description("start and manage ZooKeeper ensembles");
  const up = ensemble
    .command("up")
    .description(
      "start an ensemble of ZooKeeper servers (local JVMs or containers), print its connect string, keep it up",
    )
    .addOption(
      new Option("-n, --nodes <n>", "number of servers, 1 to 9").argParser(parseNodes).default(3),
    )
    .option(
      "--for <duration>",
      "stop after this long (e.g. 30s, 5m); default: until Ctrl-C",
      parseDurationOption,
    )
    .addOption(
      new Option("--profile <name>", "settings profile")
        .choices(["fast", "production"])
        .default("fast"),
    )
    .option("--tick-time <ms>", "ZooKeeper tickTime", parsePositiveInt)
    .option("--init-limit <ticks>", "ZooKeeper initLimit", parsePositiveInt)
    .option("--sync-limit <ticks>", "ZooKeeper syncLimit", parsePositiveInt)
    .option("--min-session-timeout <ms>", "ZooKeeper minSessionTimeout", parsePositiveInt)
    .option("--max-session-timeout <ms>", "ZooKeeper maxSessionTimeout", parsePositiveInt)
    .option("--heap <mb>", "maximum JVM heap per server, in MiB", parsePositiveInt)
    .option("--jvm-flag <flag>", "extra JVM flag (repeatable)", collectList)
    .option("--zk-config <file|key=value>", ZK_CONFIG_HELP, collectList)
    .option("--dir <folder>", "keep data, configs and logs in this folder")
    .option("--keep", "keep the temp folder with data and logs after stopping")
    .option(
      "--json",
      "print one JSON document on stdout once up (connect string, servers, folder); the rest to stderr",
    )
    .option("--java <path>", "java executable (default: $JAVA_HOME/bin/java, then PATH)")
    .option(
      "--network",
      "route every peer and client link through its own proxy (the built-in Toxiproxy; a Toxiproxy container with --provider docker)",
    )
    .option(
      "--toxiproxy-url <url>",
      "route links through this real Toxiproxy instead (implies --network)",
    )
    .option("--seed <seed>", "seed for the built-in proxy's toxicity and jitter draws", "0")
    .addOption(
      new Option("--provider <name>", "how servers run: local JVMs or Docker containers")
        .choices(["local", "docker"])
        .default("local"),
    )
    .option(
      "--client-port <port>",
      "client port of server 1; server i gets port + i - 1 (default: free ports)",
      parsePositiveInt,
    );
  withReleaseOptions(withImageOptions(up), false).action((options: EnsembleUpOptions) =>
    setExit(ensembleUp(options, io)),
  );
  ensemble
    .command("reap")
    .description(
      "stop servers, containers and folders left behind by zk-chaos runs that died (containers when an engine answers)",
    )
    .option(
      "--inventory <file>",
      "also the SSH hosts of this inventory: kill the servers zk-chaos left there, remove their folders and every kernel fault rule",
    )
    .action((options: { inventory?: string }) =>
      setExit(
        (async () => {
          const lines = describeReap(await reapOrphans(runtimeRoot()));
          const hosts =
            options.inventory !== undefined
              ? ({ provider: "ssh", inventory: loadInventory(options.inventory) } as const)
              : undefined;
          lines.push(...(await reapProviderLeftovers(hosts)));
          io.out(lines.length === 0 ? "nothing to reap\n" : `${lines.join("\n")}\n`);
          return 0;
        })(),
      ),
    );
  return ensemble;
}
