/**
 * A user-defined bridge network of one docker run: the servers as zk1..zkN
 * and Toxiproxy as `toxiproxy` on a private /24 of their own, with container
 * DNS names as a real deployment has. The engine runs without iptables and
 * masquerading, so isolation is ours to make: the network is internal and the
 * host never forwards what arrives on its bridge, so nothing the containers
 * send leaves the machine. Only the harness on this host reaches them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { BadInputError, ZkChaosError } from "../errors.js";
import { selfToken } from "../util/process-identity.js";
import { onShutdown } from "../util/shutdown.js";
import {
  configureTestcontainers,
  OWNER_LABEL,
  ROLE_LABEL,
  RUN_LABEL,
  removeNetwork,
} from "./docker-engine.js";
import { runtimeClient } from "./testcontainers.js";

/** The /16 the run networks' /24s come from: private, and not one Docker picks by itself. */
export const RUN_NETWORK_RANGE = "10.232.0.0/16";

/** The DNS name of Toxiproxy on a run network. */
export const TOXIPROXY_NAME = "toxiproxy";

/** A run's bridge network: who is where on it, and its removal. */
export interface RunNetwork {
  /** The engine's name of the network, also its bridge interface on the host. */
  readonly name: string;
  readonly subnet: string;
  /** The host's address on the bridge: how the harness reaches the containers. */
  readonly gateway: string;
  readonly toxiproxyAddress: string;
  /** Server `id`'s fixed address on the network. */
  serverAddress(id: number): string;
  /** Server `id`'s DNS name on the network (zk1, zk2, ...). */
  serverName(id: number): string;
  /** Removes the network (its containers must be gone); safe to call twice. */
  remove(): Promise<void>;
}

/** Server `id`'s DNS name on a run network. */
export function serverName(id: number): string {
  return `zk${id}`;
}

/** The /24s of the run range, starting at a random one so that concurrent runs rarely collide. */
export function candidateSubnets(start: number): string[] {
  return Array.from({ length: 256 }, (_, index) => `10.232.${(start + index) % 256}.0/24`);
}

/** Whether two IPv4 prefixes overlap. */
export function prefixesOverlap(a: string, b: string): boolean {
  const [aBase, aBits] = parsePrefix(a);
  const [bBase, bBits] = parsePrefix(b);
  const bits = Math.min(aBits, bBits);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (aBase & mask) >>> 0 === (bBase & mask) >>> 0;
}

function parsePrefix(prefix: string): [number, number] {
  const [address = "", bits] = prefix.split("/");
  const octets = address.split(".").map(Number);
  const value = octets.reduce((sum, octet) => sum * 256 + (octet || 0), 0) >>> 0;
  return [value, bits === undefined ? 32 : Number(bits)];
}

/** The host's IPv4 route prefixes in every table, except default routes. */
function hostRoutePrefixes(): string[] {
  const result = spawnSync("ip", ["-j", "-4", "route", "show", "table", "all"], {
    encoding: "utf8",
  });
  if (result.status !== 0) return [];
  const routes = JSON.parse(result.stdout || "[]") as { dst?: string }[];
  return routes
    .map((route) => route.dst ?? "")
    .filter((dst) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dst));
}

function setInterfaceFlag(bridge: string, file: string, value: string): void {
  writeFileSync(`/proc/sys/net/${file.replace("IF", bridge)}`, value);
}

/**
 * Creates the run's network: internal, no masquerading, a /24 of the run
 * range that no host route and no other network uses, and the host's
 * forwarding off on its bridge. Needs root (the forwarding switch).
 */
export async function createRunNetwork(options: {
  /** The run it belongs to (default: the network's own name). */
  readonly runId?: string;
  readonly log?: (line: string) => void;
}): Promise<RunNetwork> {
  if (process.getuid?.() !== 0) {
    throw new BadInputError(
      "--docker-network bridge needs root: the harness turns off forwarding on the run's bridge so that nothing is routed off the machine (run as root, or use --docker-network host)",
    );
  }
  configureTestcontainers();
  const docker = (await runtimeClient()).container.dockerode;
  const name = `zkc-${randomBytes(4).toString("hex")}`;
  const taken = hostRoutePrefixes();
  let subnet: string | undefined;
  let lastError = "";
  for (const candidate of candidateSubnets(randomBytes(1)[0] as number)) {
    if (taken.some((prefix) => prefixesOverlap(prefix, candidate))) continue;
    const base = candidate.slice(0, candidate.lastIndexOf(".0/"));
    try {
      await docker.createNetwork({
        Name: name,
        Driver: "bridge",
        Internal: true,
        CheckDuplicate: true,
        EnableIPv6: false,
        IPAM: { Config: [{ Subnet: candidate, Gateway: `${base}.1` }] },
        Options: {
          "com.docker.network.bridge.name": name,
          "com.docker.network.bridge.enable_ip_masquerade": "false",
        },
        Labels: {
          [RUN_LABEL]: options.runId ?? name,
          [OWNER_LABEL]: selfToken(),
          [ROLE_LABEL]: "network",
        },
      });
      subnet = candidate;
      break;
    } catch (error) {
      lastError = (error as Error).message;
      // Another network holds this /24 (a concurrent run): try the next one.
      if (!/overlap/i.test(lastError)) break;
    }
  }
  if (subnet === undefined) {
    throw new ZkChaosError(
      "SERVER_START_FAILED",
      `could not create a bridge network in ${RUN_NETWORK_RANGE}: ${lastError || "every /24 is taken by a host route"}`,
    );
  }
  const base = subnet.slice(0, subnet.lastIndexOf(".0/"));
  let removed: Promise<void> | undefined;
  const removeNow = () => removeNetworkNow(name);
  const unhook = onShutdown(() => network.remove(), removeNow);
  const network: RunNetwork = {
    name,
    subnet,
    gateway: `${base}.1`,
    toxiproxyAddress: `${base}.2`,
    serverAddress: (id) => `${base}.${10 + id}`,
    serverName,
    remove: () => {
      removed ??= (async () => {
        unhook();
        await removeNetwork(name);
      })();
      return removed;
    },
  };
  try {
    // What arrives on the bridge is never forwarded: the containers' default route ends at the host.
    setInterfaceFlag(name, "ipv4/conf/IF/forwarding", "0");
    setInterfaceFlag(name, "ipv6/conf/IF/disable_ipv6", "1");
  } catch (error) {
    await network.remove();
    throw new ZkChaosError(
      "SERVER_START_FAILED",
      `could not turn off forwarding on bridge ${name}: ${(error as Error).message}`,
    );
  }
  options.log?.(
    `docker network ${name}: ${subnet}, internal, no masquerading, the host forwards nothing from its bridge`,
  );
  return network;
}

/** Removes a network at once, synchronously (exit paths); the reaper catches a miss. */
function removeNetworkNow(name: string): void {
  try {
    execFileSync("docker", ["network", "rm", name], { stdio: "ignore", timeout: 5000 });
  } catch {
    // The next start's reaper removes it.
  }
}

/**
 * What a lookup from inside the network to an address off the machine
 * answers (route lookups only, nothing is sent): an error when nothing is
 * routed off, else the route the kernel would take.
 */
export function routeOffMachine(
  network: RunNetwork,
  from: string,
  to: string,
): { routed: boolean; answer: string } {
  const lookup = spawnSync("ip", ["route", "get", to, "from", from, "iif", network.name], {
    encoding: "utf8",
  });
  const answer = `${lookup.stdout}${lookup.stderr}`.trim();
  return { routed: lookup.status === 0, answer };
}
