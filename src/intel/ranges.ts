/**
 * Whether one version is affected by an OSV affected entry, evaluated as the OSV schema specifies:
 * listed `versions` (equal after normalisation), or any range whose sorted events leave it vulnerable
 * and whose `limit`s it is below. ECOSYSTEM ranges use the entry's scheme, SEMVER ranges SemVer.
 *
 * A version or event the scheme cannot read is never reported affected by a range: the entry is
 * `undecided` instead, for the caller to note. The one exception is a range that is nothing but
 * `introduced: "0"` (a malicious package: every version, readable or not), which needs no comparison.
 * Entries are compiled once and cached by identity, so they must not be mutated afterwards.
 */
import { type ListedKeys, listedKeysOf } from './listed-keys.ts';
import type { AffectedPackage, AffectedRange, RangeEvent } from './model.ts';
import { comparatorFor, type ParsedVersion, type VersionComparator } from './schemes.ts';

export type AffectedMatch =
  /** Listed in `versions` (the listed spelling, which may differ from the version checked: `2.8.0-rc0`). */
  | { by: 'versions'; listed: string }
  /** Inside `ranges[range]`, opened by `introduced` and closed by `fixed`/`lastAffected` when it is. */
  | { by: 'range'; range: number; introduced: string; fixed?: string; lastAffected?: string; limit?: string };

export type Undecided =
  /** The entry has neither ranges nor versions: affected versions unknown (never "all", never "none"). */
  | { undecided: 'unknown-range' }
  /** No listed version matched, and some range could not be evaluated: these values are unreadable. */
  | { undecided: 'unparseable'; values: string[] };

export type Verdict = AffectedMatch | Undecided | undefined;

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

interface Bound {
  kind: Kind;
  text: string;
  /** undefined for the open ends: `introduced: "0"` and `limit: "*"`. */
  at: ParsedVersion | undefined;
}

interface CompiledRange {
  comparator: VersionComparator;
  /** introduced / fixed / last_affected, sorted by version; ties keep the source order. */
  events: Bound[];
  limits: Bound[];
  /** Nothing but `introduced: "0"`: every version, without comparing. */
  everything: boolean;
  unreadable: string[];
}

interface CompiledEntry {
  /**
   * The listed spelling of a version with this scheme key (the first listed), if any is listed.
   * `notItself`: the caller knows the key's own text is not listed (a scan it need not repeat).
   */
  listedAs: (key: string, notItself: boolean) => string | undefined;
  comparator: VersionComparator;
  ranges: CompiledRange[];
}

const compiled = new WeakMap<AffectedPackage, CompiledEntry>();

function boundOf(event: RangeEvent, comparator: VersionComparator): Bound {
  const kind: Kind =
    'introduced' in event
      ? 'introduced'
      : 'fixed' in event
        ? 'fixed'
        : 'last_affected' in event
          ? 'last_affected'
          : 'limit';
  const text = (event as Record<Kind, string>)[kind];
  return { kind, text, at: isOpenEnd(kind, text) ? undefined : comparator.parse(text) };
}

function isOpenEnd(kind: Kind, text: string): boolean {
  return (kind === 'introduced' && text === '0') || (kind === 'limit' && text === '*');
}

function compileRange(range: AffectedRange, ecosystemComparator: VersionComparator): CompiledRange {
  const comparator = range.type === 'SEMVER' ? comparatorFor('semver') : ecosystemComparator;
  const events: Bound[] = [];
  const limits: Bound[] = [];
  const unreadable: string[] = [];
  for (const event of range.events) {
    const bound = boundOf(event, comparator);
    if (!bound.at && !isOpenEnd(bound.kind, bound.text)) unreadable.push(bound.text);
    (bound.kind === 'limit' ? limits : events).push(bound);
  }
  // Array.prototype.sort is stable: `fixed X` then `introduced X` (adjacent branches) keeps X affected.
  if (unreadable.length === 0) events.sort((a, b) => (!a.at ? -1 : !b.at ? 1 : comparator.compare(a.at, b.at)));
  const everything = limits.length === 0 && events.every((e) => e.kind === 'introduced') && events.some((e) => !e.at);
  return { comparator, events, limits, everything, unreadable };
}

function compile(entry: AffectedPackage): CompiledEntry {
  let result = compiled.get(entry);
  if (!result) {
    const comparator = comparatorFor(entry.scheme);
    const stored = listedKeysOf(entry);
    const listedAs = stored ? listedByStoredKeys(entry.versions, stored) : listedByParsing(entry.versions, comparator);
    const ranges = entry.ranges.map((range) => compileRange(range, comparator));
    result = { listedAs, comparator, ranges };
    compiled.set(entry, result);
  }
  return result;
}

function listedByParsing(versions: readonly string[], comparator: VersionComparator): CompiledEntry['listedAs'] {
  const byKey = new Map<string, string>();
  for (const text of versions) {
    const key = comparator.parse(text)?.key;
    if (key !== undefined && !byKey.has(key)) byKey.set(key, text);
  }
  return (key) => byKey.get(key);
}

/**
 * The same answers as `listedByParsing`, from the keys the store kept: a text that is no exception
 * is its own key. Most entries are asked once (a scan, nothing built); an entry asked again (a safe
 * version's candidates) gets lookups built once.
 */
