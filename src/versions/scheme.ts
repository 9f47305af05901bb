// The contract every version scheme (conda, PEP 440, SemVer) implements, so callers never branch on ecosystem.
import { CvebuildError } from '../errors.ts';

export type VersionSchemeId = 'conda' | 'pep440' | 'semver';

/**
 * How versions of an affected package are compared:
 * - `pep440`  PyPI packages (OSV ecosystem `PyPI`)
 * - `semver`  OSV `SEMVER` ranges
 * - `openssl` OpenSSL releases, letter suffixes included (1.1.1 < 1.1.1a < … < 1.1.1z < 1.1.1za)
 * - `upstream` dotted numeric upstream releases of C libraries (curl 8.4.0, expat 2.6.3, xz 5.6.1)
 */
export type VersionSchemeName = 'pep440' | 'semver' | 'openssl' | 'upstream';

export interface SatisfiesOptions {
  /**
   * Let pre-releases match even when the spec does not mention one. Advisory ranges need this:
   * `>=1.82.7,<1.82.9` must flag `1.82.8rc1`. Ignored by conda, which has no such rule.
   */
  prereleases?: boolean;
}

export interface VersionScheme {
  id: VersionSchemeId;
  isValid(v: string): boolean;
  /** Canonical spelling; throws CvebuildError VERSION_INVALID. */
  normalize(v: string): string;
  /** Throws CvebuildError VERSION_INVALID. */
  compare(a: string, b: string): -1 | 0 | 1;
  /** Throws CvebuildError VERSION_INVALID for an invalid version or spec. */
  satisfies(version: string, spec: string, options?: SatisfiesOptions): boolean;
}

export function invalidVersion(scheme: string, v: string): CvebuildError {
  return new CvebuildError('VERSION_INVALID', `not a valid ${scheme} version: ${JSON.stringify(v)}`);
}

export function invalidSpec(scheme: string, spec: string): CvebuildError {
  return new CvebuildError('VERSION_INVALID', `not a valid ${scheme} version spec: ${JSON.stringify(spec)}`);
}

export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** A Map that empties itself when full: hot keys come straight back, and memory stays bounded. */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;
  readonly #onEvict: ((value: V) => void) | undefined;

  constructor(max: number, onEvict?: (value: V) => void) {
    this.#max = max;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    if (this.#map.size >= this.#max) this.clear();
    this.#map.set(key, value);
  }

  /** Evicts now, so that the next `n` inserts cannot evict a value the caller is still holding. */
  makeRoom(n: number): void {
    if (this.#map.size + n > this.#max) this.clear();
  }

  clear(): void {
    if (this.#onEvict) for (const value of this.#map.values()) this.#onEvict(value);
    this.#map.clear();
  }
}
