/**
 * The data path of a shared network: bulk TCP flows (a hypervisor's tunnel
 * traffic, say) that write as fast as their link lets them, into a sink on
 * loopback that counts what arrived. Bounded in time: it stops by itself.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** What the data path moved. */
export interface DataPathThroughput {
  readonly bytes: number;
  readonly seconds: number;
  /** Megabytes (10^6 bytes) per second that reached the sink. */
  readonly mbPerS: number;
}

/** A running data path. */
export interface DataPath {
  /** Stops the flows and the sink; resolves with what moved. Safe to call twice. */
  stop(): Promise<DataPathThroughput>;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x5a);

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : 0);
    });
  });
}

/**
 * Starts `flows` bulk flows to a sink of its own, through what `route`
 * returns for the sink's port (a proxy on the shared link). They stop after
 * `maxMs` at the latest.
 */
export async function startDataPath(
  route: (sinkPort: number) => Promise<{ host: string; port: number }>,
  flows: number,
  maxMs: number,
): Promise<DataPath> {
  let bytes = 0;
  const received = new Set<Socket>();
  const sink = createServer((socket) => {
    received.add(socket);
    socket.on("data", (data: Buffer) => {
      bytes += data.length;
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => received.delete(socket));
  });
  const sinkPort = await listenOnLoopback(sink);
  const senders: Socket[] = [];
  let stopped = false;
  let result: Promise<DataPathThroughput> | undefined;
  const started = performance.now();
  const stop = (): Promise<DataPathThroughput> => {
    result ??= (async () => {
      stopped = true;
      clearTimeout(bound);
      const seconds = (performance.now() - started) / 1000;
      const moved = bytes;
      for (const socket of senders) socket.destroy();
      for (const socket of received) socket.destroy();
      await new Promise<void>((resolve) => sink.close(() => resolve()));
      return { bytes: moved, seconds, mbPerS: seconds > 0 ? moved / 1e6 / seconds : 0 };
    })();
    return result;
  };
  const bound = setTimeout(() => void stop(), maxMs);
  try {
    const { host, port } = await route(sinkPort);
    for (let flow = 0; flow < flows; flow++) {
      const socket = connect({ host, port });
      senders.push(socket);
      const pump = () => {
        while (!stopped && !socket.destroyed && socket.write(CHUNK)) {}
      };
      socket.on("connect", pump);
      socket.on("drain", pump);
      // A flow the link resets is gone; the others carry on.
      socket.on("error", () => socket.destroy());
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
