/**
 * Node.js core's own vulnerability table (nodejs/security-wg `vuln/core/index.json`) → Advisory for
 * the product map's `nodejs` product (conda-forge `nodejs`). The index is `{"<n>": entry}` with
 *   { cve: [...], vulnerable: "20.x || 22.x", patched: "^20.20.2 || ^22.22.2", severity: "high",
 *     affectedEnvironments: ["all"], description?, overview?, ref?, cvss?, publish_date? }
 * A version is affected when it satisfies `vulnerable` and not `patched` (the reading of the
 * security-wg's own checker, is-my-node-vulnerable). That set difference is computed here, once, as
 * SemVer intervals, and stored as OSV SEMVER ranges: `20.x` minus `^20.20.2` is
 * `introduced 20.0.0, fixed 20.20.2`.
 *
 * Ids: every entry is `NSWG-CORE-<n>` (the security-wg's own name for core entries), with its CVEs as
 * aliases. Node's entries share CVE ids with other vendors' records (CVE-2017-3731 is OpenSSL's, which
 * Node bundles): as aliases they join the CVE's other records in one finding, and neither record
 * overwrites the other in the store. An entry without a CVE keeps just its NSWG id.
 */
import type { Comparator, SemVer } from 'semver';
import { nodeSemver } from '../../versions/semver.ts';
import type { Advisory, AffectedPackage, AffectedRange, FeedName } from '../model.ts';
import { severityFromText } from '../severity.ts';
import { cweIds, distinct, summarize } from './fields.ts';
import { advisoryImport, type PreparedImport } from './prepared.ts';
import { asString, feedInvalid, isObject, type Json, strings } from './source.ts';

/** The product map's name for Node.js; its conda packages reach these advisories through it. */
const PRODUCT = 'nodejs';
/** No entry has a modification date: the epoch makes any dated copy newer, as for OpenSSL's records. */
const UNDATED = '1970-01-01T00:00:00Z';

