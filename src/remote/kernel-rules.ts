/**
 * What an SSH host's kernel offers the kernel fault network, and how to clear
 * what the network left there: shared by the ssh provider (its reaper and
 * its probe) and the network itself.
 */
import { shellQuote } from "../util/shell-quote.js";
import type { SshHost } from "./ssh-host.js";

/** Succeeds where a host can cap a process's CPU (the ssh provider's starve): a writable CPU hierarchy, v2 or v1. */
export const CPU_CGROUP_PROBE =
  "{ [ -w /sys/fs/cgroup/cgroup.procs ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; } || [ -w /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] || [ -w /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us ]";

/** The iptables chain of ours on every host (jumped to from INPUT and OUTPUT). */
export const CHAIN = "ZKCHAOS";

/** What the hosts' kernels can do, learned at start. */
export interface KernelCapabilities {
  /** The netem qdisc (delay, jitter, duplication, reordering, corruption). */
  readonly netem: boolean;
  /** The htb qdisc with u32 filters (bandwidth per link). */
  readonly htb: boolean;
  /** A writable CPU cgroup hierarchy (v2 with the cpu controller, or v1's cpu) for CPU caps. */
  readonly cpuCgroup: boolean;
}

/** One server's host: where its rules go, and its address as peers see it. */
export interface KernelHost {
  readonly id: number;
  readonly shell: SshHost;
  readonly address: string;
  readonly clientPort: number;
}

/** Removes every trace of the chain and the qdisc from a host (heal, teardown, reap). */
export function kernelCleanupCommand(device?: string): string {
  const qdisc =
    device === undefined ? "" : `tc qdisc del dev ${shellQuote(device)} root 2>/dev/null; `;
  return `${qdisc}iptables -w -D INPUT -j ${CHAIN} 2>/dev/null; iptables -w -D OUTPUT -j ${CHAIN} 2>/dev/null; iptables -w -F ${CHAIN} 2>/dev/null; iptables -w -X ${CHAIN} 2>/dev/null; true`;
}

/** Does `qdisc` exist in this kernel? Tried on loopback and removed at once. */
async function hasQdisc(shell: SshHost, spec: string): Promise<boolean> {
  const result = await shell.exec(
    `tc qdisc add dev lo root handle 1: ${spec} 2>&1 && tc qdisc del dev lo root`,
  );
  return result.code === 0;
}

/** What every host's kernel can do: a capability counts only when all have it. */
export async function probeKernels(shells: readonly SshHost[]): Promise<KernelCapabilities> {
  let netem = true;
  let htb = true;
  let cpuCgroup = true;
  for (const shell of shells) {
    netem &&= await hasQdisc(shell, "netem delay 1ms");
    htb &&= await hasQdisc(shell, "htb default 1");
    cpuCgroup &&= (await shell.exec(CPU_CGROUP_PROBE)).code === 0;
  }
  return { netem, htb, cpuCgroup };
}
