/**
 * Network faults made by the hosts' kernels (the ssh provider), as Jepsen
 * makes them: partitions, client cut-offs and packet loss are iptables rules
 * in a chain of our own (ZKCHAOS, jumped to from INPUT and OUTPUT, replaced
 * whole and atomically with iptables-restore); bandwidth is an htb class per
 * link with a u32 filter; delay, jitter and the like need netem, which is
 * detected at start. Everything is healed at start, at the end, and by
 * `zk-chaos ensemble reap --inventory F` after a crash.
 */

import { BadInputError } from "../errors.js";
import {
  CHAIN,
  type KernelCapabilities,
  type KernelHost,
  kernelCleanupCommand,
  probeKernels,
} from "../remote/kernel-rules.js";
import { shellQuote } from "../util/shell-quote.js";
import type { ToxicSpec } from "./fault-network.js";
import type { LinkFaults, NetworkView } from "./link-faults.js";
import { blockedPairs, type CutMode, type DirectedPair, pairKey } from "./link-topology.js";

/** Installs the chain's jumps on a host (once) and empties it. */
const SETUP = `iptables -w -N ${CHAIN} 2>/dev/null; iptables -w -F ${CHAIN} && { iptables -w -C INPUT -j ${CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${CHAIN}; } && { iptables -w -C OUTPUT -j ${CHAIN} 2>/dev/null || iptables -w -I OUTPUT -j ${CHAIN}; }`;

export type { KernelCapabilities, KernelHost } from "../remote/kernel-rules.js";

/** The fault kinds these kernels cannot make, with why (latency needs netem, bandwidth htb). */
export function kernelLimits(capabilities: KernelCapabilities): Record<string, string> {
  return {
    ...(capabilities.netem
      ? {}
      : { latency: "needs the netem qdisc, which the hosts' kernel does not have" }),
    ...(capabilities.htb
      ? {}
      : { bandwidth: "needs the htb qdisc, which the hosts' kernel does not have" }),
    ...(capabilities.cpuCgroup
      ? {}
      : {
          starve:
            "needs a writable CPU cgroup hierarchy under /sys/fs/cgroup (v2 with the cpu controller, or v1's cpu) on every host, which one lacks",
        }),
  };
}

/** The kernel fault network of an ensemble on SSH hosts. */
export class KernelNetwork implements LinkFaults {
  private readonly blocked = new Map<string, Map<string, CutMode>>();
  private readonly clientsBlocked = new Map<number, CutMode>();
  private readonly degradations = new Map<string, { toxic: ToxicSpec; links: DirectedPair[] }>();
  private disposed = false;
  private dropped = 0;