/** `{"1": {cve, vulnerable, patched, …}, …}`: every value an entry (a lone entry file has no id, so is not read). */
export function isNodejsCoreIndex(value: unknown): value is Json {
  if (!isObject(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((entry) => isObject(entry) && 'vulnerable' in entry && 'patched' in entry);
}

export function prepareNodejsCore(document: Json, path: string, feed: FeedName | undefined): PreparedImport {
  return advisoryImport((sink) => {
    const label = feed ?? 'nodejs';
    for (const [key, entry] of Object.entries(document)) {
      const location = { file: path, key };
      if (!/^\d+$/.test(key)) throw feedInvalid('Node.js core entry keys are numbers', location);
      const advisory = nodejsAdvisory(`NSWG-CORE-${key}`, entry as Json, label, (message) => {
        throw feedInvalid(message, location);
      });
      if (advisory.affected[0]?.ranges.length === 0)
        sink.note('ranges not readable as SemVer: kept as undecided', advisory.id);
      sink.add(advisory);
    }
    return { feed: label, records: Object.keys(document).length };
  });
}

function nodejsAdvisory(id: string, entry: Json, feed: FeedName, fail: (message: string) => never): Advisory {
  const vulnerable = entry.vulnerable;
  const patched = entry.patched;
  if (typeof vulnerable !== 'string' || vulnerable.trim() === '') return fail('`vulnerable` must be a range string');
  if (typeof patched !== 'string') return fail('`patched` must be a range string');
  if (!Array.isArray(entry.cve) || !entry.cve.every((cve) => typeof cve === 'string' && /^CVE-\d{4}-\d+$/.test(cve))) {
    return fail('`cve` must be a list of CVE ids');
  }
  const environments = strings(entry.affectedEnvironments);
  const only = environments.filter((environment) => environment !== 'all');
  const text = asString(entry.description) ?? summarize(entry.overview);
  // The store has no platform dimension: a Windows-only flaw is kept for every platform, and says so.
  const summary = text && only.length > 0 ? `${text} (${only.join(', ')} only)` : text;
  const published = asString(entry.publish_date);
  const cvss = asString(entry.cvss);
  const ranges = affectedRanges(vulnerable, patched);
  const affected: AffectedPackage = {
    ecosystem: 'upstream',
    name: PRODUCT,
    normalizedName: PRODUCT,
    scheme: 'semver',
    // unreadable ranges leave the entry without any: the matcher reports it undecided, never "not affected"
    ranges: ranges ?? [],
    versions: [],
  };
  return {
    id,
    aliases: distinct(entry.cve as string[]),
    kind: 'vulnerability',
    ...(summary === undefined ? {} : { summary }),
    ...(published === undefined ? {} : { published: `${published}T00:00:00Z` }),
    modified: published === undefined ? UNDATED : `${published}T00:00:00Z`,
    severity: severityFromText(
      entry.severity,
      'nodejs',
      cvss ? [cvss.startsWith('CVSS:') ? cvss : `CVSS:${cvss}`] : [],
    ),
    cwes: cweIds(entry.type),
    affected: [affected],
    references: asString(entry.ref) ? [entry.ref as string] : [],
    feed,
  };
}

interface Bound {
  at: SemVer;
  inclusive: boolean;
}

/** A SemVer interval; an absent bound is open. */
interface Interval {
  low?: Bound;
  high?: Bound;
}

/** `vulnerable` minus `patched`, as SEMVER ranges; undefined when either is not a SemVer range. */
export function affectedRanges(vulnerable: string, patched: string): AffectedRange[] | undefined {
  const semver = nodeSemver();
  let vulnerableSet: Interval[];
  let patchedSet: Interval[];
  try {
    vulnerableSet = intervals(new semver.Range(vulnerable));
    patchedSet = patched.trim() === '' ? [] : intervals(new semver.Range(patched));
  } catch {
    return undefined;
  }
  let remaining = vulnerableSet;
  for (const hole of patchedSet) remaining = remaining.flatMap((interval) => subtract(interval, hole));
  return remaining.map(toRange);
}

function intervals(range: InstanceType<ReturnType<typeof nodeSemver>['Range']>): Interval[] {
  return range.set.map((comparators) => {
    const interval: Interval = {};
    for (const comparator of comparators) narrow(interval, comparator);
    return interval;
  });
}

function narrow(interval: Interval, comparator: Comparator): void {
  const { operator } = comparator;
  if (comparator.value === '') return; // `*`: no bound
  const at = comparator.semver;
  if (operator === '>=' || operator === '>' || operator === '' || operator === '=') {
    const low = { at, inclusive: operator !== '>' };
    if (!interval.low || compareLow(low, interval.low) > 0) interval.low = low;
  }
  if (operator === '<=' || operator === '<' || operator === '' || operator === '=') {
    const high = { at, inclusive: operator !== '<' };
    if (!interval.high || compareHigh(high, interval.high) < 0) interval.high = high;
  }
}

const compare = (a: SemVer, b: SemVer): number => nodeSemver().compare(a, b);

/** Lower bounds: at the same version, an exclusive one starts later. */
function compareLow(a: Bound, b: Bound): number {
  return compare(a.at, b.at) || Number(!a.inclusive) - Number(!b.inclusive);
}

/** Upper bounds: at the same version, an exclusive one ends earlier. */
function compareHigh(a: Bound, b: Bound): number {
  return compare(a.at, b.at) || Number(a.inclusive) - Number(b.inclusive);
}

function isEmpty({ low, high }: Interval): boolean {
  if (!low || !high) return false;
  const order = compare(low.at, high.at);
  return order > 0 || (order === 0 && !(low.inclusive && high.inclusive));
}

/** `interval` minus `hole`: what lies below the hole and what lies above it. */
function subtract(interval: Interval, hole: Interval): Interval[] {
  if (isEmpty(intersect(interval, hole))) return [interval];
  const pieces: Interval[] = [];
  if (hole.low) pieces.push(intersect(interval, { high: { at: hole.low.at, inclusive: !hole.low.inclusive } }));
  if (hole.high) pieces.push(intersect(interval, { low: { at: hole.high.at, inclusive: !hole.high.inclusive } }));
  return pieces.filter((piece) => !isEmpty(piece));
}

function intersect(a: Interval, b: Interval): Interval {
  const low = !a.low ? b.low : !b.low ? a.low : compareLow(a.low, b.low) >= 0 ? a.low : b.low;
  const high = !a.high ? b.high : !b.high ? a.high : compareHigh(a.high, b.high) <= 0 ? a.high : b.high;
  return { ...(low ? { low } : {}), ...(high ? { high } : {}) };
}

function toRange({ low, high }: Interval): AffectedRange {
  const introduced = !low ? '0' : low.inclusive ? release(low.at) : successor(low.at);
  const events: AffectedRange['events'] = [{ introduced }];
  if (high) events.push(high.inclusive ? { last_affected: high.at.version } : { fixed: release(high.at) });
  return { type: 'SEMVER', events };
}

/** The least version above `v` (`>4.4.2` is `>=4.4.3`, for releases): OSV has no exclusive lower bound. */
function successor(v: SemVer): string {
  return v.prerelease.length > 0 ? `${v.version}.0` : `${v.major}.${v.minor}.${v.patch + 1}`;
}

/**
 * node-semver writes "the 21 line" as `>=21.0.0-0 <22.0.0-0`, so that pre-releases count too. conda-forge
 * publishes no Node.js pre-releases, and `fixed: 22.0.0` reads as the release it is: the `-0` is dropped.
 */
function release(v: SemVer): string {
  return v.prerelease.length === 1 && v.prerelease[0] === 0 ? `${v.major}.${v.minor}.${v.patch}` : v.version;
}
