/**
 * The scheme keys of an affected entry's listed versions, worked out when the store writes the entry,
 * so an audit need not parse every listed version (the ros2-nav2 lock's advisories list ~23,000) to
 * answer "is this one version listed?". Only the versions whose key differs from their text are kept:
 * for most (`1.4.2`) the text is the key.
 *
 * The keys ride in the stored JSON beside the entry and are taken out when it is read back, so the
 * domain model never carries them. A store written before, or by a version whose keys differ
 * (`SCHEME_KEYS_VERSION`), has none or stale ones: those are ignored and the versions parsed as before.
 */
import type { Advisory, AffectedPackage } from './model.ts';
import { comparatorFor, SCHEME_KEYS_VERSION } from './schemes.ts';

const FIELD = 'listedKeys';

export interface ListedKeys {
  /**
   * Listed versions whose key is not their own text, as stored: [index into `versions`, the key or
   * null when unreadable], by ascending index. Kept as read (no map per entry): an audit asks each
   * entry about one or two versions.
   */
  readonly exceptions: readonly (readonly [number, string | null])[];
}

interface StoredListedKeys {
  v: number;
  /** [index, key or null]. */
  x: [number, string | null][];
}

const remembered = new WeakMap<AffectedPackage, ListedKeys>();

/** The stored form of an advisory: its JSON, with each listed entry's key exceptions beside it. */
export function advisoryJsonWithListedKeys(advisory: Advisory): string {
  if (advisory.affected.every((entry) => entry.versions.length === 0)) return JSON.stringify(advisory);
  return JSON.stringify({
    ...advisory,
    affected: advisory.affected.map((entry) =>
      entry.versions.length === 0 ? entry : { ...entry, [FIELD]: storedKeysOf(entry) },
    ),
  });
}

function storedKeysOf(entry: AffectedPackage): StoredListedKeys {
  const comparator = comparatorFor(entry.scheme);
  const exceptions: [number, string | null][] = [];
  entry.versions.forEach((text, index) => {
    const key = comparator.parse(text)?.key ?? null;
    if (key !== text) exceptions.push([index, key]);
  });
  return { v: SCHEME_KEYS_VERSION, x: exceptions };
}

/** Reads a stored advisory, moving any stored keys out of its entries into the lookup `listedKeysOf` answers from. */
export function parseStoredAdvisory(json: string): Advisory {
  const advisory = JSON.parse(json) as Advisory;
  for (const entry of advisory.affected) {
    const stored = (entry as { [FIELD]?: StoredListedKeys })[FIELD];
    if (stored === undefined) continue;
    delete (entry as { [FIELD]?: StoredListedKeys })[FIELD];
    if (isCurrent(stored)) remembered.set(entry, { exceptions: stored.x });
  }
  return advisory;
}

/** Current keys, well formed: pairs of an index (ascending, as written) and a key or null. */
function isCurrent(stored: StoredListedKeys): boolean {
  if (stored.v !== SCHEME_KEYS_VERSION || !Array.isArray(stored.x)) return false;
  let previous = -1;
  for (const pair of stored.x) {
    if (!Array.isArray(pair) || !Number.isInteger(pair[0]) || pair[0] <= previous) return false;
    if (pair[1] !== null && typeof pair[1] !== 'string') return false;
    previous = pair[0];
  }
  return true;
}

/** The keys stored with this entry, when it was read from a store that had current ones. */
export function listedKeysOf(entry: AffectedPackage): ListedKeys | undefined {
  return remembered.get(entry);
}
