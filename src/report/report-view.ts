/**
 * What the human-readable reports (Markdown, HTML) show, computed once from a ReportInput: the
 * findings in reading order with their platforms folded, the counts, feed ages and the file
 * locations relative to the project root. The two renderers differ only in how they draw it.
 */
import { isAbsolute } from 'node:path';
import {
  compareSeverity,
  type Finding,
  isFixedInBuild,
  isKnownExploited,
  isMaliciousRelease,
  SEVERITIES,
  type Severity,
} from '../model/finding.ts';
import type { SourceLocation } from '../model/package.ts';
import { compareText } from '../model/package.ts';
import { formatAge } from '../util/duration.ts';
import { pathWithinRoot } from './paths.ts';
import type { ReportInput } from './report.ts';

/** One finding as a reader sees it: the same issue on the same package, all its platforms together. */
export interface FindingRow {
  finding: Finding;
  /** Every finding folded into this row (one per platform), in platform order. */
  findings: Finding[];
  platforms: string[];
}

export interface CheckCount {
  id: string;
  title: string;
  /** Findings that are not waived. */
  active: number;
  blocking: number;
  waived: number;
  /** Findings the package's own recipe patches (not waived): shown apart, never blocking. */
  fixedInBuild: number;
  bySeverity: Record<Severity, number>;
}

export interface ReportCounts {
  packages: number;
  /** Findings that are neither waived nor fixed in this build. */
  findings: number;
  blocking: number;
  waived: number;
  fixedInBuild: number;
  kev: number;
  malicious: number;
  bySeverity: Record<Severity, number>;
  /** The checks that ran, in their order, then any other check that reported. */
  byCheck: CheckCount[];
}

export interface FeedView {
  name: string;
  url: string;
  count: number;
  fetchedAt: string;
  ageMs: number;
  age: string;
}

/** Most severe first; `unknown` ranks with `medium` and is listed after it. */
export const SEVERITIES_DESCENDING: readonly Severity[] = [...SEVERITIES].sort(
  (a, b) => compareSeverity(b, a) || SEVERITIES.indexOf(b) - SEVERITIES.indexOf(a),
);

export function isWaived(finding: Finding): boolean {
  return finding.waiver !== undefined;
}

/** Fixed in this build and not waived (a waived one is listed with the waivers). */
export function isFixedHere(finding: Finding): boolean {
  return !isWaived(finding) && isFixedInBuild(finding);
}

/** Active: neither accepted by a waiver nor fixed in this build. */
export function isActive(finding: Finding): boolean {
  return !isWaived(finding) && !isFixedInBuild(finding);
}

/** Reading order: blocking first, then most severe, known-exploited, by check, package and id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    Number(Boolean(b.blocking)) - Number(Boolean(a.blocking)) ||
    SEVERITIES_DESCENDING.indexOf(a.severity) - SEVERITIES_DESCENDING.indexOf(b.severity) ||
    Number(isKnownExploited(b)) - Number(isKnownExploited(a)) ||
    compareText(a.check, b.check) ||
    compareText((a.subject?.name ?? '').toLowerCase(), (b.subject?.name ?? '').toLowerCase()) ||
    compareText(a.subject?.version ?? '', b.subject?.version ?? '') ||
    compareText(a.subject?.build ?? '', b.subject?.build ?? '') ||
    compareText(a.location?.file ?? '', b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    compareText(a.rule, b.rule) ||
    compareText(a.subject?.platform ?? '', b.subject?.platform ?? '') ||
    compareText(a.message, b.message)
  );
}

/** Findings in reading order, one row per issue and package with its platforms folded. */
export function findingRows(findings: readonly Finding[]): FindingRow[] {
  const rows = new Map<string, FindingRow>();
  for (const finding of [...findings].sort(compareFindings)) {
    const subject = finding.subject;
    const key = [
      finding.check,
      finding.rule,
      finding.severity,
      Boolean(finding.blocking),
      finding.waiver ? JSON.stringify(finding.waiver) : '',
      subject?.ecosystem,
      subject?.name,
      subject?.version,
      subject?.build,
      subject ? '' : finding.message,
      subject ? '' : locationKey(finding.location),
    ].join('\u0000');
    const row = rows.get(key);
    const platform = subject?.platform;
    if (!row) {
      rows.set(key, { finding, findings: [finding], platforms: platform ? [platform] : [] });
      continue;
    }
    row.findings.push(finding);
    if (platform && !row.platforms.includes(platform)) row.platforms.push(platform);
  }
  return [...rows.values()];
}

