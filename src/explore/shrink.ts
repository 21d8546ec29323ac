/**
 * Shrinking a finding (DEMi's delta debugging, fast-check's spirit): drop
 * faults, shorten their windows and the run, fewer workers and operations,
 * a smaller ensemble; each smaller candidate is re-run and kept only when it
 * shows the same anomaly again (twice, when it was run several times: a
 * timing bug seen once may have been luck). Greedy: after each kept step the
 * proposals start again from the smaller candidate.
 */
import { type ExploreCandidate, lastFaultEnd, withoutFault } from "./candidate.js";

/** A smaller candidate and what was taken away. */
export interface ShrinkProposal {
  readonly how: string;
  readonly candidate: ExploreCandidate;
}

/** How often a candidate showed the anomaly. */
export interface ReproductionRate {
  readonly reproduced: number;
  readonly of: number;
}

/** One tried step of a shrink. */
export interface ShrinkStep {
  readonly how: string;
  readonly kept: boolean;
  readonly rate: ReproductionRate;
}

/** The shortest run that still leaves the ensemble time to recover after the last fault. */
const RECOVERY_TAIL_MS = 3000;
const MIN_DURATION_MS = 4000;

/** Every smaller candidate, smallest step first within each kind, in the order they are tried. */
export function shrinkProposals(candidate: ExploreCandidate): ShrinkProposal[] {
  const proposals: ShrinkProposal[] = [];
  // Drop one fault (the faults timed after it keep their moment; those that target it go).
  if (candidate.faults.length > 1) {
    for (const gone of candidate.faults) {
      proposals.push({
        how: `drop ${gone.id} (${gone.spec.kind})`,
        candidate: withoutFault(candidate, candidate.faults.indexOf(gone)),
      });
    }
  }
  // Halve a fault's window.
  for (const [at, fault] of candidate.faults.entries()) {
    if (fault.forMs < 400) continue;
    const forMs = Math.round(fault.forMs / 2);
    proposals.push({
      how: `${fault.id} for ${forMs} ms instead of ${fault.forMs}`,
      candidate: {
        ...candidate,
        faults: candidate.faults.map((each, position) =>
          position === at ? { ...each, forMs } : each,
        ),
      },
    });
  }
  // End the run sooner: just after the last fault, with time to recover.
  const shortest = Math.max(MIN_DURATION_MS, lastFaultEnd(candidate) + RECOVERY_TAIL_MS);
  if (shortest < candidate.durationMs)
    proposals.push({
      how: `run ${shortest} ms instead of ${candidate.durationMs}`,
      candidate: { ...candidate, durationMs: shortest },
    });
  // Fewer workers, a lower rate.
  if (candidate.workload.workers > 1) {
    const workers = Math.max(1, Math.floor(candidate.workload.workers / 2));
    proposals.push({
      how: `${workers} worker(s) instead of ${candidate.workload.workers}`,
      candidate: { ...candidate, workload: { ...candidate.workload, workers } },
    });
  }
  if (candidate.workload.rate > 5) {
    const rate = Math.max(5, Math.floor(candidate.workload.rate / 2));
    proposals.push({
      how: `rate ${rate}/s instead of ${candidate.workload.rate}/s`,
      candidate: { ...candidate, workload: { ...candidate.workload, rate } },
    });
  }
  // Sessions that live as long as the run.
  if (candidate.workload.sessionOps !== undefined) {
    const { sessionOps: _ops, ...workload } = candidate.workload;
    proposals.push({
      how: "sessions kept for the whole run",
      candidate: { ...candidate, workload },
    });
  }
  // A smaller ensemble, when no fault names a server it would not have.
  if (candidate.nodes > 3 && fitsIn(candidate, candidate.nodes - 2)) {
    proposals.push({
      how: `${candidate.nodes - 2} servers instead of ${candidate.nodes}`,
      candidate: { ...candidate, nodes: candidate.nodes - 2 },
    });
  }
  return proposals;
}

/** No fault names a server id above `nodes`, nor kills more than its minority. */
function fitsIn(candidate: ExploreCandidate, nodes: number): boolean {
  return candidate.faults.every((fault) => {
    const spec = fault.spec as { target?: unknown; count?: unknown; from?: unknown; to?: unknown };
    const ids = [spec.target, spec.from, spec.to].filter((id) => typeof id === "number");
    const count = typeof spec.count === "number" ? spec.count : 1;
    return ids.every((id) => (id as number) <= nodes) && count <= Math.floor(nodes / 2) + 1;
  });
}

/** What a shrink needs: a way to re-run a candidate and count how often the anomaly shows. */
export interface ShrinkOptions {
  reproduces(candidate: ExploreCandidate): Promise<ReproductionRate>;
  /** At most this many candidates are re-run (each a few runs). */
  readonly maxTrials: number;
  /** Stops the shrink when it returns false (the campaign's budget is spent). */
  readonly goOn?: () => boolean;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Shrinks `candidate` while the anomaly shows; returns the smallest kept and every step tried. */
export async function shrink(
  candidate: ExploreCandidate,
  options: ShrinkOptions,
): Promise<{ candidate: ExploreCandidate; steps: ShrinkStep[] }> {
  let current = candidate;
  const steps: ShrinkStep[] = [];
  let trials = 0;
  let progressed = true;
  const goOn = () =>
    trials < options.maxTrials && !options.signal?.aborted && (options.goOn?.() ?? true);
  while (progressed && goOn()) {
    progressed = false;
    for (const proposal of shrinkProposals(current)) {
      if (!goOn()) break;
      trials++;
      let rate = await options.reproduces(proposal.candidate);
      // Seen once in several runs may be luck (a shrink that kept such a step once ended on a
      // scenario that replayed 0/3): a step seen once is run again, and kept when seen twice.
      if (rate.reproduced === 1 && rate.of > 1 && goOn()) {
        trials++;
        const again = await options.reproduces(proposal.candidate);
        rate = { reproduced: rate.reproduced + again.reproduced, of: rate.of + again.of };
      }
      const kept = rate.reproduced > 1 || (rate.reproduced === 1 && rate.of === 1);
      steps.push({ how: proposal.how, kept, rate });
      options.log?.(
        `shrink: ${proposal.how}: ${rate.reproduced}/${rate.of}${kept ? ", kept" : ""}`,
      );
      if (kept) {
        current = proposal.candidate;
        progressed = true;
        break;
      }
    }
  }
  return { candidate: current, steps };
}
