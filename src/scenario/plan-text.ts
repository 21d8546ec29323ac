/** A run's plan in words: what --dry-run prints instead of running it. */
import { formatDuration } from "../util/duration.js";
import type { RunPlan } from "./plan.js";

/** One fault of the plan: when, what, for how long. */
function faultText(fault: RunPlan["schedule"][number]): string {
  const { kind, ...rest } = fault.spec as { kind: string } & Record<string, unknown>;
  const what = Object.keys(rest).length > 0 ? `${kind} ${JSON.stringify(rest)}` : kind;
  const when = `${fault.after ? `${formatDuration(fault.at)} after ${fault.after}` : `at ${formatDuration(fault.at)}`}${fault.when ? ", on its trigger" : ""}`;
  return `${fault.id} ${when}: ${what}${fault.durationMs > 0 ? ` for ${formatDuration(fault.durationMs)}` : ""}`;
}

/** The plan of one run, a few lines: the run, its workload, its faults. */
export function planText(plan: RunPlan, file: string): string {
  const workload = plan.workload;
  return [
    `${plan.scenario} n=${plan.nodes}${plan.zookeeperVersion ? ` zk=${plan.zookeeperVersion}` : ""} seed=${plan.seed} (${file}): ${formatDuration(plan.durationMs)} on ${plan.provider}`,
    `  workload ${workload.kind}: ${workload.workers} worker(s) at ${workload.rate}/s each${workload.watch ? `, ${workload.watch.agents} watching agent(s) (${workload.watch.mode} watches)` : ""}; checkers ${plan.checkers.join(", ")}`,
    ...(plan.schedule.length === 0
      ? ["  no fault"]
      : plan.schedule.map((fault) => `  ${faultText(fault)}`)),
  ].join("\n");
}
