/**
 * Benchmark: what the fault network costs.
 *   node dist/bench/proxy-overhead.js [ops=2000] [megabytes=200] [--rounds 7] [--toxiproxy-url URL]
 * ZooKeeper read and write latency through a follower, with the ensemble
 * direct vs behind the full proxy mesh (client through its client proxy, the
 * follower's forwarded writes through the peer proxies); then, with both far
 * ends in processes of their own, a bulk TCP transfer and round trips of 100
 * bytes: direct, through the built-in server as its own program (as the
 * real one runs; the target compares these two), through the built-in in
 * this process (as a run's fault network has it), and through a real
 * Toxiproxy server: the one at --toxiproxy-url, else one built
 * from its source for the run (toxiproxy-anchor.ts). The TCP measurements
 * run in rounds, the paths taking turns within each, because this machine's
 * speed drifts by tens of percent within a minute: one transfer per path
 * compares moments, not paths. Bulk is the median of the rounds, timed from
 * the first byte the sink sees to the last (a process start is no path's
 * cost); round trips are pooled over the rounds. Targets: bulk at
 * least the real server's, p99 of the round trips no worse. With the wire
 * decoded (network.wire), ZooKeeper p99 within 5% of the opaque proxy; and
 * the quorum decoder's own throughput on a busy leader's stream; and bulk of
 * Zab packets through the built-in, opaque vs decoding (target within 10%). Prints tables,
 * writes JSON.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalEnsemble } from "../src/ensemble/local/local-ensemble.js";
import { FaultNetwork } from "../src/network/fault-network.js";
import { startToxiproxyServer } from "../src/network/toxiproxy/toxiproxy-server.js";
import { decodeCapture } from "../src/network/wire/decode-capture.js";
import { ZkSession } from "../src/workload/zk-session.js";
import { median, quantile, table } from "./stats.js";
import { startBuiltInProcess, startRealToxiproxy } from "./toxiproxy-anchor.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "toxiproxy-url": { type: "string" }, rounds: { type: "string", default: "7" } },
});
const ops = Number(positionals[0] ?? 2000);
const megabytes = Number(positionals[1] ?? 200);
const realUrl = values["toxiproxy-url"]?.replace(/\/$/, "");
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`--rounds ${values.rounds}: give a whole number of at least 1`);
  process.exit(2);
}
/** A transfer that has not finished by then is stuck: the bench says so and stops. */
const TRANSFER_LIMIT_MS = 60_000;

async function zkLatencies(
  proxied: boolean,
  wire = false,
): Promise<{ read: number[]; write: number[]; messages: number }> {
  const network = proxied ? await FaultNetwork.start({ wire }) : undefined;
  let messages = 0;
  network?.onWire(() => {
    messages++;
  });
  try {
    await using ensemble = await startLocalEnsemble({
      nodes: 3,
      peerLayout: network?.peerLayout(),
    });
    const leader = (await ensemble.leader()) as number;
    const follower = ensemble.servers.find((server) => server.id !== leader)?.id as number;
    const connectString = network
      ? network.clientConnectString([follower])
      : ensemble.connectString([follower]);
    const session = await ZkSession.open(connectString);
    await session.create("/bench", "0");
    const read: number[] = [];
    const write: number[] = [];
    // Warm-up: the JIT and the connections.
    for (let i = 0; i < 200; i++) await session.setData("/bench", String(i));
    for (let i = 0; i < ops; i++) {
      let started = performance.now();
      await session.setData("/bench", String(i));
      write.push(performance.now() - started);
      started = performance.now();
      await session.getData("/bench");
      read.push(performance.now() - started);
    }
    session.close();
    return { read, write, messages };
  } finally {
    await network?.dispose();
  }
}

/** Where the TCP benchmarks connect: straight to the far end, or through a proxy created by the Toxiproxy API at `url`. */
interface Path {
  readonly label: string;
  readonly url?: string;
  /** The proxy decodes its streams as this wire protocol (the built-in server only). */
  readonly decode?: "zookeeper-quorum";
}

