/**
 * `cvebuild audit --format json`: a public contract (schemaVersion 1). Findings sorted, keys fixed,
 * null when unknown. The store is described so a reader knows how old the data behind it was.
 * `remediation` (added within schema 1: keys are only ever added) is the fix plan per package;
 * a typosquat finding's entry has a `typosquat` key (also added within schema 1) with its signals.
 */
import { isCodeFinding } from '../code/types.ts';
import {
  type Finding,
  isFixedInBuild,
  isKnownExploited,
  isMaliciousRelease,
  SEVERITIES,
  type Severity,
} from '../model/finding.ts';
import { compareText, type SourceLocation } from '../model/package.ts';
import { toJson } from '../text/json.ts';
import {
  type BlockingAdvisory,
  blockingPackages,
  countBySeverity,
  fixOf,
  mergeAdvisory,
  type PackageBlock,
} from './remediation.ts';
import type { ReportInput } from './report.ts';
import { squatJson } from './squat-json.ts';

export const AUDIT_SCHEMA_VERSION = 1;

export function renderAuditJson(report: ReportInput): string {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const byCheck: Record<string, number> = {};
  for (const finding of report.findings) {
    bySeverity[finding.severity]++;
    byCheck[finding.check] = (byCheck[finding.check] ?? 0) + 1;
  }
  const document = {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    findings: report.findings.map(findingJson),
    summary: {
      packages: report.inventory.packages.length,
      findings: report.findings.length,
      bySeverity,
      byCheck,
      kev: report.findings.filter(isKnownExploited).length,
      malicious: report.findings.filter(isMaliciousRelease).length,
      blocking: report.findings.filter((finding) => finding.blocking).length,
      waived: report.findings.filter((finding) => finding.waiver).length,
      fixedInBuild: report.findings.filter(isFixedInBuild).length,
      undecided: report.undecided,
      ...(report.notCheckedForCves ? { notCheckedForCves: report.notCheckedForCves } : {}),
      verdict: report.verdict.outcome,
      reasons: report.verdict.reasons,
      warnings: report.verdict.warnings,
      checks: report.checks.map(({ id, version }) => ({ id, version })),
      policy: report.policy,
    },
    remediation: { packages: remediationJson(report) },
    db: report.intel ? describeStore(report.intel, report.generatedAt) : null,
  };
  return `${toJson(document)}\n`;
}

/**
 * One entry per package with blocking advisories (its versions together), sorted by ecosystem and
 * name: what blocks, by severity, and what to do. `fixVersion` is the highest safe version over
 * its versions, `unfixed` the advisories no known release clears; `action` is `remove` for a
 * malicious release, `upgrade` when a version is known, else `none`.
 */
function remediationJson(report: ReportInput) {
  const byPackage = new Map<string, PackageBlock[]>();
  for (const block of blockingPackages(report.findings)) {
    const key = `${block.ecosystem}\u0000${block.name}`;
    byPackage.set(key, [...(byPackage.get(key) ?? []), block]);
  }
  return [...byPackage.values()]
    .map((blocks) => {
      const [first] = blocks as [PackageBlock];
      const advisories = mergeAdvisories(blocks);
      const vulnerabilities = advisories.filter((advisory) => !advisory.malicious);
      const fix = fixOf(advisories, first.ecosystem);
      const sorted = (items: Iterable<string>) => [...new Set(items)].sort(compareText);
      return {
        ecosystem: first.ecosystem,
        name: first.name,
        versions: sorted(blocks.map((block) => block.version)),
        platforms: sorted(blocks.flatMap((block) => block.platforms)),
        environments: sorted(blocks.flatMap((block) => block.environments)),
        advisories: {
          total: vulnerabilities.length,
          bySeverity: countBySeverity(vulnerabilities),
          ids: sorted(vulnerabilities.map((advisory) => advisory.id)),
        },
        malicious: sorted(advisories.filter((advisory) => advisory.malicious).map((advisory) => advisory.id)),
        knownExploited: sorted(vulnerabilities.filter((advisory) => advisory.kev).map((advisory) => advisory.id)),
        action: fix.action,
        fixVersion: fix.version ?? null,
        unfixed: sorted(fix.unfixed),
        findings: blocks.reduce((sum, block) => sum + block.findings.length, 0),
      };
    })
    .sort(
      (a, b) =>
        compareText(a.ecosystem, b.ecosystem) ||
        compareText(a.name.toLowerCase(), b.name.toLowerCase()) ||
        compareText(a.name, b.name),
    );
}

