/**
 * Feed names at run time: the list `--feed` accepts, which feeds carry advisories, and the feed an
 * OSV record belongs to by its id prefix when the caller does not say.
 */
import type { FeedName } from '../model.ts';

export const FEED_NAMES = [
  'osv-pypi',
  'pypa',
  'ghsa',
  'malicious',
  'malicious-names',
  'kev',
  'parselmouth',
  'top-pypi',
  'conda-forge-names',
  'openssl',
  'curl',
  'nodejs',
  'nvd',
  'cve5',
  'oss-fuzz',
  'osv-crates-io',
  'osv-go',
  'osv-npm',
  'local',
] as const satisfies readonly FeedName[];

// Fails to compile when FeedName gains a member FEED_NAMES lacks.
const everyFeedListed: Exclude<FeedName, (typeof FEED_NAMES)[number]> extends never ? true : never = true;
void everyFeedListed;

/** Feeds whose records are advisories (and so may label any advisory import, e.g. `local`). */
export const ADVISORY_FEEDS: ReadonlySet<FeedName> = new Set<FeedName>([
  'osv-pypi',
  'pypa',
  'ghsa',
  'malicious',
  'openssl',
  'curl',
  'nodejs',
  'nvd',
  'cve5',
  'oss-fuzz',
  'osv-crates-io',
  'osv-go',
  'osv-npm',
  'local',
]);

export function isFeedName(value: string): value is FeedName {
  return (FEED_NAMES as readonly string[]).includes(value);
}

const OSV_ID_PREFIXES: readonly [prefix: string, feed: FeedName][] = [
  ['PYSEC-', 'pypa'],
  ['GHSA-', 'ghsa'],
  ['MAL-', 'malicious'],
  ['OSV-', 'oss-fuzz'],
];

/** PYSEC → pypa, GHSA → ghsa, MAL → malicious, OSV (OSS-Fuzz) → oss-fuzz; any other prefix → local. */
export function feedForOsvId(id: string): FeedName {
  return OSV_ID_PREFIXES.find(([prefix]) => id.startsWith(prefix))?.[1] ?? 'local';
}