/** Starts a far-end role of tcp-load in its own process; resolves its first message. */
async function farEnd(
  args: readonly string[],
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = fork(fileURLToPath(new URL("./tcp-load.js", import.meta.url)), args);
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Record<string, unknown>));
    child.once("exit", (code) => reject(new Error(`tcp-load ${args[0]} exited ${code}`)));
  });
  return { child, first };
}

/** The port to dial for `upstreamPort` on this path, and how to remove the proxy afterwards. */
async function via(
  path: Path,
  upstreamPort: number,
): Promise<{ port: number; remove: () => Promise<void> }> {
  if (path.url === undefined) return { port: upstreamPort, remove: async () => {} };
  const name = `bench-${process.pid}-${upstreamPort}`;
  const response = await fetch(`${path.url}/proxies`, {
    method: "POST",
    body: JSON.stringify({
      name,
      listen: "127.0.0.1:0",
      upstream: `127.0.0.1:${upstreamPort}`,
      ...(path.decode ? { decode: path.decode } : {}),
    }),
  });
  if (!response.ok) throw new Error(`${path.url}: creating a proxy: ${await response.text()}`);
  const port = Number(((await response.json()) as { listen: string }).listen.split(":").pop());
  return {
    port,
    remove: async () => {
      await fetch(`${path.url}/proxies/${name}`, { method: "DELETE" });
    },
  };
}

