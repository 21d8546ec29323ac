/** Waits `ms` milliseconds; a wait already past (zero or negative) is none, as Node 24 warns of a negative timeout. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
