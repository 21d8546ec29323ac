import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZkChaosError } from "../errors.js";
import { isTokenAlive, selfToken } from "./process-identity.js";

/** Lowest port we hand out: below are well-known and registered services people run. */
const LOWEST_PORT = 20000;

/**
 * Where port reservations live: machine-wide, whatever runtime root a run
 * uses, so that runs with private roots (parallel test files, CI shards) never
 * hand out the same port. Override with ZK_CHAOS_PORTS_DIR.
 */
export function portLockDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.ZK_CHAOS_PORTS_DIR ?? join(tmpdir(), "zk-chaos", "ports");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Reads Linux's ephemeral port range; ports in it are taken by outgoing connections. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined && low > 0) return [low, high];
  } catch {
    // Not Linux: fall back to the IANA dynamic range.
  }
  return [49152, 65535];
}

/** True when a listener could bind host:port right now. */
export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function tryLock(file: string, token: string): boolean {
  try {
    writeFileSync(file, token, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let owner = "";
  try {
    owner = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  if (isTokenAlive(owner)) return false;
  // The owner died without releasing it: take it over.
  rmSync(file, { force: true });
  try {
    writeFileSync(file, token, { flag: "wx" });
    return true;
  } catch {
    return false;
  }
}

/** Ports reserved for this process, free on the host when reserved; release when done. */
export class PortReservation implements Disposable {
  readonly ports: readonly number[];
  private readonly lockDir: string;
  private released = false;

  constructor(ports: readonly number[], lockDir: string) {
    this.ports = ports;
    this.lockDir = lockDir;
  }

  /** Gives the ports back; safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const port of this.ports) rmSync(join(this.lockDir, String(port)), { force: true });
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * Reserves `count` ports that are free on `host` and not held by any other
 * zk-chaos process, outside the ephemeral range so that client sockets never
 * squat on a server's port while it restarts.
 */
export async function reservePorts(count: number, host = "127.0.0.1"): Promise<PortReservation> {
  const lockDir = portLockDir();
  const [ephemeralLow, ephemeralHigh] = ephemeralRange();
  const high = ephemeralLow > LOWEST_PORT + 1000 ? ephemeralLow - 1 : 65535;
  const low = ephemeralLow > LOWEST_PORT + 1000 ? LOWEST_PORT : Math.max(ephemeralHigh + 1, 1024);
  const span = high - low + 1;
  const token = selfToken();
  const taken: number[] = [];
  const start = Math.floor(Math.random() * span);
  for (let step = 0; step < span && taken.length < count; step++) {
    const port = low + ((start + step) % span);
    const lock = join(lockDir, String(port));
    if (!tryLock(lock, token)) continue;
    if (await canListen(host, port)) taken.push(port);
    else rmSync(lock, { force: true });
  }
  const reservation = new PortReservation(taken, lockDir);
  if (taken.length < count) {
    reservation.release();
    throw new ZkChaosError(
      "PORTS_EXHAUSTED",
      `could not reserve ${count} free ports on ${host} between ${low} and ${high}: stop other ensembles or free ports`,
    );
  }
  return reservation;
}

/**
 * Reserves exactly these ports (a user's choice), or fails naming the first
 * that is taken, by another program or another zk-chaos run, and the fix.
 */
export async function reserveExactPorts(
  ports: readonly number[],
  host: string,
  fix: string,
): Promise<PortReservation> {
  const lockDir = portLockDir();
  const token = selfToken();
  const taken: number[] = [];
  const fail = (message: string): never => {
    new PortReservation(taken, lockDir).release();
    throw new ZkChaosError("BAD_INPUT", `${message}: ${fix}`);
  };
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      fail(`port ${port} is not a TCP port (1 to 65535)`);
    if (!tryLock(join(lockDir, String(port)), token))
      fail(`port ${port} on ${host} is already taken by another zk-chaos run`);
    taken.push(port);
    if (!(await canListen(host, port))) fail(`port ${port} on ${host} is already taken`);
  }
  return new PortReservation(taken, lockDir);
}

/** One reservation holding the ports of several (released together). */
export function joinReservations(...reservations: readonly PortReservation[]): PortReservation {
  return new PortReservation(
    reservations.flatMap((reservation) => reservation.ports),
    portLockDir(),
  );
}
