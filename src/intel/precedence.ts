/**
 * Source precedence for upstream CVEs. Several feeds state which versions of one product a CVE
 * affects: the product's own feed (OpenSSL, curl), NVD's CPE configuration, and the CVE List V5
 * record's CNA and ADP containers. The store keeps every feed's statement in one record per CVE
 * (`mergeSourceRecords`); the matcher then lets, per CVE and product, the first source that gives a
 * usable range decide (`decidingEntries`): vendor > NVD > CNA > ADP.
 */
import { distinct } from './import/fields.ts';
import type { Advisory, AffectedPackage, AffectedSource, FeedName, MergedPart } from './model.ts';

/** Feeds whose records are CVE-keyed statements about upstream products, merged per CVE in the store. */
export const UPSTREAM_CVE_FEEDS: ReadonlySet<FeedName> = new Set<FeedName>(['openssl', 'curl', 'nvd', 'cve5']);

const RANK: Record<AffectedSource, number> = { vendor: 0, nvd: 1, cna: 2, adp: 3 };

/** How a reader names the source of the range that decided a finding. */
export const SOURCE_LABEL: Record<AffectedSource, string> = {
  vendor: 'vendor feed',
  nvd: 'NVD configuration',
  cna: 'CNA entry',
  adp: 'ADP entry',
};

/** Who stated an entry: its own tag, else its feed's role (a vendor feed, NVD, or a CVE 5 CNA container). */
export function sourceOf(entry: AffectedPackage, advisory: Advisory): AffectedSource {
  if (entry.source) return entry.source;
  const feed = entry.feed ?? advisory.feed;
  return feed === 'nvd' ? 'nvd' : feed === 'cve5' ? 'cna' : 'vendor';
}

function usable(entry: AffectedPackage): boolean {
  return entry.ranges.length > 0 || entry.versions.length > 0;
}

/**
 * The entries of one advisory for one product that decide: those of the highest-ranked source with a
 * usable range. When no source gives one, all of them (each is then undecided, never guessed).
 */
export function decidingEntries(advisory: Advisory, entries: readonly AffectedPackage[]): AffectedPackage[] {
  if (entries.length < 2) return [...entries];
  let best: number | undefined;
  for (const entry of entries) {
    if (!usable(entry)) continue;
    const rank = RANK[sourceOf(entry, advisory)];
    if (best === undefined || rank < best) best = rank;
  }
  if (best === undefined) return [...entries];
  return entries.filter((entry) => usable(entry) && RANK[sourceOf(entry, advisory)] === best);
}

/** A vendor's own feed over NVD over the CVE List: whose summary, severity and dates a merged record shows. */
function feedAuthority(feed: FeedName): number {
  return feed === 'cve5' ? 0 : feed === 'nvd' ? 1 : 2;
}

/**
 * `current` (as stored) with `incoming`'s statement in place of whatever its feed said before, or
 * undefined when the stored statement of that feed is newer. `time` clamps dates to the import's
 * clock (some records are dated in the future). Entries keep their feed; the record shows the most
 * authoritative feed's summary, severity and dates; withdrawn (REJECTED) if any feed says so.
 */
export function mergeSourceRecords(
  current: Advisory,
  incoming: Advisory,
  time: (timestamp: string) => number,
): Advisory | undefined {
  const parts: MergedPart[] = current.merged ?? [part(current)];
  const previous = parts.find((item) => item.feed === incoming.feed);
  if (previous && time(previous.modified) > time(incoming.modified)) return undefined;
  const mergedParts = [...parts.filter((item) => item.feed !== incoming.feed), part(incoming)].sort((a, b) =>
    a.feed < b.feed ? -1 : a.feed > b.feed ? 1 : 0,
  );
  const tag = (entry: AffectedPackage, feed: FeedName): AffectedPackage => ({ ...entry, feed: entry.feed ?? feed });
  // grouped by feed in a fixed order, whichever arrived last: the same statements make the same record
  const feedOrder = (entry: AffectedPackage) => mergedParts.findIndex((item) => item.feed === entry.feed);
  const affected = [
    ...current.affected.map((entry) => tag(entry, current.feed)).filter((entry) => entry.feed !== incoming.feed),
    ...incoming.affected.map((entry) => tag(entry, incoming.feed)),
  ].sort((a, b) => feedOrder(a) - feedOrder(b));
  const primary = feedAuthority(incoming.feed) >= feedAuthority(current.feed) ? incoming : current;
  const other = primary === incoming ? current : incoming;
  const withdrawn = mergedParts.find((item) => item.withdrawn !== undefined)?.withdrawn;
  const { withdrawn: _primaryWithdrawn, merged: _merged, ...fields } = primary;
  return {
    ...fields,
    aliases: distinct([...primary.aliases, ...other.aliases]).filter((alias) => alias !== primary.id),
    cwes: distinct([...primary.cwes, ...other.cwes]),
    references: distinct([...primary.references, ...other.references]),
    affected,
    ...(withdrawn === undefined ? {} : { withdrawn }),
    merged: mergedParts,
  };
}

function part(advisory: Advisory): MergedPart {
  return {
    feed: advisory.feed,
    modified: advisory.modified,
    ...(advisory.withdrawn === undefined ? {} : { withdrawn: advisory.withdrawn }),
  };
}

/**
 * A vendor may file a CVE under its own id (Node.js's `NSWG-CORE-<n>`, the CVE an alias), so its
 * statement and NVD's or the CVE List's sit in two records that `decidingEntries` never compares.
 * Where a vendor record gives a range for a CVE of this product, the other sources' records on that
 * CVE are overruled: the vendor says which versions it affects, including "not this one".
 */
export function overruledByVendor(
  deciding: readonly { advisory: Advisory; entries: readonly AffectedPackage[] }[],
): Set<Advisory> {
  const vendorCves = new Set<string>();
  const byVendor = (advisory: Advisory, entries: readonly AffectedPackage[]) =>
    entries.some((entry) => usable(entry) && sourceOf(entry, advisory) === 'vendor');
  for (const { advisory, entries } of deciding) {
    if (!byVendor(advisory, entries)) continue;
    for (const id of [advisory.id, ...advisory.aliases]) if (id.startsWith('CVE-')) vendorCves.add(id);
  }
  const overruled = new Set<Advisory>();
  if (vendorCves.size === 0) return overruled;
  for (const { advisory, entries } of deciding) {
    if (byVendor(advisory, entries)) continue;
    if ([advisory.id, ...advisory.aliases].some((id) => vendorCves.has(id))) overruled.add(advisory);
  }
  return overruled;
}
