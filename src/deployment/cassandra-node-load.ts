/**
 * A real Apache Cassandra node as the neighbour, run from a child process
 * beside the servers: it starts the node (its commit log, data and
 * compactions in `dir`, on the servers' disk; ports on loopback only), then
 * writes 64 KiB rows through CQL at a rate, each acknowledged after its
 * commit log was fsync'd (group sync), so the node flushes memtables and
 * compacts as a busy one does. Each second it prints what it did as one
 * JSON line, `{"ready":true}` once the node answers. It stops on SIGTERM,
 * when its parent's pipe closes, or after its time limit: the node is
 * stopped and its files removed.
 *   node cassandra-node-load.js <dir> <limit ms> <MB/s> <classpath file> [markers...]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import cassandra from "cassandra-driver";
import { type PortReservation, reservePorts } from "../util/port-reservation.js";

const ROW = Buffer.alloc(64 * 1024, 0x5a);
/** Writes in flight: each waits for its group commit (15 ms), so the rate needs several. */
const IN_FLIGHT = 16;
/** What Cassandra 5 needs opened on Java 17 (its jvm17-server.options). */
const JAVA17_OPENS = [
  "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
  "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
  "--add-exports=java.sql/java.sql=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
  "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.math=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
];

const [dirArg, limitText, rateText, classpathFile, ...markers] = process.argv.slice(2);
if (
  dirArg === undefined ||
  limitText === undefined ||
  rateText === undefined ||
  classpathFile === undefined
) {
  process.stderr.write(
    "usage: cassandra-node-load <dir> <limit ms> <MB/s> <classpath file> [markers...]\n",
  );
  process.exit(2);
}
const dir: string = dirArg;
const limitMs = Number(limitText);
const bytesPerMs = (Number(rateText) * 2 ** 20) / 1000;
const totals = { fsyncedBytes: 0, fsyncs: 0, readBytes: 0 };
const started = performance.now();
let loadStarted: number | undefined;
let stopping = false;
let node: ChildProcess | undefined;
let client: cassandra.Client | undefined;
let ports: PortReservation | undefined;
const nodeLog: string[] = [];

const elapsed = () => Math.round(performance.now() - (loadStarted ?? started));
const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
const report = setInterval(() => print({ ...totals, elapsedMs: elapsed() }), 1000);

/** The node's configuration: one node of its own cluster, everything on loopback and under `dir`. */
function configYaml(storagePort: number, cqlPort: number): string {
  return `cluster_name: zkchaos-neighbour
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: group
commitlog_sync_group_window: 15ms
commitlog_directory: ${join(dir, "commitlog")}
data_file_directories: [${join(dir, "data")}]
saved_caches_directory: ${join(dir, "saved_caches")}
hints_directory: ${join(dir, "hints")}
cdc_raw_directory: ${join(dir, "cdc")}
memtable_heap_space: 16MiB
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${storagePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${storagePort}
native_transport_port: ${cqlPort}
endpoint_snitch: SimpleSnitch
start_native_transport: true
`;
}

