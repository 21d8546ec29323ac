/** The first position in [0, length) for which `before` is false, when it is true for a prefix and false after (a binary search). */
export function lowerBound(length: number, before: (at: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
