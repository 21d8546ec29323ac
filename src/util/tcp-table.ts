import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** One TCP socket from the kernel's table. */
export interface TcpSocket {
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** "ESTABLISHED", "LISTEN", ... */
  readonly state: string;
  readonly inode: number;
}

const STATES: Readonly<Record<string, string>> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

function ipv4(hex: string): string {
  const value = Number.parseInt(hex, 16);
  return [value & 255, (value >>> 8) & 255, (value >>> 16) & 255, (value >>> 24) & 255].join(".");
}

function ipv6(hex: string): string {
  // Four little-endian 32-bit words; show IPv4-mapped addresses as IPv4.
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse());
  const mapped =
    bytes.slice(0, 10).every((b) => b === "00") && bytes[10] === "FF" && bytes[11] === "FF";
  if (mapped)
    return bytes
      .slice(12)
      .map((b) => Number.parseInt(b, 16))
      .join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(`${bytes[i]}${bytes[i + 1]}`.replace(/^0+(?=.)/, "").toLowerCase());
  return groups.join(":");
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6. Pure. */
export function parseProcNetTcp(text: string, v6: boolean): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [local, remote, state] = [fields[1] as string, fields[2] as string, fields[3] as string];
    const [localHex, localPortHex] = local.split(":") as [string, string];
    const [remoteHex, remotePortHex] = remote.split(":") as [string, string];
    sockets.push({
      localAddress: v6 ? ipv6(localHex) : ipv4(localHex),
      localPort: Number.parseInt(localPortHex, 16),
      remoteAddress: v6 ? ipv6(remoteHex) : ipv4(remoteHex),
      remotePort: Number.parseInt(remotePortHex, 16),
      state: STATES[state] ?? state,
      inode: Number(fields[9]),
    });
  }
  return sockets;
}

/** Every TCP socket of this network namespace. */
export function tcpTable(): TcpSocket[] {
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  return [
    ...parseProcNetTcp(read("/proc/net/tcp"), false),
    ...parseProcNetTcp(read("/proc/net/tcp6"), true),
  ];
}

/** Inodes of the sockets a process holds open. */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

/** The TCP sockets a process holds, by pid. */
export function tcpSocketsOf(
  pids: readonly number[],
  table: readonly TcpSocket[] = tcpTable(),
): Map<number, TcpSocket[]> {
  const result = new Map<number, TcpSocket[]>();
  for (const pid of pids) {
    const inodes = socketInodes(pid);
    result.set(
      pid,
      table.filter((socket) => inodes.has(socket.inode)),
    );
  }
  return result;
}
