/**
 * CPU caps on an ssh host: the server's JVM moved into a cgroup v2 group of
 * its own with a cpu.max quota, as the local provider does on this machine,
 * and moved back when the cap is lifted. What it got meanwhile is measured
 * from the host's /proc, as locally.
 */
import { shellQuote } from "../util/shell-quote.js";
import { CPU_GROUP_PREFIX, type CpuShare, PERIOD_US, statCpuMs } from "./cpu-limit.js";
import type { SshHost } from "./ssh-host.js";

/** A JVM under a CPU cap on its host. */
export interface RemoteCpuCap {
  readonly description: string;
  /** Lifts the cap (back to its own group, the group removed); resolves to what it got meanwhile. */
  release(): Promise<CpuShare>;
}

const ROOT = "/sys/fs/cgroup";

/** Caps `pid` on `host` at `cores` of one core in group `name`; fails naming the host and the fix. */
export async function capRemoteCpu(
  host: SshHost,
  pid: number,
  name: string,
  cores: number,
): Promise<RemoteCpuCap> {
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  const group = `${ROOT}/${name}`;
  const [p, g, r] = [shellQuote(pid), shellQuote(group), shellQuote(ROOT)];
  // Prints the group the process came from, then its stat line.
  const output = await host.run(
    `grep -qw cpu ${r}/cgroup.subtree_control || echo +cpu > ${r}/cgroup.subtree_control || exit 1; ` +
      `home=$(sed -n 's/^0:://p' /proc/${p}/cgroup); ` +
      `mkdir -p ${g} && echo ${shellQuote(`${quota} ${PERIOD_US}`)} > ${g}/cpu.max && echo ${p} > ${g}/cgroup.procs || { rmdir ${g} 2>/dev/null; exit 1; }; ` +
      `echo "$home"; cat /proc/${p}/stat`,
    `capping server process ${pid} at ${cores} of a core (cgroup v2 at ${ROOT}, root on the host)`,
  );
  const [home = "", stat = ""] = output.split("\n");
  const startCpu = statCpuMs(stat) ?? 0;
  const startedAt = performance.now();
  return {
    description: `cgroup v2 ${group} on ${host.name}: ${quota} µs of CPU every ${PERIOD_US} µs`,
    release: async () => {
      const after = await host.exec(
        `cat /proc/${p}/stat 2>/dev/null || echo; ` +
          `echo ${p} > ${shellQuote(`${ROOT}${home}`)}/cgroup.procs 2>/dev/null; ` +
          `sed -n 's/^nr_throttled //p' ${g}/cpu.stat 2>/dev/null || echo 0; rmdir ${g} 2>/dev/null; true`,
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
  return `for g in ${ROOT}/${CPU_GROUP_PREFIX}*/; do [ -d "$g" ] && rmdir "$g" 2>/dev/null && echo "removed CPU group $g"; done; true`;
}
