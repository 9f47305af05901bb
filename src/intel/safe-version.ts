/**
 * The lowest version at or above the current one that no advisory entry affects, chosen among the
 * versions the advisories name as fixes (or limits). A `last_affected` bound names no release after
 * it, so it offers no candidate; an advisory without a fix therefore leaves `none`.
 */
import type { AffectedPackage, VersionSchemeName } from './model.ts';
import { isAffected } from './ranges.ts';
import { comparatorFor, type ParsedVersion } from './schemes.ts';

/**
 * Why there is none: no candidate escapes every entry, or the current version cannot be read in
 * the scheme, so that nothing can be said to lie above it.
 */
export type NoSafeVersion = 'no fixed version known' | 'version not comparable';

export type SafeVersion = { version: string } | { none: NoSafeVersion };

/** The `fixed` events of an entry, in source order, each once: for a finding's "fixed in" list. */
export function fixedVersions(entry: AffectedPackage): string[] {
  const fixed = entry.ranges.flatMap((range) => range.events.flatMap((e) => ('fixed' in e ? [e.fixed] : [])));
  return [...new Set(fixed)];
}

function upperBounds(entry: AffectedPackage): string[] {
  return entry.ranges.flatMap((range) =>
    range.events.flatMap((e) => ('fixed' in e ? [e.fixed] : 'limit' in e && e.limit !== '*' ? [e.limit] : [])),
  );
}

/**
 * A candidate is safe when every entry is decided and says "not affected". An entry with no range data
 * at all (`unknown-range`) says the same of every version, so it cannot tell candidates apart and is
 * left to the caller's own finding; an entry that cannot read a candidate rules that candidate out.
 */
function isSafe(candidate: string, entries: readonly AffectedPackage[]): boolean {
  return entries.every((entry) => {
    const verdict = isAffected(candidate, entry);
    return verdict === undefined || ('undecided' in verdict && verdict.undecided === 'unknown-range');
  });
}

/**
 * `entries` are every advisory entry for the package, across advisories. The answer is `current` as
 * given when it is safe already, otherwise the fix version in the scheme's canonical spelling
 * (`2024.07.04` → `2024.7.4`).
 */
export function safeVersion(
  current: string,
  entries: readonly AffectedPackage[],
  scheme: VersionSchemeName,
  /** Answers of `isSafe` for these same entries, by candidate text, kept by a caller that asks about several versions. */
  memo?: Map<string, boolean>,
): SafeVersion {
  const comparator = comparatorFor(scheme);
  const base = comparator.parse(current);
  if (!base) return { none: 'version not comparable' };
  if (isSafe(current, entries)) return { version: current };

  const candidates = new Map<string, ParsedVersion>();
  for (const text of entries.flatMap(upperBounds)) {
    const parsed = comparator.parse(text);
    if (parsed && comparator.compare(parsed, base) > 0 && !candidates.has(parsed.key)) {
      candidates.set(parsed.key, parsed);
    }
  }
  const ascending = [...candidates.values()].sort((a, b) => comparator.compare(a, b));
  const safeFor = (candidate: string): boolean => {
    let answer = memo?.get(candidate);
    if (answer === undefined) {
      answer = isSafe(candidate, entries);
      memo?.set(candidate, answer);
    }
    return answer;
  };
  const safe = ascending.find((candidate) => safeFor(candidate.normalized));
  return safe ? { version: safe.normalized } : { none: 'no fixed version known' };
}
