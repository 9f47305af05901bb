/**
 * The audit engine: run the selected checks over an inventory with one threat-intel store, sort
 * the findings, summarise them and decide pass/fail. `cvebuild audit` is its front door; the gate
 * (policy) builds on the same engine.
 */

import { type Check, type CheckContext, type CheckSettings, defaultCheckSettings } from './checks/check.ts';
import { CHECKS, checkById } from './checks/registry.ts';
import { CvebuildError } from './errors.ts';
import { AdvisoryMatcher } from './intel/matcher.ts';
import { defaultCacheDirectory } from './intel/paths.ts';
import type { IntelStore } from './intel/store-api.ts';
import { atLeast, compareSeverity, type Finding, SEVERITIES, type Severity, type Verdict } from './model/finding.ts';
import type { Inventory } from './model/inventory.ts';
import { compareText } from './model/package.ts';

export interface AuditOptions {
  /** Findings at or above this severity fail the audit; malicious and KEV findings always do. */
  failOn: Severity;
  /** Check ids to run (default: all). */
  checks?: readonly string[];
  now: Date;
  /** No network lookups (checks report what they could not check). Default: false. */
  offline?: boolean;
  cacheDir?: string;
  settings?: CheckSettings;
}

export interface AuditSummary {
  packages: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byCheck: Record<string, number>;
  kev: number;
  malicious: number;
  /**
   * Advisories that could not decide for a package (`name@version: ID (reason)`): the version or a
   * range bound is not readable in the advisory's scheme, or the advisory gives no affected range.
   */
  undecided: string[];
}

export interface AuditResult {
  findings: Finding[];
  summary: AuditSummary;
  verdict: Verdict;
  checks: { id: string; version: number }[];
}

export function selectChecks(ids: readonly string[] | undefined): Check[] {
  if (!ids || ids.length === 0) return [...CHECKS];
  return ids.map((id) => {
    const check = checkById(id);
    if (!check)
      throw new CvebuildError(
        'USAGE',
        `unknown check ${JSON.stringify(id)} (have: ${CHECKS.map((c) => c.id).join(', ')})`,
      );
    return check;
  });
}

/** Whether any of these checks needs the threat-intel store (the CLI opens it only then). */
export function needsIntel(checks: readonly Check[]): boolean {
  return checks.some((check) => check.requires.intel);
}

export async function runAudit(
  inventory: Inventory,
  store: IntelStore | undefined,
  options: AuditOptions,
): Promise<AuditResult> {
  const checks = selectChecks(options.checks);
  let matcher: AdvisoryMatcher | undefined;
  if (needsIntel(checks)) {
    if (!store) throw new CvebuildError('DB_MISSING', 'the selected checks need the threat-intel store');
    matcher = new AdvisoryMatcher(store);
    matcher.prefetch(inventory.packages);
  }
  const context: CheckContext = {
    intel: store && matcher ? { store, matcher } : undefined,
    now: options.now,
    offline: options.offline ?? false,
    cacheDir: options.cacheDir ?? defaultCacheDirectory(),
    settings: options.settings ?? defaultCheckSettings(),
  };
  const findings: Finding[] = [];
  for (const check of checks) findings.push(...(await check.run(inventory, context)));
  findings.sort(compareFindings);
  const undecided = new Set<string>();
  if (matcher) {
    for (const pkg of inventory.packages) {
      for (const item of matcher.match(pkg).undecided) {
        const reason = item.reason === 'unknown-range' ? 'advisory gives no affected range' : 'version not comparable';
        undecided.add(`${pkg.name}@${pkg.version}: ${item.advisoryId} (${reason})`);
      }
    }
  }
  const summary = summarize(inventory, findings, [...undecided].sort());
  return {
    findings,
    summary,
    verdict: decide(findings, options.failOn),
    checks: checks.map((check) => ({ id: check.id, version: check.version })),
  };
}

function decide(findings: Finding[], failOn: Severity): Verdict {
  const failing = findings.filter(
    (finding) => finding.check === 'malicious' || finding.evidence.kev === true || atLeast(finding.severity, failOn),
  );
  const reasons = failing.map((finding) => {
    const why =
      finding.check === 'malicious'
        ? 'malicious'
        : finding.evidence.kev === true
          ? 'known exploited (KEV)'
          : finding.severity;
    const subject = finding.subject;
    return `${why}: ${subject ? `${subject.name} ${subject.version} (${subject.platform}) ` : ''}${finding.rule}`;
  });
  return { outcome: failing.length > 0 ? 'fail' : 'pass', reasons: [...new Set(reasons)], warnings: [] };
}

function summarize(inventory: Inventory, findings: Finding[], undecided: string[]): AuditSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  const byCheck: Record<string, number> = {};
  for (const finding of findings) {
    bySeverity[finding.severity]++;
    byCheck[finding.check] = (byCheck[finding.check] ?? 0) + 1;
  }
  return {
    packages: inventory.packages.length,
    findings: findings.length,
    bySeverity,
    byCheck,
    kev: findings.filter((finding) => finding.evidence.kev === true).length,
    malicious: findings.filter((finding) => finding.check === 'malicious').length,
    undecided,
  };
}

/** Most severe first, then by package and id: deterministic, so report diffs are meaningful. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareSeverity(b.severity, a.severity) ||
    compareText(a.subject?.ecosystem ?? '', b.subject?.ecosystem ?? '') ||
    compareText(a.subject?.name.toLowerCase() ?? '', b.subject?.name.toLowerCase() ?? '') ||
    compareText(a.subject?.version ?? '', b.subject?.version ?? '') ||
    compareText(a.subject?.platform ?? '', b.subject?.platform ?? '') ||
    compareText(a.check, b.check) ||
    compareText(a.rule, b.rule)
  );
}
