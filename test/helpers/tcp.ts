import { connect, createServer, type Server, type Socket } from "node:net";

/** A TCP echo server on loopback; close it when done. */
export async function startEchoServer(): Promise<{
  port: number;
  server: Server;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A connected client that collects what it receives and how the connection ended. */
export interface TestClient {
  readonly socket: Socket;
  received(): Buffer;
  /** Resolves when `bytes` have arrived (or rejects after the timeout). */
  waitForBytes(bytes: number, timeoutMs?: number): Promise<number>;
  /** "end" (FIN), "reset" (RST) or "error:<code>" once the connection is gone. */
  readonly ended: Promise<string>;
}

/** Connects to 127.0.0.1:port. */
export function connectClient(port: number): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, noDelay: true });
    const chunks: Buffer[] = [];
    let size = 0;
    const waiters = new Set<() => void>();
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      for (const waiter of waiters) waiter();
    });
    const ended = new Promise<string>((done) => {
      socket.on("error", (error: NodeJS.ErrnoException) =>
        done(error.code === "ECONNRESET" ? "reset" : `error:${error.code}`),
      );
      socket.on("end", () => done("end"));
      socket.on("close", () => done("end"));
    });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve({
        socket,
        received: () => Buffer.concat(chunks),
        ended,
        waitForBytes(bytes, timeoutMs = 5000) {
          const started = performance.now();
          return new Promise((ok, fail) => {
            const check = () => {
              if (size >= bytes) {
                waiters.delete(check);
                clearTimeout(timer);
                ok(performance.now() - started);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`only ${size} of ${bytes} bytes within ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      });
    });
  });
}
