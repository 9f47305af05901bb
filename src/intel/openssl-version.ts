// OpenSSL release ordering: 1.0.2 < 1.0.2a < … < 1.0.2z < 1.0.2za, and 3.0.0-alpha1 < 3.0.0-beta2 < 3.0.0.
import { compareNumericSegments, withoutTrailingZeros } from './upstream-version.ts';

export interface OpenSslVersion {
  /** `1.1.1` → [1, 1, 1]; compared numerically, a missing part counts as 0. */
  numbers: number[];
  /** The letter release (`t`, `za`); empty for the base release. */
  letters: string;
  /** Pre-release tag and number (`alpha`, 1); undefined for a release. */
  pre?: { tag: PreTag; n: number };
}

type PreTag = 'dev' | 'cvs' | 'alpha' | 'beta' | 'pre';

// `dev` is the development snapshot before a release: before any alpha. `cvs` is different: OpenSSL's
// own CVE records write `{version: "0.9.6", lessThan: "0.9.6-cvs"}` for "every 0.9.6 release, fixed
// at the head of that branch", so `-cvs` sorts after every letter release of its branch (see
// compareOpenSslVersions); its rank here only orders it among other `-cvs` spellings.
const PRE_RANK: Record<PreTag, number> = { dev: 0, cvs: 1, alpha: 2, beta: 3, pre: 4 };
const RELEASE_RANK = 5;

const PATTERN = /^(\d{1,9}(?:\.\d{1,9}){1,3})([a-z]{0,3})(?:-(dev|cvs|alpha|beta|pre)(\d{0,9}))?$/;

export function parseOpenSslVersion(v: string): OpenSslVersion | undefined {
  const match = PATTERN.exec(v.toLowerCase());
  if (!match) return undefined;
  const [, numbers = '', letters = '', tag, n] = match;
  const version: OpenSslVersion = { numbers: numbers.split('.').map(Number), letters };
  if (tag !== undefined) version.pre = { tag: tag as PreTag, n: Number(n || 0) };
  return version;
}

/** Letter releases count up like a counter that grows a digit: '' < a < … < z < za < … < zz. */
function compareLetters(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function preRank(v: OpenSslVersion): [number, number] {
  return v.pre ? [PRE_RANK[v.pre.tag], v.pre.n] : [RELEASE_RANK, 0];
}

export function compareOpenSslVersions(a: OpenSslVersion, b: OpenSslVersion): number {
  const byNumbers = compareNumericSegments(a.numbers, b.numbers);
  if (byNumbers !== 0) return byNumbers;
  const branchHeadA = a.pre?.tag === 'cvs';
  const branchHeadB = b.pre?.tag === 'cvs';
  if (branchHeadA !== branchHeadB) return branchHeadA ? 1 : -1;
  const byLetters = compareLetters(a.letters, b.letters);
  if (byLetters !== 0) return byLetters;
  const [rankA, nA] = preRank(a);
  const [rankB, nB] = preRank(b);
  return rankA - rankB || nA - nB;
}

/** Canonical spelling: lowercase, numbers without leading zeros. */
export function formatOpenSslVersion(v: OpenSslVersion): string {
  const pre = v.pre ? `-${v.pre.tag}${v.pre.n}` : '';
  return `${v.numbers.join('.')}${v.letters}${pre}`;
}

/** Equal for versions that compare equal (`3.0` and `3.0.0`). */
export function openSslVersionKey(v: OpenSslVersion): string {
  return formatOpenSslVersion({ ...v, numbers: withoutTrailingZeros(v.numbers) });
}