  private constructor(
    private readonly hosts: ReadonlyMap<number, KernelHost & { device: string }>,
    readonly capabilities: KernelCapabilities,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Prepares every host (iptables present, our chain installed and empty, no
   * qdisc of ours) and learns what its kernel can do.
   */
  static async start(
    hosts: readonly KernelHost[],
    log: (line: string) => void = () => {},
  ): Promise<KernelNetwork> {
    const prepared = new Map<number, KernelHost & { device: string }>();
    for (const host of hosts) {
      const peer = hosts.find((other) => other.id !== host.id) ?? host;
      const route = await host.shell.exec(`ip route get ${shellQuote(peer.address)}`);
      const device = /\bdev (\S+)/.exec(route.stdout)?.[1] ?? "eth0";
      const setup = await host.shell.exec(`${kernelCleanupCommand(device)}; ${SETUP}`);
      if (setup.code !== 0)
        throw new BadInputError(
          `${host.shell.name}: iptables does not work there (${setup.stderr.trim() || `exit ${setup.code}`}): the kernel fault network needs root and iptables on every host`,
        );
      prepared.set(host.id, { ...host, device });
    }
    const capabilities = await probeKernels(hosts.map((host) => host.shell));
    const { netem, htb, cpuCgroup } = capabilities;
    log(
      `kernel fault network on ${hosts.length} host(s): iptables; ${htb ? "htb" : "no htb"}; ${netem ? "netem" : "no netem (delay, jitter, duplication, reordering and corruption unavailable)"}; ${cpuCgroup ? "CPU cgroups" : "no writable CPU cgroup hierarchy (no CPU caps)"}`,
    );
    return new KernelNetwork(prepared, capabilities, log);
  }

  /** Refuses, before the run, a degradation these kernels cannot make, naming what is missing. */
  refuseUnsupported(kind: string, toxic: string): void {
    if (toxic === "latency" && !this.capabilities.netem)
      throw new BadInputError(
        `fault '${kind}' needs the netem qdisc on the hosts, and their kernel has none ("Specified qdisc kind is unknown"): load sch_netem there, or run it on the local or docker provider`,
      );
    if (toxic === "bandwidth" && !this.capabilities.htb)
      throw new BadInputError(
        `fault '${kind}' needs the htb qdisc on the hosts, and their kernel has none: load sch_htb there`,
      );
    if (toxic === "slicer" || toxic === "reset_peer")
      throw new BadInputError(
        `fault '${kind}' slices or resets TCP streams, which only a proxy does: run it on the local or docker provider`,
      );
  }

  private host(id: number): KernelHost & { device: string } {
    const host = this.hosts.get(id);
    if (host === undefined) throw new BadInputError(`no server ${id} in the kernel network`);
    return host;
  }

  async block(pairs: readonly DirectedPair[], mode: CutMode, owner: string): Promise<void> {
    for (const pair of pairs) {
      const owners = this.blocked.get(pairKey(pair)) ?? new Map<string, CutMode>();
      owners.set(owner, mode);
      this.blocked.set(pairKey(pair), owners);
    }
    await this.apply(new Set(pairs.flatMap((pair) => [pair.from, pair.to])));
  }

  async unblock(owner: string): Promise<void> {
    const touched = new Set<number>();
    for (const [key, owners] of this.blocked) {
      if (!owners.delete(owner)) continue;
      for (const id of key.split(">").map(Number)) touched.add(id);
      if (owners.size === 0) this.blocked.delete(key);
    }
    await this.apply(touched);
  }

  async blockClients(id: number, mode: CutMode): Promise<void> {
    this.host(id);
    this.clientsBlocked.set(id, mode);
    await this.apply(new Set([id]));
  }

  async unblockClients(id: number): Promise<void> {
    this.clientsBlocked.delete(id);
    await this.apply(new Set([id]));
  }

  async degrade(name: string, links: readonly DirectedPair[], toxic: ToxicSpec): Promise<void> {
    this.refuseUnsupported(name, toxic.type);
    this.degradations.set(name, { toxic, links: [...links] });
    await this.apply(new Set(links.map((link) => link.from)), true);
  }

  async undegrade(name: string): Promise<void> {
    const record = this.degradations.get(name);
    if (record === undefined) return;
    this.degradations.delete(name);
    await this.apply(new Set(record.links.map((link) => link.from)), true);
  }

  async healAll(): Promise<void> {
    this.blocked.clear();
    this.clientsBlocked.clear();
    this.degradations.clear();
    await this.apply(new Set(this.hosts.keys()), true);
  }

  view(): NetworkView {
    return {
      blocked: blockedPairs(this.blocked.keys()),
      clientsBlocked: [...this.clientsBlocked.keys()].sort((a, b) => a - b),
      degradations: [...this.degradations].map(([name, record]) => ({
        name,
        type: record.toxic.type,
        links: record.links.map((link) => [link.from, link.to] as [number, number]),
      })),
    };
  }

  /** Clients reach the servers directly: the faults are in the hosts' kernels. */
  clientConnectString(ids: readonly number[] = [...this.hosts.keys()]): string {
    return ids
      .map((id) => this.host(id))
      .map((host) => `${host.address}:${host.clientPort}`)
      .join(",");
  }

  /** The iptables rules host `id` needs now, as iptables-restore input. */
  rulesFor(id: number): string {
    const self = this.host(id);
    const rules: string[] = [];
    for (const [key, owners] of this.blocked) {
      const [from, to] = key.split(">").map(Number) as [number, number];
      const refuse = [...owners.values()].every((mode) => mode === "refuse");
      // The sender drops what it would send; the receiver drops what it gets: the cut holds on both sides.
      if (from === id) {
        const peer = this.host(to).address;
        if (refuse) rules.push(`-A ${CHAIN} -p tcp -d ${peer} -j REJECT --reject-with tcp-reset`);
        rules.push(`-A ${CHAIN} -d ${peer} -j DROP`);
      }
      if (to === id) rules.push(`-A ${CHAIN} -s ${this.host(from).address} -j DROP`);
    }
    const clients = this.clientsBlocked.get(id);
    if (clients !== undefined) {
      const port = self.clientPort;
      if (clients === "refuse")
        rules.push(`-A ${CHAIN} -p tcp --dport ${port} -j REJECT --reject-with tcp-reset`);
      rules.push(`-A ${CHAIN} -p tcp --dport ${port} -j DROP`);
      rules.push(`-A ${CHAIN} -p tcp --sport ${port} -j DROP`);
    }
    for (const { toxic, links } of this.degradations.values()) {
      for (const link of links.filter((each) => each.from === id)) {
        const peer = this.host(link.to).address;
        if (toxic.type === "loss")
          rules.push(
            `-A ${CHAIN} -d ${peer} -m statistic --mode random --probability ${toxic.attributes.probability} -j DROP`,
          );
        if (toxic.type === "timeout") rules.push(`-A ${CHAIN} -d ${peer} -j DROP`);
      }
    }
    return `*filter\n:${CHAIN} - [0:0]\n${rules.join("\n")}${rules.length > 0 ? "\n" : ""}COMMIT\n`;
  }

  /** The tc commands host `id` needs now: htb classes per degraded link (bandwidth, delay). */
  qdiscFor(id: number): string {
    const host = this.host(id);
    const device = shellQuote(host.device);
    const commands = [`tc qdisc del dev ${device} root 2>/dev/null; true`];
    const shaped = [...this.degradations.values()].flatMap(({ toxic, links }) =>
      links
        .filter((link) => link.from === id)
        .filter(() => toxic.type === "bandwidth" || toxic.type === "latency")
        .map((link) => ({ toxic, to: link.to })),
    );
    if (shaped.length === 0) return commands.join("\n");
    commands.push(
      `tc qdisc add dev ${device} root handle 1: htb default 1`,
      `tc class add dev ${device} parent 1: classid 1:1 htb rate 10gbit`,
    );
    shaped.forEach(({ toxic, to }, index) => {
      const classId = `1:${index + 10}`;
      // Toxiproxy's bandwidth is KB/s; unshaped latency classes run at full speed.
      const rate =
        toxic.type === "bandwidth"
          ? `${Math.max(1, toxic.attributes.rate ?? 1) * 8}kbit`
          : "10gbit";
      commands.push(
        `tc class add dev ${device} parent 1: classid ${classId} htb rate ${rate} ceil ${rate}`,
      );
      if (toxic.type === "latency")
        commands.push(
          `tc qdisc add dev ${device} parent ${classId} netem delay ${toxic.attributes.latency ?? 0}ms ${toxic.attributes.jitter ?? 0}ms`,
        );
      commands.push(
        `tc filter add dev ${device} parent 1: protocol ip prio 1 u32 match ip dst ${this.host(to).address}/32 flowid ${classId}`,
      );
    });
    return commands.join(" && \\\n");
  }

  /** Packets the kernels dropped or refused by our rules so far: the proof that the cuts were theirs. */
  get droppedPackets(): number {
    return this.dropped;
  }

  /** Counts what a host's current rules dropped or refused, before they are replaced. */
  private async countDropped(host: KernelHost): Promise<void> {
    const listing = await host.shell.exec(`iptables -w -L ${CHAIN} -v -n -x`);
    for (const line of listing.stdout.split("\n")) {
      const [packets, , target] = line.trim().split(/\s+/);
      if ((target === "DROP" || target === "REJECT") && /^\d+$/.test(packets ?? ""))
        this.dropped += Number(packets);
    }
  }

  private pending: Promise<unknown> = Promise.resolve();

  /** Runs changes one after another: a teardown never races a rule being written. */
  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.pending.then(run, run);
    this.pending = next.catch(() => {});
    return next;
  }

