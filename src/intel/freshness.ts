/**
 * The audit fails closed on threat data it cannot trust: a store without advisories, or feeds
 * older than the allowed age. Messages say how to fix it.
 */
import { CvebuildError } from '../errors.ts';
import { parseInstant } from '../util/dates.ts';
import { formatAge } from '../util/duration.ts';
import { ADVISORY_FEEDS } from './import/feeds.ts';
import type { IntelStore } from './store-api.ts';

export const DEFAULT_MAX_DB_AGE_MS = 48 * 3_600_000;

export function assertFresh(store: IntelStore, maxAgeMs: number, now: Date): void {
  const feeds = store.feeds();
  if (!feeds.some((feed) => ADVISORY_FEEDS.has(feed.name))) {
    throw new CvebuildError(
      'DB_MISSING',
      `threat-intel store ${store.path} holds no advisory data; run \`cvebuild db update\` (online) or \`cvebuild db import FILES\` (offline)`,
    );
  }
  // An empty advisory or KEV feed is a broken download or a wrong file, not a clean bill of health.
  const empty = feeds.filter((feed) => (ADVISORY_FEEDS.has(feed.name) || feed.name === 'kev') && feed.count === 0);
  if (empty.length > 0) {
    throw new CvebuildError(
      'DB_MISSING',
      `threat-intel store ${store.path}: feed${empty.length > 1 ? 's' : ''} ${empty.map((feed) => `${feed.name} (${feed.url})`).join(', ')} imported no records; run \`cvebuild db update\`, or import the feed's real data`,
    );
  }
  const stale = feeds
    .map((feed) => ({ feed, age: now.getTime() - (parseInstant(feed.fetchedAt) ?? Number.NaN) }))
    .filter(({ age }) => !(age <= maxAgeMs))
    .sort((a, b) => b.age - a.age);
  if (stale.length > 0) {
    const list = stale
      .map(({ feed, age }) => `${feed.name} (${Number.isNaN(age) ? 'unknown age' : `${formatAge(age)} old`})`)
      .join(', ');
    throw new CvebuildError(
      'DB_STALE',
      `threat data is older than ${formatAge(maxAgeMs)}: ${list}; run \`cvebuild db update\`, or allow older data with --max-db-age`,
    );
  }
}
