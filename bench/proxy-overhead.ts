/**
 * Benchmark: what the fault network costs.
 *   node dist/bench/proxy-overhead.js [ops=2000] [megabytes=200]
 * ZooKeeper read and write latency through a follower, with the ensemble
 * direct vs behind the full proxy mesh (client through its client proxy, the
 * follower's forwarded writes through the peer proxies), and the throughput of
 * a bulk TCP transfer direct vs through one proxy. Prints a table, writes JSON.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { startLocalEnsemble } from "../src/ensemble/local-ensemble.js";
import { FaultNetwork } from "../src/network/fault-network.js";
import { startToxiproxyServer } from "../src/network/toxiproxy/toxiproxy-server.js";
import { ZkSession } from "../src/workload/zk-session.js";
import { median, quantile, table } from "./stats.js";

const ops = Number(process.argv[2] ?? 2000);
const megabytes = Number(process.argv[3] ?? 200);

async function zkLatencies(proxied: boolean): Promise<{ read: number[]; write: number[] }> {
  const network = proxied ? await FaultNetwork.start() : undefined;
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
    return { read, write };
  } finally {
    await network?.dispose();
  }
}

async function bulkThroughput(viaProxy: boolean): Promise<number> {
  const bytes = megabytes * 1_000_000;
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const sink = createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) done();
    });
  });
  await new Promise<void>((resolve) => sink.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const sinkPort = (sink.address() as { port: number }).port;
  const server = viaProxy ? await startToxiproxyServer({ port: 0 }) : undefined;
  let port = sinkPort;
  if (server) {
    const response = await fetch(`${server.url}/proxies`, {
      method: "POST",
      body: JSON.stringify({
        name: "bulk",
        listen: "127.0.0.1:0",
        upstream: `127.0.0.1:${sinkPort}`,
      }),
    });
    port = Number(((await response.json()) as { listen: string }).listen.split(":")[1]);
  }
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  const block = Buffer.alloc(64 * 1024, 7);
  const started = performance.now();
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  await server?.close();
  await new Promise((resolve) => sink.close(resolve));
  return megabytes / seconds;
}

const row = (label: string, samples: number[]) => [
  label,
  median(samples).toFixed(3),
  quantile(samples, 0.99).toFixed(3),
];

const direct = await zkLatencies(false);
const proxied = await zkLatencies(true);
const bulkDirect = await bulkThroughput(false);
const bulkProxied = await bulkThroughput(true);

console.log(`ZooKeeper ops through a follower of a 3-node ensemble, ${ops} each (ms)`);
console.log(
  table(
    ["", "median", "p99"],
    [
      row("read direct", direct.read),
      row("read proxied", proxied.read),
      row("write direct", direct.write),
      row("write proxied", proxied.write),
    ],
  ),
);
const readRatio = median(proxied.read) / median(direct.read);
const writeRatio = median(proxied.write) / median(direct.write);
console.log(
  `\nmedian ratio proxied/direct: read ${readRatio.toFixed(2)}x, write ${writeRatio.toFixed(2)}x (target <= 1.2x)`,
);
console.log(
  `bulk TCP transfer of ${megabytes} MB: direct ${bulkDirect.toFixed(0)} MB/s, through one proxy ${bulkProxied.toFixed(0)} MB/s`,
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
        readRatio,
        writeRatio,
      },
      bulkMBps: { direct: bulkDirect, proxied: bulkProxied },
    },
    null,
    2,
  )}\n`,
);
console.log(`written: ${file}`);
