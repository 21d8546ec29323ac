/**
 * The far ends of the proxy benchmark, in a process of their own so the proxy
 * under test has its event loop (and a core) to itself, as a real Toxiproxy
 * server has:
 *   sink BYTES        listens, reports {port}, then {done} after BYTES arrived
 *   source PORT BYTES writes BYTES in 64 KiB blocks to PORT
 *   echo              listens, reports {port}, echoes every byte back
 *   ping PORT N SIZE  N round trips of SIZE bytes to PORT, reports {latencies}
 * Each loop is bounded by its count; the parent kills the process at the end.
 */
import { connect, createServer, type Socket } from "node:net";

const send = (message: unknown) => process.send?.(message);

function listen(onSocket: (socket: Socket) => void): void {
  const server = createServer(onSocket);
  server.listen({ host: "127.0.0.1", port: 0 }, () => {
    send({ port: (server.address() as { port: number }).port });
  });
}

async function dial(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve) => socket.once("connect", resolve));
  return socket;
}

const [role, ...args] = process.argv.slice(2);
if (role === "sink") {
  const bytes = Number(args[0]);
  listen((socket) => {
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) send({ done: received });
    });
  });
} else if (role === "source") {
  const socket = await dial(Number(args[0]));
  const bytes = Number(args[1]);
  const block = Buffer.alloc(64 * 1024, 7);
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once("drain", resolve));
  }
} else if (role === "echo") {
  listen((socket) => socket.pipe(socket));
} else if (role === "ping") {
  const socket = await dial(Number(args[0]));
  const count = Number(args[1]);
  const payload = Buffer.alloc(Number(args[2]), 1);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received < payload.length) return;
        socket.off("data", onData);
        resolve();
      };
      socket.on("data", onData);
      socket.write(payload);
    });
    latencies.push(performance.now() - started);
  }
  send({ latencies });
  socket.destroy();
} else {
  throw new Error(`tcp-load: unknown role ${role}`);
}