function listedByStoredKeys(versions: readonly string[], { exceptions }: ListedKeys): CompiledEntry['listedAs'] {
  let asked = 0;
  let firstByKey: Map<string, number> | undefined;
  let isException: Set<number> | undefined;
  const first = (itself: number, other: number) =>
    itself === -1 ? other : other === -1 ? itself : Math.min(itself, other);
  return (key, notItself) => {
    let itself = notItself ? -1 : versions.indexOf(key);
    if (++asked === 1) {
      let other = -1;
      for (let i = 0; i < exceptions.length; i++) {
        // indexed, not destructured: array destructuring walks an iterator, slow in cold code
        const pair = exceptions[i] as readonly [number, string | null];
        const index = pair[0];
        const exceptionKey = pair[1];
        if (index === itself) itself = -1;
        if (other === -1 && exceptionKey === key) other = index;
      }
      const found = first(itself, other);
      return found === -1 ? undefined : versions[found];
    }
    if (!firstByKey || !isException) {
      firstByKey = new Map();
      isException = new Set();
      for (let i = 0; i < exceptions.length; i++) {
        const pair = exceptions[i] as readonly [number, string | null];
        const index = pair[0];
        const exceptionKey = pair[1];
        isException.add(index);
        if (exceptionKey !== null && !firstByKey.has(exceptionKey)) firstByKey.set(exceptionKey, index);
      }
    }
    if (itself !== -1 && isException.has(itself)) itself = -1;
    const found = first(itself, firstByKey.get(key) ?? -1);
    return found === -1 ? undefined : versions[found];
  };
}

/** The OSV walk over sorted events; the event that made the version vulnerable, if any. */
function opener(v: ParsedVersion, range: CompiledRange): number | undefined {
  let open: number | undefined;
  for (let i = 0; i < range.events.length; i++) {
    const { kind, at } = range.events[i] as Bound;
    const order = at ? range.comparator.compare(v, at) : 1;
    // Events are sorted: from the first one above v, no condition below can hold any more.
    if (order < 0) break;
    if (kind === 'introduced') open = i;
    else if (kind === 'fixed') open = undefined;
    else if (order > 0) open = undefined;
  }
  return open;
}

function rangeMatch(v: ParsedVersion | undefined, range: CompiledRange, index: number): AffectedMatch | undefined {
  if (range.everything) return { by: 'range', range: index, introduced: '0' };
  if (!v || range.unreadable.length > 0) return undefined;
  let limit: Bound | undefined;
  if (range.limits.length > 0) {
    for (const bound of range.limits) {
      if (bound.at && range.comparator.compare(v, bound.at) >= 0) continue;
      if (!limit?.at || (bound.at && range.comparator.compare(bound.at, limit.at) < 0)) limit = bound;
    }
    if (!limit) return undefined;
  }
  const open = opener(v, range);
  if (open === undefined) return undefined;
  const match: AffectedMatch = { by: 'range', range: index, introduced: (range.events[open] as Bound).text };
  const close = range.events.slice(open + 1).find((e) => e.kind !== 'introduced');
  if (close?.kind === 'fixed') match.fixed = close.text;
  if (close?.kind === 'last_affected') match.lastAffected = close.text;
  if (limit) match.limit = limit.text;
  return match;
}

/**
 * Whether `version` is affected by `entry`: an AffectedMatch saying why, undefined when it is not,
 * or Undecided when the entry cannot say (no range data, or values the scheme cannot read).
 */
export function isAffected(version: string, entry: AffectedPackage): Verdict {
  const { listedAs, comparator, ranges } = compile(entry);
  if (entry.versions.includes(version)) return { by: 'versions', listed: version };
  const ecosystemVersion = comparator.parse(version);
  // the text itself was looked for just now: only a listed spelling with the same key is left
  const listed = ecosystemVersion && listedAs(ecosystemVersion.key, ecosystemVersion.key === version);
  if (listed !== undefined) return { by: 'versions', listed };

  // Runs for every advisory of every target: no set or iterator unless a value is unreadable.
  let unreadable: Set<string> | undefined;
  for (let index = 0; index < ranges.length; index++) {
    const range = ranges[index] as CompiledRange;
    const v = range.comparator === comparator ? ecosystemVersion : range.comparator.parse(version);
    const match = rangeMatch(v, range, index);
    if (match) return match;
    if (v && range.unreadable.length === 0) continue;
    unreadable ??= new Set();
    if (!v) unreadable.add(version);
    for (const text of range.unreadable) unreadable.add(text);
  }
  if (unreadable !== undefined) return { undecided: 'unparseable', values: [...unreadable] };
  if (ranges.length === 0 && entry.versions.length === 0) return { undecided: 'unknown-range' };
  return undefined;
}

export function isAffectedMatch(verdict: Verdict): verdict is AffectedMatch {
  return verdict !== undefined && 'by' in verdict;
}

/**
 * The first of several entries (e.g. GHSA's one entry per branch) that affects `version`; when none
 * does, the first undecided one, so that the caller can say why it could not tell.
 */
export function firstAffected(
  version: string,
  entries: readonly AffectedPackage[],
): { index: number; verdict: AffectedMatch | Undecided } | undefined {
  let undecided: { index: number; verdict: Undecided } | undefined;
  for (const [index, entry] of entries.entries()) {
    const verdict = isAffected(version, entry);
    if (isAffectedMatch(verdict)) return { index, verdict };
    if (verdict && !undecided) undecided = { index, verdict };
  }
  return undecided;
}
