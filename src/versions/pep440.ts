// PEP 440 versions and specifiers (PyPI), on @renovatebot/pep440 for parsing and ordering.
import { createRequire } from 'node:module';
import type { Pep440Version } from '@renovatebot/pep440';
import {
  BoundedCache,
  invalidSpec,
  invalidVersion,
  type SatisfiesOptions,
  sign,
  type VersionScheme,
} from './scheme.ts';

// Specifier matching is ours, following `packaging` (the reference implementation), because the
// library's `satisfies` gets PEP 440 wrong where advisories live: `>1.0rc1` rejects `1.0`,
// `<1.0.post1` rejects `1.0`, `>=1.0rc1,<2` rejects `1.0rc2`, `==1.0.*` rejects `1`. It is also
// ~20-40 µs per call; compiled specifiers are cached instead.

interface Clause {
  /** The clause names a pre-release, which lets pre-releases match the whole set (packaging rule). */
  prereleases: boolean;
  test(version: string, info: Pep440Version): boolean;
}

interface Specifier {
  clauses: Clause[];
  prereleases: boolean;
}

type Pep440Library = typeof import('@renovatebot/pep440');
let library: (Pep440Library & { clause: RegExp }) | undefined;

/**
 * The library is required the first time a version it must read comes up (~10 ms to load): plain
 * releases are read without it (intel/schemes.ts), and a conda-only lock never needs it.
 */
function pep440(): Pep440Library & { clause: RegExp } {
  if (!library) {
    const loaded = createRequire(import.meta.url)('@renovatebot/pep440') as Pep440Library;
    library = { ...loaded, clause: new RegExp(`^${loaded.RANGE_PATTERN}$`, 'i') };
  }
  return library;
}

const explain = (v: string): Pep440Version | null => pep440().explain(v);
const pepCompare = (a: string, b: string): number => pep440().compare(a, b);

const versions = new BoundedCache<Pep440Version>(50_000);
const specifiers = new BoundedCache<Specifier>(10_000);

function parseVersion(v: string): Pep440Version {
  let info = versions.get(v);
  if (info === undefined) {
    const explained = explain(v);
    if (!explained) throw invalidVersion('PEP 440', v);
    info = explained;
    versions.set(v, info);
  }
  return info;
}

const cmp = (a: string, b: string): -1 | 0 | 1 => sign(pepCompare(a, b));

/** `==1.0.*` semantics: same epoch, and the zero-padded release starts with the prefix. */
function prefixMatches(info: Pep440Version, epoch: number, prefix: number[]): boolean {
  return info.epoch === epoch && prefix.every((n, i) => (info.release[i] ?? 0) === n);
}

function compileClause(text: string): Clause | null {
  const groups = pep440().clause.exec(text)?.groups;
  const operator = groups?.operator;
  if (!groups || !operator) return null;
  if (operator === '===') {
    const target = text.slice(3).trim().toLowerCase();
    return { prereleases: explain(target)?.is_prerelease ?? false, test: (v) => v.toLowerCase() === target };
  }
  const spec = groups.version === undefined ? null : explain(groups.version);
  if (!spec) return null;
  const version = groups.version as string;
  const equality = operator === '==' || operator === '!=';
  if (spec.local && !equality) return null;
  if (groups.prefix) {
    if (!equality || spec.is_prerelease || spec.is_postrelease || spec.local) return null;
    const hit = (_: string, v: Pep440Version) => prefixMatches(v, spec.epoch, spec.release);
    return { prereleases: false, test: operator === '==' ? hit : (s, v) => !hit(s, v) };
  }
  const sameBase = (v: Pep440Version) => cmp(v.base_version, spec.base_version) === 0;
  switch (operator) {
    case '~=': {
      if (spec.release.length < 2) return null;
      const prefix = spec.release.slice(0, -1);
      return {
        prereleases: spec.is_prerelease,
        test: (_, v) => cmp(v.public, version) >= 0 && prefixMatches(v, spec.epoch, prefix),
      };
    }
    case '==':
    case '!=': {
      // A public specifier ignores the candidate's local label: `==1.0` matches `1.0+abc`.
      const eq = (s: string, v: Pep440Version) => cmp(spec.local ? s : v.public, version) === 0;
      return operator === '=='
        ? { prereleases: spec.is_prerelease, test: eq }
        : { prereleases: false, test: (s, v) => !eq(s, v) };
    }
    case '<=':
      return { prereleases: spec.is_prerelease, test: (_, v) => cmp(v.public, version) <= 0 };
    case '>=':
      return { prereleases: spec.is_prerelease, test: (_, v) => cmp(v.public, version) >= 0 };
    case '<':
      // `<1.0` excludes `1.0rc1`: pre-releases of the bound itself only pass a pre-release bound.
      return {
        prereleases: false,
        test: (s, v) => cmp(s, version) < 0 && !(!spec.is_prerelease && v.is_prerelease && sameBase(v)),
      };
    case '>':
      // `>1.0` excludes `1.0.post1` and `1.0+local` unless the bound is itself a post-release.
      return {
        prereleases: false,
        test: (s, v) =>
          cmp(s, version) > 0 &&
          !(!spec.is_postrelease && v.is_postrelease && sameBase(v)) &&
          !(v.local && sameBase(v)),
      };
    default:
      return null;
  }
}

function parseSpecifier(text: string): Specifier {
  let spec = specifiers.get(text);
  if (spec === undefined) {
    const clauses: Clause[] = [];
    for (const part of text.split(',')) {
      if (part.trim() === '') continue;
      const clause = compileClause(part.trim());
      if (!clause) throw invalidSpec('PEP 440', text);
      clauses.push(clause);
    }
    spec = { clauses, prereleases: clauses.some((c) => c.prereleases) };
    specifiers.set(text, spec);
  }
  return spec;
}

export const pep440Scheme: VersionScheme = {
  id: 'pep440',

  isValid(v) {
    return explain(v) !== null;
  },

  normalize(v) {
    // Built from `explain`: the library's `clean` renders local labels as `1.0+abc,1`.
    const info = parseVersion(v);
    return info.local ? `${info.public}+${info.local}` : info.public;
  },

  compare(a, b) {
    parseVersion(a);
    parseVersion(b);
    return cmp(a, b);
  },

  satisfies(version: string, spec: string, options?: SatisfiesOptions) {
    const info = parseVersion(version);
    const { clauses, prereleases } = parseSpecifier(spec);
    // PEP 440's exclusion rule. Recent `packaging` (26.x) lets a lone pre-release through `contains()`
    // ("no other versions"); a single advisory check has no candidate list, so callers opt in instead.
    if (info.is_prerelease && !(options?.prereleases ?? prereleases)) return false;
    return clauses.every((c) => c.test(version, info));
  },
};

/** A pre-release or development release (`2.0rc1`, `2.0.dev3`): installers skip these unless asked. */
export function isPep440Prerelease(version: string): boolean {
  return parseVersion(version).is_prerelease;
}
