// Version comparators per advisory scheme (PEP 440, SemVer, OpenSSL, upstream), with bounded parse caches.
import type { SemVer } from 'semver';
import { pep440Scheme, semverScheme } from '../versions/index.ts';
import { BoundedCache } from '../versions/scheme.ts';
import { nodeSemver } from '../versions/semver.ts';
import type { VersionSchemeName } from './model.ts';
import {
  compareOpenSslVersions,
  formatOpenSslVersion,
  type OpenSslVersion,
  openSslVersionKey,
  parseOpenSslVersion,
} from './openssl-version.ts';
import {
  compareNumericSegments,
  compareUpstreamVersions,
  formatUpstreamVersion,
  parseUpstreamVersion,
  type UpstreamVersion,
  upstreamVersionKey,
  withoutTrailingZeros,
} from './upstream-version.ts';

export interface ParsedVersion<T = unknown> {
  /** As given. */
  readonly text: string;
  /** Canonical spelling in the scheme (`2.8.0-rc0` → `2.8.0rc0`, `2021.05.30` → `2021.5.30`). */
  readonly normalized: string;
  /** Identical for versions that compare equal (`1.22` and `1.22.0`): the key for exact-version lookups. */
  readonly key: string;
  /** The scheme's own reading, used by `compare`. */
  readonly data: T;
}

export interface VersionComparator<T = unknown> {
  readonly scheme: VersionSchemeName;
  /** undefined when the scheme cannot read the version: callers skip it, never guess. */
  parse(v: string): ParsedVersion<T> | undefined;
  /** Negative, 0 or positive; only for versions parsed by this comparator. */
  compare(a: ParsedVersion<T>, b: ParsedVersion<T>): number;
  normalize(v: string): string | undefined;
}

interface SchemeReader<T> {
  read(v: string): Omit<ParsedVersion<T>, 'text'> | undefined;
  compare(a: T, b: T): number;
}

const CACHE_SIZE = 50_000;

function comparator<T>(scheme: VersionSchemeName, reader: SchemeReader<T>): VersionComparator<T> {
  // null remembers an unreadable version, so that it is not parsed again on every comparison.
  const cache = new BoundedCache<ParsedVersion<T> | null>(CACHE_SIZE);
  const parse = (text: string): ParsedVersion<T> | undefined => {
    let parsed = cache.get(text);
    if (parsed === undefined) {
      const read = reader.read(text);
      parsed = read ? { text, ...read } : null;
      cache.set(text, parsed);
    }
    return parsed ?? undefined;
  };
  return {
    scheme,
    parse,
    compare: (a, b) => (a.key === b.key ? 0 : reader.compare(a.data, b.data)),
    normalize: (v) => parse(v)?.normalized,
  };
}

interface Pep440Data {
  normalized: string;
  /** Set for a plain release (`1.22.0`: no epoch, pre, post, dev or local part). */
  release: number[] | undefined;
}

const RELEASE_SPLIT = /^((?:\d+!)?)(\d+(?:\.\d+)*)(.*)$/;
const PLAIN_RELEASE = /^\d+(?:\.\d+)*$/;

/**
 * The PEP 440 library re-reads both strings on every comparison (~2 µs). Plain releases, most of what
 * advisories and environments hold, are ordered here by their numbers, which is all PEP 440 compares
 * for them; anything else goes to the library, whose answers are remembered by pair.
 */
function comparePep440(): (a: Pep440Data, b: Pep440Data) => number {
  const answers = new BoundedCache<number>(CACHE_SIZE);
  return (a, b) => {
    if (a.release && b.release) return compareNumericSegments(a.release, b.release);
    const pair = `${a.normalized}\u0000${b.normalized}`;
    let answer = answers.get(pair);
    if (answer === undefined) {
      answer = pep440Scheme.compare(a.normalized, b.normalized);
      answers.set(pair, answer);
    }
    return answer;
  };
}

/** Digit runs short enough to stay exact as numbers (Number loses integers past 2^53). */
const PLAIN_RELEASE_TEXT = /^\d{1,15}(?:\.\d{1,15})*$/;

const pep440 = comparator<Pep440Data>('pep440', {
  read(v) {
    // Most advisory and lock versions are plain releases: PEP 440's normal form of one is its numbers
    // without leading zeros, so the library's two full parses (~30 µs) are not needed.
    if (PLAIN_RELEASE_TEXT.test(v)) {
      const numbers = v.split('.').map(Number);
      const normalized = numbers.join('.');
      return { normalized, key: withoutTrailingZeros(numbers).join('.'), data: { normalized, release: numbers } };
    }
    if (!pep440Scheme.isValid(v)) return undefined;
    const normalized = pep440Scheme.normalize(v);
    // PEP 440 ignores trailing zeros of the release segment: `1.22` == `1.22.0`.
    const [, epoch = '', release = '', rest = ''] = RELEASE_SPLIT.exec(normalized) ?? [];
    const numbers = release.split('.').map(Number);
    const data = { normalized, release: PLAIN_RELEASE.test(normalized) ? numbers : undefined };
    return { normalized, key: `${epoch}${withoutTrailingZeros(numbers).join('.')}${rest}`, data };
  },
  compare: comparePep440(),
});

const semverComparator = comparator<SemVer>('semver', {
  read(v) {
    if (!semverScheme.isValid(v)) return undefined;
    const normalized = semverScheme.normalize(v);
    const data = new (nodeSemver().SemVer)(normalized);
    // Build metadata takes no part in SemVer precedence.
    return { normalized, key: data.version, data };
  },
  compare: (a, b) => nodeSemver().compare(a, b),
});

const openssl = comparator<OpenSslVersion>('openssl', {
  read(v) {
    const data = parseOpenSslVersion(v);
    return data && { normalized: formatOpenSslVersion(data), key: openSslVersionKey(data), data };
  },
  compare: compareOpenSslVersions,
});

const upstream = comparator<UpstreamVersion>('upstream', {
  read(v) {
    const data = parseUpstreamVersion(v);
    return data && { normalized: formatUpstreamVersion(data), key: upstreamVersionKey(data), data };
  },
  compare: compareUpstreamVersions,
});

const COMPARATORS: Record<VersionSchemeName, VersionComparator> = {
  pep440,
  semver: semverComparator,
  openssl,
  upstream,
};

/**
 * Raise when any scheme's `key` changes: stores keep listed versions' keys (listed-keys.ts), and keys
 * written under another number are ignored rather than trusted.
 */
export const SCHEME_KEYS_VERSION = 1;

export function comparatorFor(scheme: VersionSchemeName): VersionComparator {
  return COMPARATORS[scheme];
}