export function countReport(report: ReportInput): ReportCounts {
  const active = report.findings.filter(isActive);
  const byCheck = new Map<string, CheckCount>();
  const checkCount = (id: string, title: string): CheckCount => {
    let count = byCheck.get(id);
    if (!count) {
      count = { id, title, active: 0, blocking: 0, waived: 0, fixedInBuild: 0, bySeverity: zeroSeverities() };
      byCheck.set(id, count);
    }
    return count;
  };
  for (const check of report.checks) checkCount(check.id, check.title);
  const others = [...new Set(report.findings.map((finding) => finding.check))].filter((id) => !byCheck.has(id)).sort();
  for (const id of others) checkCount(id, id);
  const bySeverity = zeroSeverities();
  for (const finding of report.findings) {
    const count = checkCount(finding.check, finding.check);
    if (isWaived(finding)) {
      count.waived++;
      continue;
    }
    if (isFixedInBuild(finding)) {
      count.fixedInBuild++;
      continue;
    }
    count.active++;
    count.bySeverity[finding.severity]++;
    bySeverity[finding.severity]++;
    if (finding.blocking) count.blocking++;
  }
  return {
    packages: report.inventory.packages.length,
    findings: active.length,
    blocking: active.filter((finding) => finding.blocking).length,
    waived: report.findings.filter(isWaived).length,
    fixedInBuild: report.findings.filter(isFixedHere).length,
    kev: active.filter(isKnownExploited).length,
    malicious: active.filter(isMaliciousRelease).length,
    bySeverity,
    byCheck: [...byCheck.values()],
  };
}

export function feedViews(report: ReportInput): FeedView[] {
  const now = report.generatedAt.getTime();
  return (report.intel?.feeds ?? [])
    .map((feed) => {
      const fetched = Date.parse(feed.fetchedAt);
      const ageMs = Number.isNaN(fetched) ? 0 : Math.max(0, now - fetched);
      return { ...feed, ageMs, age: formatAge(ageMs) };
    })
    .sort((a, b) => compareText(a.name, b.name));
}

function locationKey(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line ?? ''}:${location.column ?? ''}` : '';
}

/** `pixi.lock:307` (`src/app.py:12:5` for code), relative to the report's root when the file is inside it. */
export function locationText(root: string, location: SourceLocation | undefined): string {
  if (!location) return '';
  const column = location.line && location.column ? `:${location.column}` : '';
  return `${relativePath(root, location.file)}${location.line ? `:${location.line}` : ''}${column}`;
}

export function relativePath(root: string, file: string): string {
  if (!root || !isAbsolute(file)) return file;
  return pathWithinRoot(root, file) ?? file;
}

/** `name@version`, or the check's scope when the finding is about no package. */
export function packageLabel(finding: Finding): string {
  const subject = finding.subject;
  if (!subject) return '';
  return subject.version ? `${subject.name}@${subject.version}` : subject.name;
}

/** What to do about a finding, in a few words. */
export function fixText(finding: Finding): string {
  if (finding.remedy) return finding.remedy;
  const safe = finding.evidence.safeVersion;
  if (typeof safe === 'string' && safe) return `upgrade to ${safe} or later`;
  return '';
}

/** The advisory's one-line summary when the finding has one, else the check's own message. */
export function findingText(finding: Finding): string {
  const summary = finding.evidence.summary;
  return typeof summary === 'string' && summary ? summary : finding.message;
}

/** "1 blocking finding", "3 findings, none blocking", "no findings". */
export function verdictHeadline(report: ReportInput, counts: ReportCounts): string {
  if (report.verdict.outcome === 'fail') {
    if (counts.blocking > 0) return `${plural(counts.blocking, 'blocking finding')}`;
    return plural(report.verdict.reasons.length, 'reason');
  }
  const aside = [
    ...(counts.waived > 0 ? [`${counts.waived} waived`] : []),
    ...(counts.fixedInBuild > 0 ? [`${counts.fixedInBuild} fixed in build`] : []),
  ];
  const note = aside.length > 0 ? ` (${aside.join(', ')})` : '';
  if (counts.findings === 0) return `no findings${note}`;
  return `${plural(counts.findings, 'finding')}, none blocking${note}`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `2026-11-20 12:00 UTC`. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function zeroSeverities(): Record<Severity, number> {
  return { info: 0, low: 0, unknown: 0, medium: 0, high: 0, critical: 0 };
}