/** Starts the node and resolves once CQL answers (or rejects with its log's last lines). */
async function startNode(): Promise<cassandra.Client> {
  mkdirSync(dir, { recursive: true });
  ports = await reservePorts(2, "127.0.0.1");
  const [storagePort, cqlPort] = ports.ports as [number, number];
  writeFileSync(join(dir, "cassandra.yaml"), configYaml(storagePort, cqlPort));
  const classpath = readFileSync(classpathFile as string, "utf8").trim();
  node = spawn(
    "java",
    [
      ...JAVA17_OPENS,
      "-Xms256m",
      "-Xmx512m",
      "-XX:+ExitOnOutOfMemoryError",
      `-Dcassandra.config=file://${join(dir, "cassandra.yaml")}`,
      "-Dcassandra-foreground=yes",
      `-Dcassandra.storagedir=${dir}`,
      `-Dcassandra.logdir=${join(dir, "logs")}`,
      ...markers,
      "-cp",
      classpath,
      "org.apache.cassandra.service.CassandraDaemon",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  for (const stream of [node.stdout, node.stderr])
    stream?.on("data", (chunk: Buffer) => {
      nodeLog.push(...chunk.toString("utf8").split("\n").slice(-20));
      nodeLog.splice(0, Math.max(0, nodeLog.length - 20));
    });
  const exited = new Promise<never>((_, reject) =>
    node?.once("exit", (code) =>
      reject(new Error(`the Cassandra node exited (${code}): ${nodeLog.slice(-5).join(" | ")}`)),
    ),
  );
  exited.catch(() => {});
  const deadline = performance.now() + 120_000;
  for (;;) {
    if (stopping) throw new Error("stopped before the node was ready");
    const candidate = new cassandra.Client({
      contactPoints: [`127.0.0.1:${cqlPort}`],
      localDataCenter: "datacenter1",
    });
    try {
      await Promise.race([candidate.connect(), exited]);
      return candidate;
    } catch (error) {
      await candidate.shutdown().catch(() => {});
      if (node.exitCode !== null || performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Writes rows at the rate until stopped or out of time; a few in flight, as a busy client has. */
async function load(session: cassandra.Client): Promise<void> {
  await session.execute(
    "CREATE KEYSPACE IF NOT EXISTS zkchaos WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  // Small memtables, and compactions from two sstables on: a step of seconds sees them, as a busy node's hours do.
  await session.execute(
    "CREATE TABLE IF NOT EXISTS zkchaos.log (id bigint PRIMARY KEY, data blob) WITH compaction = {'class': 'SizeTieredCompactionStrategy', 'min_threshold': 2}",
  );
  const insert = "INSERT INTO zkchaos.log (id, data) VALUES (?, ?)";
  loadStarted = performance.now();
  print({ ready: true });
  let next = 0;
  const writer = async () => {
    while (!stopping && performance.now() - started < limitMs) {
      const allowed = (performance.now() - (loadStarted as number)) * bytesPerMs;
      if (totals.fsyncedBytes >= allowed) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      await session.execute(insert, [cassandra.types.Long.fromNumber(next++), ROW], {
        prepare: true,
      });
      totals.fsyncedBytes += ROW.length;
      totals.fsyncs++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
}

/** What compactions read, from the node's own history of them. */
async function compactedBytes(session: cassandra.Client): Promise<number> {
  try {
    const result = await session.execute("SELECT bytes_in FROM system.compaction_history");
    return result.rows.reduce((sum, row) => sum + Number(row.bytes_in ?? 0), 0);
  } catch {
    return 0;
  }
}

let finishing = false;
async function finish(code: number, error?: unknown): Promise<void> {
  if (finishing) return;
  finishing = true;
  stopping = true;
  clearInterval(report);
  if (client) {
    totals.readBytes = await compactedBytes(client);
    await client.shutdown().catch(() => {});
  }
  if (node && node.exitCode === null) {
    const gone = new Promise((resolve) => node?.once("exit", resolve));
    node.kill("SIGTERM");
    const timer = setTimeout(() => node?.kill("SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }
  ports?.release();
  rmSync(dir, { recursive: true, force: true });
  if (error !== undefined)
    process.stderr.write(`cassandra neighbour: ${(error as Error).message}\n`);
  print({ ...totals, elapsedMs: elapsed(), done: true });
  process.exit(code);
}

const stop = () => {
  stopping = true;
  // A node that no longer answers must not keep the neighbour (and its files) alive.
  setTimeout(() => void finish(0), 15_000);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The harness holds our stdin: when it goes (it died), so do we.
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();

try {
  client = await startNode();
  await load(client);
  await finish(0);
} catch (error) {
  await finish(stopping ? 0 : 1, stopping ? undefined : error);
}
