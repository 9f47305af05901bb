/**
 * Optimal-string-alignment (restricted Damerau-Levenshtein) distance with a cutoff, and the single
 * edit that turns one name into another. Hand-written rather than a dependency: only a banded
 * DP with a tiny cutoff (≤ 2) is needed, and plain Levenshtein (fastest-levenshtein) scores a
 * transposition such as `reqeusts` as 2 — see notes/deps.md §16.
 */

/** OSA distance between `a` and `b`, or `max + 1` as soon as it must exceed `max`. */
export function osaDistance(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (a === b) return 0;
  const over = max + 1;
  // three rolling rows: OSA's transposition step looks two rows back
  let before = new Array<number>(lb + 1).fill(over);
  let previous = new Array<number>(lb + 1);
  let current = new Array<number>(lb + 1).fill(over);
  for (let j = 0; j <= lb; j++) previous[j] = j <= max ? j : over;
  for (let i = 1; i <= la; i++) {
    // only the diagonal band |i − j| ≤ max can stay within the cutoff
    const from = Math.max(1, i - max);
    const to = Math.min(lb, i + max);
    current.fill(over);
    current[0] = i <= max ? i : over;
    let rowBest = current[0] ?? over;
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min((previous[j] ?? over) + 1, (current[j - 1] ?? over) + 1, (previous[j - 1] ?? over) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? over) + 1);
      }
      current[j] = value;
      if (value < rowBest) rowBest = value;
    }
    if (rowBest > max) return over;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[lb] ?? over, over);
}

/** The one edit turning `target` into `candidate`, when they are exactly one OSA edit apart. */
export type SingleEdit =
  | { kind: 'substitution'; position: number; expected: string; actual: string }
  | { kind: 'insertion'; position: number; actual: string; doubled: boolean }
  | { kind: 'deletion'; position: number; expected: string }
  | { kind: 'transposition'; position: number };

export function singleEdit(target: string, candidate: string): SingleEdit | undefined {
  if (target === candidate) return undefined;
  let start = 0;
  while (start < target.length && start < candidate.length && target[start] === candidate[start]) start++;
  const rest = (n: number, m: number) => target.slice(start + n) === candidate.slice(start + m);
  const expected = target[start] ?? '';
  const actual = candidate[start] ?? '';
  if (target.length === candidate.length) {
    if (rest(1, 1)) return { kind: 'substitution', position: start, expected, actual };
    if (target[start + 1] === actual && candidate[start + 1] === expected && rest(2, 2)) {
      return { kind: 'transposition', position: start };
    }
    return undefined;
  }
  if (candidate.length === target.length + 1 && rest(0, 1)) {
    const doubled = actual === candidate[start - 1] || actual === candidate[start + 1];
    return { kind: 'insertion', position: start, actual, doubled };
  }
  if (candidate.length + 1 === target.length && rest(1, 0)) return { kind: 'deletion', position: start, expected };
  return undefined;
}
