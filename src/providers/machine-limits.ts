import { cpuHierarchy } from "../ensemble/cpu-limit.js";
import { fakeClockUnavailable } from "../ensemble/local/fake-clock.js";
import { slowFsyncUnavailable } from "../ensemble/local/slow-fsync.js";
import type { FaultKind } from "../faults/fault-spec.js";

const isRoot = () => process.getuid?.() === 0;

/** What each fault that mounts or caps needs of this machine: why not, or undefined when it has it. */
const MACHINE_NEEDS: Readonly<Partial<Record<FaultKind, () => string | undefined>>> = {
  starve: () =>
    isRoot() && cpuHierarchy() !== undefined
      ? undefined
      : "needs root and the kernel's CPU cgroup controller",
  "slow-fsync": () => slowFsyncUnavailable(),
  clock: () => fakeClockUnavailable(),
  "disk-full": () => (isRoot() ? undefined : "needs root (it mounts)"),
  "read-only": () => (isRoot() ? undefined : "needs root (it mounts)"),
};

/** Why this machine cannot make a fault for local JVMs or containers (one that mounts or caps), or undefined when it can. */
export function machineCannot(fault: FaultKind): string | undefined {
  return MACHINE_NEEDS[fault]?.();
}
