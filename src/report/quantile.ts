/** Quantiles as every report reads them: nearest rank below, on values already sorted. */
/** The value at quantile q (0..1) of ascending values; NaN when there are none. */
export function sortedQuantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

/** The median of ascending values (the mean of the middle two when their count is even); NaN when none. */
export function sortedMedian(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const middle = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(middle)] as number) + (sorted[Math.ceil(middle)] as number)) / 2;
}
