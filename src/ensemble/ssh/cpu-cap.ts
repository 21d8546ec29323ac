/**
 * CPU caps on an ssh host: the server's JVM moved into a CPU cgroup of its
 * own with a quota (v2 cpu.max, or v1 cpu.cfs_quota_us), as the local provider does on this machine,
 * and moved back when the cap is lifted. What it got meanwhile is measured
 * from the host's /proc, as locally.
 */

import type { SshHost } from "../../remote/ssh-host.js";
import { shellQuote } from "../../util/shell-quote.js";
import { CPU_GROUP_PREFIX, type CpuShare, PERIOD_US, statCpuMs } from "../cpu-limit.js";

/** A JVM under a CPU cap on its host. */
export interface RemoteCpuCap {
  readonly description: string;
  /** Lifts the cap (back to its own group, the group removed); resolves to what it got meanwhile. */
  release(): Promise<CpuShare>;
}

/**
 * Finds the host's CPU hierarchy as the local provider does: cgroup v2 at
 * /sys/fs/cgroup with the cpu controller, else v1's cpu controller at
 * /sys/fs/cgroup/cpu (or cpu,cpuacct). Sets v, r (its root) and home (the
 * process's group there) for the commands after it.
 */
const FIND_HIERARCHY = (pid: string) =>
  `if [ -w /sys/fs/cgroup/cgroup.procs ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then v=2; r=/sys/fs/cgroup; home=$(awk -F: '$1 == "0" { print $3 }' /proc/${pid}/cgroup); ` +
  `else v=1; for r in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct; do [ -w "$r/cpu.cfs_quota_us" ] && break; done; [ -w "$r/cpu.cfs_quota_us" ] || exit 3; home=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $3 }' /proc/${pid}/cgroup); fi`;

/** Caps `pid` on `host` at `cores` of one core in group `name`; fails naming the host and the fix. */
export async function capRemoteCpu(
  host: SshHost,
  pid: number,
  name: string,
  cores: number,
): Promise<RemoteCpuCap> {
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  const p = shellQuote(pid);
  const n = shellQuote(name);
  // Prints the group's path, the group the process came from, then its stat line.
  const output = await host.run(
    `${FIND_HIERARCHY(p)}; g="$r"/${n}; ` +
      `if [ $v = 2 ]; then grep -qw cpu "$r/cgroup.subtree_control" || echo +cpu > "$r/cgroup.subtree_control" || exit 1; fi; ` +
      `mkdir -p "$g" || exit 1; ` +
      `if [ $v = 2 ]; then echo ${shellQuote(`${quota} ${PERIOD_US}`)} > "$g/cpu.max"; else echo ${PERIOD_US} > "$g/cpu.cfs_period_us" && echo ${quota} > "$g/cpu.cfs_quota_us"; fi && ` +
      `echo ${p} > "$g/cgroup.procs" || { rmdir "$g" 2>/dev/null; exit 1; }; ` +
      `echo "$g"; echo "$r$home"; cat /proc/${p}/stat`,
    `capping server process ${pid} at ${cores} of a core (a CPU cgroup: root on the host)`,
  );
  const [group = "", home = "", stat = ""] = output.split("\n");
  const startCpu = statCpuMs(stat) ?? 0;
  const startedAt = performance.now();
  const [g, h] = [shellQuote(group), shellQuote(home)];
  return {
    description: `${group} on ${host.name}: ${quota} µs of CPU every ${PERIOD_US} µs`,
    release: async () => {
      const after = await host.exec(
        `cat /proc/${p}/stat 2>/dev/null || echo; ` +
          `echo ${p} > ${h}/cgroup.procs 2>/dev/null; ` +
          `sed -n 's/^nr_throttled //p' ${g}/cpu.stat 2>/dev/null | grep . || echo 0; rmdir ${g} 2>/dev/null; true`,
      );
      const [statAfter = "", throttled = "0"] = after.stdout.split("\n");
      const wallMs = performance.now() - startedAt;
      const cpuMs = (statCpuMs(statAfter) ?? startCpu) - startCpu;
      return {
        wallMs,
        cpuMs,
        share: wallMs > 0 ? cpuMs / wallMs : 0,
        throttledPeriods: Number(throttled) || 0,
      };
    },
  };
}

/** A command that removes the CPU groups zk-chaos left on a host (empty ones: their JVMs are gone). */
export function removeCpuGroupsCommand(): string {
  return `for g in /sys/fs/cgroup/${CPU_GROUP_PREFIX}*/ /sys/fs/cgroup/cpu/${CPU_GROUP_PREFIX}*/ /sys/fs/cgroup/cpu,cpuacct/${CPU_GROUP_PREFIX}*/; do [ -d "$g" ] && rmdir "$g" 2>/dev/null && echo "removed CPU group $g"; done; true`;
}
