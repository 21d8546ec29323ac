/**
 * The capacity ramp's rule: a step holds the service level when its
 * acknowledged writes were fast enough, few enough sessions expired, a leader
 * kill kept writes away no longer than allowed, and nothing inconsistent was
 * seen; the ramp goes up while steps hold and stops at the first that does
 * not. Pure: measured steps in, a verdict out.
 */
import type { Deployment } from "./deployment-schema.js";

/** What one ramp step measured. */
export interface StepMeasure {
  readonly agents: number;
  /** p99 of acknowledged writes (ms; across a leader kill, of those the election did not hold); undefined when none is left. */
  readonly p99WriteMs: number | undefined;
  readonly okWrites: number;
  readonly sessionExpiries: number;
  /** Across a leader kill: from the kill to the first acknowledged write invoked after it (ms), or never. */
  readonly electionMs?: number | "never";
  /** Whether the consistency checkers found nothing (false: an anomaly; a finding in its own right). */
  readonly consistent: boolean;
}

/** Why a step broke the service level; empty when it held. */
export function stepBreaches(step: StepMeasure, level: Deployment["serviceLevel"]): string[] {
  const breaches: string[] = [];
  if (step.okWrites === 0) breaches.push("no write was acknowledged");
  else if (step.p99WriteMs !== undefined && step.p99WriteMs > level.p99WriteMs)
    breaches.push(`p99 write ${Math.round(step.p99WriteMs)} ms > ${level.p99WriteMs} ms`);
  if (step.sessionExpiries > level.sessionExpiries)
    breaches.push(`${step.sessionExpiries} session(s) expired > ${level.sessionExpiries}`);
  if (step.electionMs === "never") breaches.push("no write was acknowledged after the leader kill");
  else if (step.electionMs !== undefined && step.electionMs > level.electionMs)
    breaches.push(
      `writes stopped ${Math.round(step.electionMs)} ms across the leader kill > ${level.electionMs} ms`,
    );
  if (!step.consistent) breaches.push("an anomaly of consistency (see the run)");
  return breaches;
}

/** A ramp's outcome: the largest agent count that held, and the step that broke it. */
export interface RampOutcome {
  /** 0 when even the first step broke. */
  readonly capacity: number;
  readonly brokeAt?: { readonly agents: number; readonly why: readonly string[] };
  /** True when every step held: the capacity is at least the last step. */
  readonly held: boolean;
}

/** Judges measured steps in ramp order: capacity is the last step before the first that broke. */
export function rampOutcome(
  steps: readonly StepMeasure[],
  level: Deployment["serviceLevel"],
): RampOutcome {
  let capacity = 0;
  for (const step of steps) {
    const why = stepBreaches(step, level);
    if (why.length > 0) return { capacity, brokeAt: { agents: step.agents, why }, held: false };
    capacity = step.agents;
  }
  return { capacity, held: true };
}

/** Whether the ramp should go on after this step (it stops at the first that breaks). */
export function rampGoesOn(step: StepMeasure, level: Deployment["serviceLevel"]): boolean {
  return stepBreaches(step, level).length === 0;
}