/** A package's advisories over its versions: an advisory one version has no fix for stays unfixed. */
function mergeAdvisories(blocks: readonly PackageBlock[]): BlockingAdvisory[] {
  const merged = new Map<string, BlockingAdvisory>();
  for (const block of blocks) {
    for (const advisory of block.advisories) {
      const seen = merged.get(advisory.id);
      if (!seen) {
        merged.set(advisory.id, { ...advisory });
        continue;
      }
      mergeAdvisory(seen, advisory, block.ecosystem);
    }
  }
  return [...merged.values()];
}

function findingJson(finding: Finding) {
  const evidence = finding.evidence;
  const squat = squatJson(finding);
  return {
    check: finding.check,
    severity: finding.severity,
    package: {
      ecosystem: finding.subject?.ecosystem ?? null,
      name: finding.subject?.name ?? null,
      version: finding.subject?.version ?? null,
      platform: finding.subject?.platform ?? null,
      environments: finding.subject?.environments ?? [],
    },
    id: finding.rule,
    aliases: finding.flags?.aliases ?? [],
    kev: isKnownExploited(finding),
    fixed: (evidence.fixed as string[] | undefined) ?? [],
    safeVersion: (evidence.safeVersion as string | null | undefined) ?? null,
    mappedBy: (evidence.mappedBy as string | undefined) ?? null,
    source: (evidence.source as string | undefined) ?? null,
    // where sources disagree on an upstream CVE, the statement that decided (`NVD configuration`, …)
    statedBy: (evidence.statedBy as string | undefined) ?? null,
    score: (evidence.score as number | undefined) ?? null,
    kevDateAdded: finding.flags?.kev?.dateAdded ?? null,
    message: finding.message,
    remedy: finding.remedy ?? null,
    location: finding.location ? locationJson(finding.location) : null,
    ...(isCodeFinding(finding) ? { code: codeJson(finding) } : {}),
    originalSeverity: finding.originalSeverity ?? null,
    blocking: finding.blocking === true,
    waiver: finding.waiver
      ? {
          id: finding.waiver.id ?? null,
          package: finding.waiver.package ?? null,
          reason: finding.waiver.reason,
          by: finding.waiver.by ?? null,
          expires: finding.waiver.expires ?? null,
          ...(finding.waiver.inline ? { inline: true } : {}),
        }
      : null,
    fixedInBuild: fixedInBuildJson(finding),
    // a recipe that could not be read (a .tar.bz2 online, an unreadable archive): not looked at, not found clean
    ...(typeof evidence.recipeNotRead === 'string' ? { recipeNotRead: evidence.recipeNotRead } : {}),
    ...(squat ? { typosquat: squat } : {}),
  };
}

/** The patches the package's own recipe applies for this advisory: why it does not block. */
function fixedInBuildJson(finding: Finding) {
  const fixed = finding.flags?.fixedInBuild;
  if (!fixed || !isFixedInBuild(finding)) return null;
  return {
    source: fixed.source,
    patches: fixed.patches.map(({ id, how, patch, file, line, lineNumber }) => ({
      id,
      how,
      patch,
      file,
      line,
      lineNumber: lineNumber ?? null,
    })),
  };
}

function locationJson(location: SourceLocation) {
  return {
    file: location.file,
    line: location.line ?? null,
    ...(location.column !== undefined ? { column: location.column } : {}),
    ...(location.endLine !== undefined ? { endLine: location.endLine, endColumn: location.endColumn ?? null } : {}),
  };
}

/** What a SAST or secrets finding adds: the rule's taxonomy and the (masked) code it matched. */
function codeJson(finding: Finding) {
  const evidence = finding.evidence;
  const text = (key: string) => (typeof evidence[key] === 'string' ? (evidence[key] as string) : null);
  return {
    path: text('path'),
    engine: text('engine'),
    confidence: text('confidence'),
    cwes: Array.isArray(evidence.cwes) ? evidence.cwes : [],
    owasp: text('owasp'),
    bandit: text('bandit'),
    snippet: text('snippet'),
    masked: text('masked'),
    fingerprint: text('fingerprint'),
    ...(Array.isArray(evidence.lines) ? { lines: evidence.lines } : {}),
    ...(Array.isArray(evidence.alsoReportedBy) ? { alsoReportedBy: evidence.alsoReportedBy } : {}),
  };
}

export function describeStore(intel: NonNullable<ReportInput['intel']>, now: Date) {
  return {
    path: intel.label,
    schemaVersion: intel.schemaVersion,
    feeds: intel.feeds
      .map((feed) => ({
        name: feed.name,
        url: feed.url,
        fetchedAt: feed.fetchedAt,
        ageHours: Math.round(((now.getTime() - Date.parse(feed.fetchedAt)) / 3_600_000) * 10) / 10,
        count: feed.count,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