/** MB/s of one bulk transfer from a source process to a sink process along the path (of tcp-load's `shape` of stream). */
async function bulkThroughput(path: Path, shape?: "zab" | "snap"): Promise<number> {
  const bytes = megabytes * 1_000_000;
  const sink = await farEnd(["sink", String(bytes)]);
  const route = await via(path, Number(sink.first.port));
  const done = new Promise<{ ms: number }>((resolve) =>
    sink.child.once("message", (message) => resolve(message as { ms: number })),
  );
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${path.label}: ${megabytes} MB not through in ${TRANSFER_LIMIT_MS} ms`)),
      TRANSFER_LIMIT_MS,
    );
  });
  const source = fork(fileURLToPath(new URL("./tcp-load.js", import.meta.url)), [
    "source",
    String(route.port),
    String(bytes),
    ...(shape ? [shape] : []),
  ]);
  try {
    const { ms } = await Promise.race([done, stuck]);
    return megabytes / (ms / 1000);
  } finally {
    clearTimeout(timer);
    source.kill();
    sink.child.kill();
    await route.remove();
  }
}

/** Round-trip times (ms) of small exchanges with an echo process along the path. */
async function smallExchanges(path: Path): Promise<number[]> {
  const echo = await farEnd(["echo"]);
  const route = await via(path, Number(echo.first.port));
  const ping = await farEnd(["ping", String(route.port), String(ops), "100"]);
  echo.child.kill();
  ping.child.kill();
  await route.remove();
  return ping.first.latencies as number[];
}

const row = (label: string, samples: number[]) => [
  label,
  median(samples).toFixed(3),
  quantile(samples, 0.99).toFixed(3),
];

/** MB/s of the quorum decoder alone on a stream of PROPOSAL/ACK/COMMIT packets like a busy leader's. */
function decoderThroughput(): { mbps: number; messages: number } {
  const packet = (type: number, data: number) => {
    const buffer = Buffer.alloc(20 + data);
    buffer.writeInt32BE(type, 0);
    buffer.writeBigInt64BE(0x100000001n, 4);
    buffer.writeInt32BE(data === 0 ? -1 : data, 12);
    buffer.writeInt32BE(-1, 16 + data);
    return buffer;
  };
  const unit = Buffer.concat([packet(2, 120), packet(3, 0), packet(4, 0)]);
  const stream = Buffer.concat(Array.from({ length: 20_000 }, () => unit));
  const started = performance.now();
  let messages = 0;
  for (let round = 0; round < 5; round++)
    messages += decodeCapture("zookeeper-quorum", stream, false, 64 * 1024).messages.length;
  const seconds = (performance.now() - started) / 1000;
  return { mbps: (stream.length * 5) / 1e6 / seconds, messages };
}

const direct = await zkLatencies(false);
const proxied = await zkLatencies(true);
const decoding = await zkLatencies(true, true);
const decoder = decoderThroughput();
const builtIn = await startToxiproxyServer({ port: 0 });
/** The servers this bench started as processes: stopped at its end, and on Ctrl-C or SIGTERM. */
const started: { stop: () => Promise<void> }[] = [];
const stopStarted = async () => {
  for (const server of started.splice(0)) await server.stop();
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(
    signal,
    () => void stopStarted().finally(() => process.exit(signal === "SIGINT" ? 130 : 143)),
  );
// The anchor: the URL given, else a real Toxiproxy built from its source for this run.
const anchor = realUrl
  ? { url: realUrl, version: "given by --toxiproxy-url", stop: async () => {} }
  : await startRealToxiproxy();
if ("missing" in anchor) console.log(`anchor: ${anchor.missing}`);
else {
  started.push(anchor);
  console.log(`anchor: real Toxiproxy ${anchor.version} at ${anchor.url}`);
}
// The built-in as its own program too: the real server has a process to itself.
const ownProcess = await startBuiltInProcess();
if ("missing" in ownProcess) {
  await stopStarted();
  throw new Error(`the built-in server's own program ${ownProcess.missing}`);
}
started.push(ownProcess);
const paths: Path[] = [
  { label: "direct" },
  { label: "built-in", url: ownProcess.url },
  { label: "built-in in-process", url: builtIn.url },
  ...("url" in anchor ? [{ label: "real Toxiproxy", url: anchor.url }] : []),
];
const bulkRounds = paths.map((): number[] => []);
const rttPooled = paths.map((): number[] => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, path] of paths.entries()) {
    bulkRounds[index]?.push(await bulkThroughput(path));
    rttPooled[index]?.push(...(await smallExchanges(path)));
  }
  process.stderr.write(`TCP round ${round + 1}/${rounds}\n`);
}
const tcp = paths.map((path, index) => {
  const bulk = bulkRounds[index] ?? [];
  const rtt = rttPooled[index] ?? [];
  return {
    label: path.label,
    bulkMBps: median(bulk),
    bulkRounds: bulk,
    rttMedian: median(rtt),
    rttP99: quantile(rtt, 0.99),
  };
});
// The same bulk as quorum traffic, through the built-in opaque and decoding: a leader's stream
// of short packets (the decoder's worst case) and a snapshot sync (the link's real bulk).
let zabDecoded = 0;
builtIn.onWire(() => {
  zabDecoded++;
});
const opaquePath: Path = { label: "built-in", url: builtIn.url };
const decodingPath: Path = { ...opaquePath, decode: "zookeeper-quorum" };
const quorumBulk = [];
for (const shape of ["zab", "snap"] as const) {
  const before = zabDecoded;
  const opaque: number[] = [];
  const decoding: number[] = [];
  for (let round = 0; round < rounds; round++) {
    opaque.push(await bulkThroughput(opaquePath, shape));
    decoding.push(await bulkThroughput(decodingPath, shape));
  }
  quorumBulk.push({
    shape,
    opaqueMBps: median(opaque),
    decodingMBps: median(decoding),
    messages: (zabDecoded - before) / rounds,
  });
}
await builtIn.close();
await stopStarted();

