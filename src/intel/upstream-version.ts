// Dotted numeric upstream releases of C libraries and CPython (curl 8.4.0, ncurses 6.4.20240210, 3.13.0rc1).

export interface UpstreamVersion {
  /** Compared numerically, a missing segment counts as 0 (`7.9` == `7.9.0`). */
  numbers: number[];
  /** A trailing pre-release tag, which sorts before the release; undefined for a release. */
  pre?: { tag: PreTag; n: number };
}

type PreTag = 'dev' | 'a' | 'b' | 'rc';

const PRE_TAG: Record<string, PreTag> = {
  dev: 'dev',
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};
const PRE_RANK: Record<PreTag, number> = { dev: 0, a: 1, b: 2, rc: 3 };
const RELEASE_RANK = 4;

// Segments are capped at 15 digits so they stay exact as numbers. `-YYYYMMDD` is ncurses' patch date
// as upstream writes it (`6.4-20230408`); conda writes the same release `6.4.20230408`.
const PATTERN = /^(\d{1,15}(?:\.\d{1,15})*)(?:-(\d{8}))?(?:[-.]?(dev|alpha|a|beta|b|c|rc|preview|pre)[-.]?(\d{0,9}))?$/;

export function parseUpstreamVersion(v: string): UpstreamVersion | undefined {
  const match = PATTERN.exec(v.toLowerCase());
  if (!match) return undefined;
  const [, numbers = '', date, tag, n] = match;
  const version: UpstreamVersion = { numbers: numbers.split('.').map(Number) };
  if (date !== undefined) version.numbers.push(Number(date));
  const pre = tag === undefined ? undefined : PRE_TAG[tag];
  if (pre !== undefined) version.pre = { tag: pre, n: Number(n || 0) };
  return version;
}

/** Segment by segment, numerically; a missing segment counts as 0. */
export function compareNumericSegments(a: number[], b: number[]): number {
  const length = a.length > b.length ? a.length : b.length;
  for (let i = 0; i < length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `[1, 2, 0, 0]` → `[1, 2]`, so that spellings that compare equal share one key. */
export function withoutTrailingZeros(numbers: number[]): number[] {
  let end = numbers.length;
  while (end > 1 && numbers[end - 1] === 0) end--;
  return numbers.slice(0, end);
}

export function compareUpstreamVersions(a: UpstreamVersion, b: UpstreamVersion): number {
  const byNumbers = compareNumericSegments(a.numbers, b.numbers);
  if (byNumbers !== 0) return byNumbers;
  const rankA = a.pre ? PRE_RANK[a.pre.tag] : RELEASE_RANK;
  const rankB = b.pre ? PRE_RANK[b.pre.tag] : RELEASE_RANK;
  return rankA - rankB || (a.pre?.n ?? 0) - (b.pre?.n ?? 0);
}

/** Canonical spelling: `3.13.0-RC1` → `3.13.0rc1`, `6.4-20230408` → `6.4.20230408`. */
export function formatUpstreamVersion(v: UpstreamVersion): string {
  return `${v.numbers.join('.')}${v.pre ? `${v.pre.tag}${v.pre.n}` : ''}`;
}

/** Equal for versions that compare equal (`7.9` and `7.9.0`). */
export function upstreamVersionKey(v: UpstreamVersion): string {
  return formatUpstreamVersion({ ...v, numbers: withoutTrailingZeros(v.numbers) });
}
