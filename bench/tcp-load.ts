/**
 * The far ends of the proxy benchmark, in a process of their own so the proxy
 * under test has its event loop (and a core) to itself, as a real Toxiproxy
 * server has:
 *   sink BYTES        listens, reports {port}, then {done, ms} after BYTES arrived
 *                     (ms from the first byte to the last)
 *   source PORT BYTES [zab|snap]  writes BYTES in blocks of about 64 KiB to PORT;
 *                     zab: whole Zab packets (PROPOSAL/ACK/COMMIT, a busy leader's stream);
 *                     snap: a SNAP packet and a snapshot of 1 KiB nodes (a follower's sync)
 *   echo              listens, reports {port}, echoes every byte back
 *   ping PORT N SIZE  N round trips of SIZE bytes to PORT, reports {latencies}
 * Each loop is bounded by its count; the parent kills the process at the end.
 */
import { connect, createServer, type Socket } from "node:net";

const send = (message: unknown) => process.send?.(message);
// A far end outlives no bench: when the parent goes (killed, or done), so does it.
process.on("disconnect", () => process.exit(0));

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

/** A Zab packet: type, zxid, data (length -1 when none), empty authinfo. */
function zabPacket(type: number, counter: number, data: number): Buffer {
  const buffer = Buffer.alloc(20 + data);
  buffer.writeInt32BE(type, 0);
  buffer.writeBigInt64BE(0x100000000n + BigInt(counter), 4);
  buffer.writeInt32BE(data === 0 ? -1 : data, 12);
  buffer.writeInt32BE(-1, 16 + data);
  return buffer;
}

/** A Jute string. */
function juteString(text: string): Buffer {
  const bytes = Buffer.from(text);
  const length = Buffer.alloc(4);
  length.writeInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** SNAP, then a snapshot's head: no sessions, an empty ACL cache. */
function snapHead(): Buffer {
  return Buffer.concat([zabPacket(15, 1, 0), Buffer.alloc(8)]);
}

/** About 64 KiB of snapshot nodes: path, 1 KiB of data, acl reference and stat. */
function snapBlock(): Buffer {
  const nodes: Buffer[] = [];
  let size = 0;
  for (let index = 0; size < 64 * 1024; index++) {
    const data = Buffer.alloc(4 + 1024, 3);
    data.writeInt32BE(1024);
    const node = Buffer.concat([juteString(`/bench/node-${index}`), data, Buffer.alloc(68)]);
    nodes.push(node);
    size += node.length;
  }
  return Buffer.concat(nodes);
}

/** About 64 KiB of whole PROPOSAL (120-byte body), COMMIT and ACK packets. */
function zabBlock(): Buffer {
  const packets: Buffer[] = [];
  let size = 0;
  for (let counter = 1; size < 64 * 1024; counter++) {
    for (const packet of [
      zabPacket(2, counter, 120),
      zabPacket(4, counter, 0),
      zabPacket(3, counter, 0),
    ]) {
      packets.push(packet);
      size += packet.length;
    }
  }
  return Buffer.concat(packets);
}

const [role, ...args] = process.argv.slice(2);
if (role === "sink") {
  const bytes = Number(args[0]);
  listen((socket) => {
    let received = 0;
    let first = 0;
    socket.on("data", (chunk: Buffer) => {
      // Timed from the first byte: the source's process start is not the path's cost.
      if (received === 0) first = performance.now();
      received += chunk.length;
      if (received >= bytes) send({ done: received, ms: performance.now() - first });
    });
  });
} else if (role === "source") {
  const socket = await dial(Number(args[0]));
  const bytes = Number(args[1]);
  const block =
    args[2] === "zab" ? zabBlock() : args[2] === "snap" ? snapBlock() : Buffer.alloc(64 * 1024, 7);
  if (args[2] === "snap") socket.write(snapHead());
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
