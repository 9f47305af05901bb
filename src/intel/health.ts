/**
 * One notion of a threat-intel store fit to decide with, used by `db status` and by every command
 * that audits: SQLite finds nothing wrong with the file (PRAGMA quick_check reads every page and
 * index, so damage in a table the audit happens not to touch is found too), and each feed's
 * record makes sense (a fetch time that is a time and not in the future, a record count). A store
 * that fails it is DB_CORRUPT with the fix, never half-used.
 */
import { parseInstant } from '../util/dates.ts';
import { HealthMemory, storeIdentity } from './health-memory.ts';
import type { IntelStore } from './store-api.ts';
import { corruptStore } from './store-file.ts';

export { HealthMemory };

/** Clocks disagree; a fetch time more than this ahead of this machine's is not one. */
const CLOCK_SKEW_MS = 24 * 3_600_000;

export interface HealthOptions {
  wallClock?: number;
  /** Where healthy verdicts are remembered (see health-memory.ts); absent: SQLite checks every page now. */
  memory?: HealthMemory;
}

export function storeProblems(store: IntelStore, options: HealthOptions = {}): string[] {
  const wallClock = options.wallClock ?? Date.now();
  const problems = integrityProblems(store, options.memory);
  if (problems.length > 0) return problems;
  // a damaged feeds table throws DB_CORRUPT from here, which is the answer too
  const feeds = store.feeds();
  for (const feed of feeds) {
    const fetched = parseInstant(feed.fetchedAt);
    if (fetched === undefined)
      problems.push(`feed ${feed.name} has a fetch time that is no time: ${JSON.stringify(feed.fetchedAt)}`);
    else if (fetched > wallClock + CLOCK_SKEW_MS)
      problems.push(`feed ${feed.name} was fetched in the future (${feed.fetchedAt})`);
    if (!Number.isSafeInteger(feed.count) || feed.count < 0)
      problems.push(`feed ${feed.name} has a record count of ${feed.count}`);
  }
  return problems;
}

function integrityProblems(store: IntelStore, memory: HealthMemory | undefined): string[] {
  const identity = memory && storeIdentity(store.path);
  if (memory && identity && memory.wasHealthy(identity)) return [];
  const problems = store.integrityProblems();
  // the identity from before the check: a write during it changes the stamp, and the next run checks again
  if (memory && identity && problems.length === 0) memory.rememberHealthy(identity);
  return problems;
}

/** Throws DB_CORRUPT, naming the store, what is wrong and the fix, unless the store is healthy. */
export function assertHealthyStore(store: IntelStore, options: HealthOptions = {}): void {
  const problems = storeProblems(store, options);
  if (problems.length > 0)
    throw corruptStore(
      store.path,
      problems
        .slice(0, 3)
        .join('; ')
        .replace(/\s*\n\s*/g, ' '),
    );
}
