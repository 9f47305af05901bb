/**
 * Which offered versions a fix tries, in the order it prefers them: above every blocked version,
 * lowest first (the smallest move that clears the advisories); for a malicious release, below it,
 * highest first (the last clean release). Pre-releases are skipped unless a blocked version is one,
 * as installers do.
 */
import type { Ecosystem } from '../model/package.ts';
import { condaScheme, pep440Scheme, type VersionScheme } from '../versions/index.ts';
import { isPep440Prerelease } from '../versions/pep440.ts';
import type { BlockingPackage } from './types.ts';

/** Enough for any real project's history above a locked version; the engine checks each one. */
export const MAX_CANDIDATES = 400;

/** conda has no pre-release rule of its own; these words are what channels use for one (`2.0rc1`, `1.0.dev0`). */
const CONDA_PRERELEASE = /rc|dev|alpha|beta/i;

export function schemeOf(ecosystem: Ecosystem): VersionScheme {
  return ecosystem === 'pypi' ? pep440Scheme : condaScheme;
}

export function candidateOrder(pkg: BlockingPackage, offered: readonly string[]): string[] {
  const scheme = schemeOf(pkg.ecosystem);
  const current = pkg.versions.filter((version) => scheme.isValid(version));
  if (current.length === 0) return [];
  const sorted = [...current].sort((a, b) => scheme.compare(a, b));
  const lowest = sorted[0] as string;
  const highest = sorted.at(-1) as string;
  const allowPre = current.some((version) => isPrerelease(pkg.ecosystem, version));
  const valid = [...new Set(offered)].filter(
    (version) => scheme.isValid(version) && (allowPre || !isPrerelease(pkg.ecosystem, version)),
  );
  const ordered = pkg.malicious
    ? valid.filter((version) => scheme.compare(version, lowest) < 0).sort((a, b) => scheme.compare(b, a))
    : valid.filter((version) => scheme.compare(version, highest) > 0).sort((a, b) => scheme.compare(a, b));
  return ordered.slice(0, MAX_CANDIDATES);
}

function isPrerelease(ecosystem: Ecosystem, version: string): boolean {
  return ecosystem === 'pypi' ? isPep440Prerelease(version) : CONDA_PRERELEASE.test(version);
}

/**
 * The highest of the advisories' safe versions: what clears them all, by their word. None when one
 * advisory names no safe version, or names one the package's scheme cannot read.
 */
export function advisorySafeVersion(pkg: BlockingPackage): string | undefined {
  const scheme = schemeOf(pkg.ecosystem);
  let best: string | undefined;
  for (const advisory of pkg.advisories) {
    const safe = advisory.safeVersion;
    if (!safe || !scheme.isValid(safe)) return undefined;
    if (best === undefined || scheme.compare(safe, best) > 0) best = safe;
  }
  return best;
}
