/**
 * How many ensembles a campaign may run at once on this machine: each needs
 * its cores' share, its JVMs' memory and its own ports and folders (ports are
 * reserved per ensemble through lock files, folders are named per run).
 */
import { availableParallelism, freemem } from "node:os";
import { BadInputError } from "../errors.js";

/** What one server JVM of a candidate takes when it is busy (heap, metaspace, threads), MB. */
const SERVER_RSS_MB = 400;

/** Refuses a --parallel this machine cannot carry, naming what it lacks and the largest it can. */
export function checkParallel(
  parallel: number,
  nodes: number,
  machine: { cores: number; freeMb: number } = {
    cores: availableParallelism(),
    freeMb: Math.floor(freemem() / 2 ** 20),
  },
): void {
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new BadInputError(`--parallel ${parallel}: give a whole number of 1 or more`);
  if (parallel > machine.cores)
    throw new BadInputError(
      `--parallel ${parallel}: this machine has ${machine.cores} core(s), and ensembles beyond one per core starve each other (elections and sessions time out): use --parallel ${machine.cores} or less`,
    );
  const needMb = parallel * nodes * SERVER_RSS_MB;
  if (needMb > machine.freeMb) {
    const fits = Math.max(1, Math.floor(machine.freeMb / (nodes * SERVER_RSS_MB)));
    throw new BadInputError(
      `--parallel ${parallel}: ${parallel} ensembles of ${nodes} servers need about ${needMb} MB, and ${machine.freeMb} MB are free: use --parallel ${fits} or free memory`,
    );
  }
}

/** The most ensembles of `nodes` servers this machine carries at once: one per core, as memory allows. */
export function defaultParallel(
  nodes: number,
  machine: { cores: number; freeMb: number } = {
    cores: availableParallelism(),
    freeMb: Math.floor(freemem() / 2 ** 20),
  },
): number {
  return Math.max(1, Math.min(machine.cores, Math.floor(machine.freeMb / (nodes * SERVER_RSS_MB))));
}