  /** Writes the rules (and, when `shaping`, the qdiscs) of the given hosts. */
  private apply(ids: ReadonlySet<number>, shaping = false): Promise<void> {
    return this.serial(() => this.write(ids, shaping));
  }

  private async write(ids: ReadonlySet<number>, shaping: boolean): Promise<void> {
    if (this.disposed) return;
    await Promise.all(
      [...ids].map(async (id) => {
        const host = this.host(id);
        await this.countDropped(host);
        await host.shell.run(
          `iptables-restore -w --noflush`,
          "writing iptables rules",
          this.rulesFor(id),
        );
        if (shaping) await host.shell.run(this.qdiscFor(id), "shaping traffic with tc");
      }),
    );
    this.log(`kernel fault network: rules written on ${[...ids].sort().join(", ")}`);
  }

  private disposing: Promise<void> | undefined;

  /** Removes the chain and the qdiscs from every host, after any change in flight; a second call waits for the first. */
  dispose(): Promise<void> {
    this.disposing ??= this.serial(() => this.teardown());
    return this.disposing;
  }

  private async teardown(): Promise<void> {
    await Promise.allSettled([...this.hosts.values()].map((host) => this.countDropped(host)));
    this.disposed = true;
    this.log(
      `kernel fault network: ${this.dropped} packet(s) dropped or refused by the hosts' kernels in all`,
    );
    await Promise.allSettled(
      [...this.hosts.values()].map((host) => host.shell.exec(kernelCleanupCommand(host.device))),
    );
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