console.log(`ZooKeeper ops through a follower of a 3-node ensemble, ${ops} each (ms)`);
console.log(
  table(
    ["", "median", "p99"],
    [
      row("read direct", direct.read),
      row("read proxied", proxied.read),
      row("read proxied + wire", decoding.read),
      row("write direct", direct.write),
      row("write proxied", proxied.write),
      row("write proxied + wire", decoding.write),
    ],
  ),
);
const wireP99 = quantile(decoding.write, 0.99) / quantile(proxied.write, 0.99);
console.log(
  `\nwire decoding: write p99 ${wireP99.toFixed(2)}x the opaque proxy's, read p99 ${(quantile(decoding.read, 0.99) / quantile(proxied.read, 0.99)).toFixed(2)}x (target <= 1.05x); ${decoding.messages} messages decoded`,
);
console.log(
  `quorum decoder alone: ${decoder.mbps.toFixed(0)} MB/s of PROPOSAL/ACK/COMMIT (${decoder.messages} messages)`,
);
const readRatio = median(proxied.read) / median(direct.read);
const writeRatio = median(proxied.write) / median(direct.write);
console.log(
  `\nmedian ratio proxied/direct: read ${readRatio.toFixed(2)}x, write ${writeRatio.toFixed(2)}x (target <= 1.2x)`,
);
console.log(
  `\nTCP, far ends in their own processes, ${rounds} rounds: ${megabytes} MB bulk (median of the rounds), ${ops} round trips of 100 B per round (pooled)`,
);
console.log(
  table(
    ["path", "bulk MB/s", "bulk min-max", "rtt median ms", "rtt p99 ms"],
    tcp.map((entry) => [
      entry.label,
      entry.bulkMBps.toFixed(0),
      `${Math.min(...entry.bulkRounds).toFixed(0)}-${Math.max(...entry.bulkRounds).toFixed(0)}`,
      entry.rttMedian.toFixed(3),
      entry.rttP99.toFixed(3),
    ]),
  ),
);
const real = tcp.find((entry) => entry.label === "real Toxiproxy");
const ours = tcp.find((entry) => entry.label === "built-in");
const inProcess = tcp.find((entry) => entry.label === "built-in in-process");
if (real && ours && inProcess)
  console.log(
    `built-in vs real: bulk ${(ours.bulkMBps / real.bulkMBps).toFixed(2)}x (target >= 1), rtt p99 ${(ours.rttP99 / real.rttP99).toFixed(2)}x (target <= 1); in-process: bulk ${(inProcess.bulkMBps / real.bulkMBps).toFixed(2)}x, rtt p99 ${(inProcess.rttP99 / real.rttP99).toFixed(2)}x`,
  );
else
  console.log(
    "no real Toxiproxy (see the anchor line): the built-in is compared with direct connections only",
  );
for (const entry of quorumBulk)
  console.log(
    `${entry.shape === "zab" ? "\nbulk of short Zab packets (PROPOSAL/COMMIT/ACK)" : "bulk of a snapshot sync (SNAP, 1 KiB nodes)"} through the built-in: opaque ${entry.opaqueMBps.toFixed(0)} MB/s, decoding ${entry.decodingMBps.toFixed(0)} MB/s (${entry.messages} messages): ${(entry.decodingMBps / entry.opaqueMBps).toFixed(2)}x (target >= 0.90x)`,
  );
const out = join("reports", "bench");
mkdirSync(out, { recursive: true });
const file = join(out, "proxy-overhead.json");
writeFileSync(
  file,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      ops,
      zookeeper: {
        direct: {
          readMedian: median(direct.read),
          readP99: quantile(direct.read, 0.99),
          writeMedian: median(direct.write),
          writeP99: quantile(direct.write, 0.99),
        },
        proxied: {
          readMedian: median(proxied.read),
          readP99: quantile(proxied.read, 0.99),
          writeMedian: median(proxied.write),
          writeP99: quantile(proxied.write, 0.99),
        },
        wire: {
          readMedian: median(decoding.read),
          readP99: quantile(decoding.read, 0.99),
          writeMedian: median(decoding.write),
          writeP99: quantile(decoding.write, 0.99),
          messages: decoding.messages,
          decoderMBps: decoder.mbps,
        },
        readRatio,
        writeRatio,
      },
      tcp,
      quorumBulk,
    },
    null,
    2,
  )}\n`,
);
console.log(`written: ${file}`);
