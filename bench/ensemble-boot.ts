/**
 * Benchmark: how fast the local provider boots an ensemble and fails over.
 *   node dist/bench/ensemble-boot.js [repeats=5] [versions=3.4.5,3.4.14,3.5.10,3.6.4,3.7.2,3.8.6,3.9.5]
 * For n = 1, 3, 5, 7: median time from spawn to "every server answers srvr,
 * exactly one leader, a write succeeds", and RSS per server; then kill -9 of
 * a 3-node leader to "a new leader serves a write". With a Docker engine and
 * the image ($ZK_CHAOS_ZOOKEEPER_IMAGE, default the official one), the docker
 * provider boots side by side. Then every ZooKeeper release given (resolved
 * with Maven into the cache) boots at n = 1, 3 and 5 side by side in one run.
 * Prints tables, writes JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imagePresent } from "../src/docker/container-image.js";
import { dockerAvailable } from "../src/docker/docker-engine.js";
import { zooKeeperImage } from "../src/docker/zookeeper-image.js";
import { startDockerEnsemble } from "../src/ensemble/docker/docker-ensemble.js";
import type { Ensemble } from "../src/ensemble/ensemble.js";
import {
  type LocalEnsembleOptions,
  startLocalEnsemble,
} from "../src/ensemble/local/local-ensemble.js";
import { ZkSession } from "../src/workload/zk-session.js";
import { fetchZooKeeper } from "../src/zookeeper/release-cache.js";
import { median, quantile, table } from "./stats.js";

const SIZES = [1, 3, 5, 7];
const repeats = Number(process.argv[2] ?? 5);
const VERSIONS = (process.argv[3] ?? "3.4.5,3.4.14,3.5.10,3.6.4,3.7.2,3.8.6,3.9.5")
  .split(",")
  .filter((version) => version !== "");
const VERSION_SIZES = [1, 3, 5];

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

type Starter = (options: LocalEnsembleOptions) => Promise<Ensemble>;

async function bootOnce(
  nodes: number,
  start: Starter = startLocalEnsemble,
  version?: string,
): Promise<{ bootMs: number; rss: number[] }> {
  const started = performance.now();
  await using ensemble = await start({ nodes, ...(version ? { install: { version } } : {}) });
  const session = await ZkSession.open(ensemble.connectString());
  await session.create("/bench-boot", "x");
  const bootMs = performance.now() - started;
  session.close();
  // Both providers run one process per server; its pid gives the RSS.
  const pids = ensemble.servers.map((server) => (server as { readonly pid?: number }).pid);
  return { bootMs, rss: pids.map(rssMiB) };
}

async function failoverOnce(): Promise<number> {
  await using ensemble = await startLocalEnsemble({ nodes: 3 });
  const { leader } = await ensemble.waitForQuorum();
  const survivors = ensemble.servers.map((server) => server.id).filter((id) => id !== leader);
  const killed = performance.now();
  await ensemble.server(leader).kill();
  const { leader: next } = await ensemble.waitForQuorum({ servers: survivors });
  const session = await ZkSession.open(ensemble.connectString([next]));
  await session.create("/bench-failover", "x");
  const elapsed = performance.now() - killed;
  session.close();
  return elapsed;
}

async function main(): Promise<void> {
  // One throw-away start writes the class-data archive that later starts map.
  await bootOnce(1);
  const rows: string[][] = [];
  const results: Record<string, unknown>[] = [];
  for (const nodes of SIZES) {
    const boots: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const run = await bootOnce(nodes);
      boots.push(run.bootMs);
      rss.push(...run.rss);
    }
    rows.push([
      String(nodes),
      median(boots).toFixed(0),
      Math.min(...boots).toFixed(0),
      Math.max(...boots).toFixed(0),
      median(rss).toFixed(0),
      Math.max(...rss).toFixed(0),
    ]);
    results.push({ nodes, bootMs: boots, medianBootMs: median(boots), rssMiB: rss });
    process.stderr.write(`n=${nodes} done\n`);
  }
  const failovers: number[] = [];
  for (let i = 0; i < repeats; i++) failovers.push(await failoverOnce());
  console.log(
    `ensemble boot, local provider, ${repeats} runs per size (spawn -> srvr on all, one leader, a write ok)`,
  );
  console.log(table(["n", "median ms", "min ms", "max ms", "RSS/server MiB", "max RSS MiB"], rows));
  console.log(
    `\nkill -9 of a 3-node leader -> new leader serves a write: median ${median(failovers).toFixed(0)} ms, ` +
      `p90 ${quantile(failovers, 0.9).toFixed(0)} ms (runs: ${failovers.map((ms) => ms.toFixed(0)).join(", ")})`,
  );
  // The docker provider side by side, when an engine answers and the image is built.
  const engine = await dockerAvailable();
  const dockerBoot: Record<number, number[]> = {};
  const image = zooKeeperImage();
  if (engine.available && (await imagePresent(image))) {
    const dockerRows: string[][] = [];
    for (const nodes of SIZES) {
      const boots: number[] = [];
      for (let i = 0; i < Math.min(repeats, 3); i++)
        boots.push((await bootOnce(nodes, startDockerEnsemble)).bootMs);
      dockerBoot[nodes] = boots;
      const local = results.find((result) => result.nodes === nodes)?.medianBootMs as number;
      dockerRows.push([
        String(nodes),
        local.toFixed(0),
        median(boots).toFixed(0),
        `${(median(boots) / local).toFixed(2)}x`,
      ]);
    }
    console.log(
      `\ndocker provider (${image}, ${engine.reason}), median of ${Math.min(repeats, 3)} boots`,
    );
    console.log(table(["n", "local ms", "docker ms", "docker/local"], dockerRows));
  } else {
    console.log(
      `\ndocker provider not measured: ${engine.available ? `no image ${image} (set ZK_CHAOS_ZOOKEEPER_IMAGE, or build it with docker/build-zookeeper-image.sh ${image})` : engine.reason}`,
    );
  }
  const versionBoot = await bootPerVersion();
  const out = join("reports", "bench");
  mkdirSync(out, { recursive: true });
  const file = join(out, "ensemble-boot.json");
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), repeats, boot: results, failoverMs: failovers, dockerBootMs: dockerBoot, versionBootMs: versionBoot }, null, 2)}\n`,
  );
  console.log(`\nwritten: ${file}`);
}

/** Boots every release side by side (after one warm-up boot each): median ms per size. */
async function bootPerVersion(): Promise<Record<string, Record<number, number[]>>> {
  const boots: Record<string, Record<number, number[]>> = {};
  const runs = Math.min(repeats, 3);
  for (const version of VERSIONS) {
    try {
      await fetchZooKeeper(version, { log: (line) => process.stderr.write(`${line}\n`) });
      await bootOnce(1, startLocalEnsemble, version);
    } catch (error) {
      console.log(
        `\nZooKeeper ${version} not measured: ${(error as Error).message.split("\n")[0]}`,
      );
      continue;
    }
    boots[version] = {};
    for (const nodes of VERSION_SIZES) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++)
        samples.push((await bootOnce(nodes, startLocalEnsemble, version)).bootMs);
      (boots[version] as Record<number, number[]>)[nodes] = samples;
    }
    process.stderr.write(`ZooKeeper ${version} done\n`);
  }
  const measured = Object.keys(boots);
  if (measured.length > 0) {
    console.log(`\nboot time per ZooKeeper release, local provider, median of ${runs} (ms)`);
    console.log(
      table(
        ["n", ...measured],
        VERSION_SIZES.map((nodes) => [
          String(nodes),
          ...measured.map((version) => median(boots[version]?.[nodes] ?? []).toFixed(0)),
        ]),
      ),
    );
  }
  return boots;
}

await main();
