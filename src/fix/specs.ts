/**
 * The version requirement a fix writes in place of a declared one: its lower bound raised to the
 * fix version, its upper bounds and exclusions kept. A kept bound that excludes the fix is a
 * conflict for a person to settle (the bound was written on purpose); a malicious release is
 * pinned to the clean version exactly.
 */
import type { Ecosystem } from '../model/package.ts';
import { schemeOf } from './candidates.ts';

export type SpecChange =
  | { spec: string }
  /** The declared requirement already keeps the blocked versions out and lets the fix in. */
  | { unchanged: true }
  | { conflict: string }
  | { unsupported: string };

/** Bounds a raised lower bound leaves standing (the rest is what the fix replaces). */
const KEPT_BOUND = /^(<=?|!=)/;

export function raisedSpec(
  declared: string,
  fix: string,
  blocked: readonly string[],
  ecosystem: Ecosystem,
): SpecChange {
  const scheme = schemeOf(ecosystem);
  const text = declared.replace(/\s+/g, '');
  if (text === '' || text === '*') return { spec: `>=${fix}` };
  if (text.includes('|')) return { unsupported: `"${declared}" has alternatives` };
  const satisfies = (version: string, spec: string): boolean | undefined => {
    try {
      return scheme.satisfies(version, spec);
    } catch {
      return undefined;
    }
  };
  const whole = satisfies(fix, text);
  if (whole === undefined) return { unsupported: `"${declared}" is not a version requirement cvebuild reads` };
  if (whole && blocked.every((version) => satisfies(version, text) === false)) return { unchanged: true };
  const parts = text.split(',').filter(Boolean);
  const kept = parts.filter((part) => KEPT_BOUND.test(part));
  for (const bound of kept) if (satisfies(fix, bound) === false) return { conflict: bound };
  // a series (`1.26.*`) stays when the fix is in it; else the fix is the move out of it
  const series = parts.filter((part) => part.endsWith('*') && part !== '*' && satisfies(fix, part) === true);
  return { spec: [...series, `>=${fix}`, ...kept].join(',') };
}

/** A malicious release is left for the last clean one, and only that one. */
export function pinnedSpec(version: string): string {
  return `==${version}`;
}
