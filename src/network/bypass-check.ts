import { type TcpSocket, tcpSocketsOf, tcpTable } from "../util/tcp-table.js";

/** A server connection that does not pass through a proxy. */
export interface Bypass {
  readonly pid: number;
  readonly socket: TcpSocket;
  readonly reason: string;
}

/**
 * Finds server-to-server connections that bypass the proxies: a server socket
 * whose remote end is a real server port (it dialled a server directly), or
 * whose remote end belongs to another server process.
 */
export function findBypasses(
  serverPids: readonly number[],
  realPorts: ReadonlySet<number>,
): Bypass[] {
  const table = tcpTable();
  const byPid = tcpSocketsOf(serverPids, table);
  // Keyed by the whole 4-tuple: Linux lets two sockets share a local port when
  // their remote ends differ, so a port alone does not name a connection.
  const tuple = (from: string, fromPort: number, to: string, toPort: number) =>
    `${from}:${fromPort}>${to}:${toPort}`;
  const ownedBy = new Map<string, number>();
  for (const [pid, sockets] of byPid) {
    for (const socket of sockets) {
      ownedBy.set(
        tuple(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort),
        pid,
      );
    }
  }
  const bypasses: Bypass[] = [];
  for (const [pid, sockets] of byPid) {
    for (const socket of sockets) {
      if (socket.state !== "ESTABLISHED") continue;
      if (realPorts.has(socket.remotePort)) {
        bypasses.push({ pid, socket, reason: `dialled server port ${socket.remotePort} directly` });
        continue;
      }
      const peer = ownedBy.get(
        tuple(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort),
      );
      if (peer !== undefined && peer !== pid) {
        bypasses.push({ pid, socket, reason: `connected straight to server process ${peer}` });
      }
    }
  }
  return bypasses;
}

/** Listening sockets of these processes bound beyond loopback. */
export function listenersBeyondLoopback(
  pids: readonly number[],
): { pid: number; socket: TcpSocket }[] {
  const found: { pid: number; socket: TcpSocket }[] = [];
  for (const [pid, sockets] of tcpSocketsOf(pids)) {
    for (const socket of sockets) {
      if (socket.state !== "LISTEN") continue;
      const loopback = socket.localAddress.startsWith("127.") || socket.localAddress === "::1";
      if (!loopback) found.push({ pid, socket });
    }
  }
  return found;
}
