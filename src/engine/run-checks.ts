/**
 * The engine behind `cvebuild gate` and `cvebuild audit` (the same run; audit only reports): run
 * the checks the policy enables over an inventory with one threat-intel store, sort the findings,
 * apply the policy (severity mapping, waivers, what blocks) and summarise.
 */

import type { Check, CheckContext, CheckSettings } from '../checks/check.ts';
import { CHECKS, checkById } from '../checks/registry.ts';
import { CvebuildError } from '../errors.ts';
import { AdvisoryMatcher } from '../intel/matcher.ts';
import { defaultCacheDirectory } from '../intel/paths.ts';
import type { IntelStore } from '../intel/store-api.ts';
import {
  compareSeverity,
  type Finding,
  isKnownExploited,
  isMaliciousRelease,
  SEVERITIES,
  type Severity,
  type Verdict,
} from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import { compareText } from '../model/package.ts';
import { applyPolicy } from '../policy/evaluate.ts';
import { defaultPolicy, type Policy } from '../policy/policy.ts';

export interface AuditOptions {
  /** The policy (default: the built-in one). */
  policy?: Policy;
  /** Overrides the policy's threshold. */
  failOn?: Severity;
  /** Check ids to run, overriding which checks the policy enables. */
  checks?: readonly string[];
  now: Date;
  /** No network lookups (checks report what they could not check). Default: false. */
  offline?: boolean;
  cacheDir?: string;
  /** Overrides the policy's check settings. */
  settings?: CheckSettings;
  /** The project directory the code checks scan (absent: they have no tree to scan and report nothing). */
  root?: string;
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
  checks: { id: string; version: number; title: string }[];
  /** The policy as applied (flags folded in). */
  policy: Policy;
}

export function selectChecks(ids: readonly string[] | undefined, policy?: Policy): Check[] {
  if (!ids || ids.length === 0) return CHECKS.filter((check) => policy?.checks.get(check.id)?.enabled !== false);
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
  const policy = { ...(options.policy ?? defaultPolicy()) };
  if (options.failOn) policy.failOn = options.failOn;
  if (options.settings) policy.settings = options.settings;
  const checks = selectChecks(options.checks, policy);
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
    settings: policy.settings,
    root: options.root,
  };
  const raw: Finding[] = [];
  for (const check of checks) raw.push(...(await check.run(inventory, context)));
  raw.sort(compareFindings);
  const { findings, verdict } = applyPolicy(raw, policy, { now: options.now, checks });
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
    verdict,
    checks: checks.map((check) => ({ id: check.id, version: check.version, title: check.title })),
    policy,
  };
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
    kev: findings.filter(isKnownExploited).length,
    malicious: findings.filter(isMaliciousRelease).length,
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
    compareText(a.location?.file ?? '', b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
    compareText(a.rule, b.rule)
  );
}
