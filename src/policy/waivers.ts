/**
 * Which waiver accepts which finding. A waiver names an advisory / rule id (matched against the
 * finding's aliases too), a package (`name` or `name@version`), or both. A waiver that names only
 * a package never covers a malicious release or a known-exploited vulnerability: accepting those
 * takes the advisory's id, so a broad "we accept requests" cannot silence a hijacked release.
 */
import { type Finding, isKnownExploited, isMaliciousRelease } from '../model/finding.ts';
import { normalizeName } from '../model/package.ts';
import type { Waiver } from './policy.ts';

export function waiverMatches(waiver: Waiver, finding: Finding): boolean {
  if (waiver.check !== undefined && waiver.check !== finding.check) return false;
  if (waiver.id !== undefined && !idsOf(finding).has(waiver.id.toUpperCase())) return false;
  if (waiver.package !== undefined) {
    const subject = finding.subject;
    if (!subject) return false;
    const { name, version } = splitPackage(waiver.package);
    if (normalizeName(subject.ecosystem, name) !== normalizeName(subject.ecosystem, subject.name)) return false;
    if (version !== undefined && version !== subject.version) return false;
    if (waiver.id === undefined && (isMaliciousRelease(finding) || isKnownExploited(finding))) return false;
  }
  return true;
}

/** Whether the waiver has expired at `now`: it holds through its expiry day (UTC). */
export function waiverExpired(waiver: Waiver, now: Date): boolean {
  return now.getTime() >= Date.parse(`${waiver.expires}T00:00:00Z`) + 86_400_000;
}

export function describeWaiver(waiver: Waiver): string {
  const what = [waiver.id, waiver.package].filter(Boolean).join(' in ');
  const where = waiver.origin.line ? `${waiver.origin.file}:${waiver.origin.line}` : waiver.origin.file;
  return `waiver for ${what} (${where})`;
}

function idsOf(finding: Finding): Set<string> {
  const ids = new Set([finding.rule.toUpperCase()]);
  for (const alias of finding.flags?.aliases ?? []) ids.add(alias.toUpperCase());
  return ids;
}

function splitPackage(text: string): { name: string; version?: string } {
  const at = text.indexOf('@');
  return at <= 0 ? { name: text } : { name: text.slice(0, at), version: text.slice(at + 1) };
}
