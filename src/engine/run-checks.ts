/**
 * One audit run over an inventory with one threat-intel store: run the checks the policy enables
 * (each isolated, see check-run.ts), sort the findings, apply the policy (severity mapping,
 * waivers, what blocks) and summarise. `createEngine` (engine.ts) is the front every caller
 * uses; this is its run, without the engine's intel freshness and clock.
 */

import type { Check, CheckContext, CheckSettings } from '../checks/check.ts';
import { type UnmappedPackages, unmappedPackages } from '../checks/intel-coverage.ts';
import { CHECKS, checkById, defaultSettingsOf } from '../checks/registry.ts';
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
import { compareText, type Package } from '../model/package.ts';
import type { Download } from '../net/download.ts';
import { applyPolicy } from '../policy/evaluate.ts';
import { defaultPolicy, type Policy } from '../policy/policy.ts';
import { type CheckRun, hasPackageContents, runCheck } from './check-run.ts';
import type { EventListener } from './events.ts';

export type { CheckRun };

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
  /** The project directory the code checks scan (absent: they have no tree to scan and are skipped). */
  root?: string;
  /** The HTTP client checks make lookups with (default: `download`). */
  http?: Download;
  /** The checks to select from (default: the registry). */
  registry?: readonly Check[];
  /**
   * Per check id, packages that check is not run on: the caller holds an earlier result of that
   * check for them (the proxy's stored channel audit). Other checks still see every package.
   */
  skip?: ReadonlyMap<string, ReadonlySet<Package>>;
}

/** Controls of one run: stopping it, and hearing how it goes. */
export interface RunControl {
  /** Aborts the run: it rejects with the signal's reason before the next check, or during one. */
  signal?: AbortSignal;
  onEvent?: EventListener;
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
  /** When the vulnerability check ran: packages it could not look up, because they map to no advisory source. */
  notCheckedForCves?: UnmappedPackages;
}

export interface AuditResult {
  findings: Finding[];
  summary: AuditSummary;
  verdict: Verdict;
  /** Every selected check and how its part of the run went. */
  checks: CheckRun[];
  /** The policy as applied (flags folded in). */
  policy: Policy;
}

export function selectChecks(
  ids: readonly string[] | undefined,
  policy?: Policy,
  registry: readonly Check[] = CHECKS,
): Check[] {
  if (!ids || ids.length === 0) return registry.filter((check) => policy?.checks.get(check.id)?.enabled !== false);
  return ids.map((id) => {
    const check = registry === CHECKS ? checkById(id) : registry.find((candidate) => candidate.id === id);
    if (!check)
      throw new CvebuildError(
        'USAGE',
        `unknown check ${JSON.stringify(id)} (have: ${registry.map((c) => c.id).join(', ')})`,
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
  control: RunControl = {},
): Promise<AuditResult> {
  const started = performance.now();
  const { signal, onEvent } = control;
  const policy = { ...(options.policy ?? defaultPolicy()) };
  if (options.failOn) policy.failOn = options.failOn;
  if (options.settings) policy.settings = options.settings;
  const checks = selectChecks(options.checks, policy, options.registry);
  signal?.throwIfAborted();
  const inventoryOf = checkInventories(inventory, checks, options.skip);
  const skippedAny = new Set([...(options.skip?.values() ?? [])].flatMap((packages) => [...packages]));
  let matcher: AdvisoryMatcher | undefined;
  if (needsIntel(checks)) {
    if (!store) throw new CvebuildError('DB_MISSING', 'the selected checks need the threat-intel store');
    matcher = new AdvisoryMatcher(store);
    // what the run matches in full (a package some check skips is the caller's to know, and any
    // check still matching it asks the store on its own)
    matcher.prefetch(
      skippedAny.size > 0 ? inventory.packages.filter((pkg) => !skippedAny.has(pkg)) : inventory.packages,
    );
  }
  const context: CheckContext = {
    intel: store && matcher ? { store, matcher } : undefined,
    now: options.now,
    offline: options.offline ?? false,
    cacheDir: options.cacheDir ?? defaultCacheDirectory(),
    // a library user's own checks start from their defaults when the policy was not parsed with them
    settings: { ...defaultSettingsOf(checks), ...policy.settings } as CheckSettings,
    root: options.root,
    http: options.http,
    signal,
  };
  const resources = {
    root: options.root,
    archives: hasPackageContents(inventory, policy.settings.packageDirs),
    offline: context.offline,
  };
  onEvent?.({ type: 'run-start', packages: inventory.packages.length, checks: checks.length });
  const raw: Finding[] = [];
  const runs: CheckRun[] = [];
  const total = checks.length;
  for (const [index, check] of checks.entries()) {
    signal?.throwIfAborted();
    onEvent?.({ type: 'check-start', id: check.id, index, total });
    const { run, findings } = await runCheck(check, inventoryOf(check), context, resources);
    onEvent?.({
      type: 'check-end',
      id: check.id,
      index,
      total,
      status: run.status,
      ms: run.ms,
      findings: run.findings,
      reason: run.reason ?? run.error,
    });
    if (run.status === 'aborted') signal?.throwIfAborted();
    runs.push(run);
    raw.push(...findings);
  }
  raw.sort(compareFindings);
  // a skipped check enforced nothing: a requirement only it enforces is reported unenforced
  const ran = checks.filter((_check, index) => runs[index]?.status !== 'skipped');
  const { findings, verdict } = applyPolicy(raw, policy, { now: options.now, checks: ran });
  findings.sort(compareFindings);
  const undecided = new Set<string>();
  if (matcher) {
    // what a skipped check would have said of a package is the caller's to know, undecided ones too
    for (const pkg of inventory.packages) {
      if (skippedAny.has(pkg)) continue;
      for (const item of matcher.match(pkg).undecided) {
        const reason = item.reason === 'unknown-range' ? 'advisory gives no affected range' : 'version not comparable';
        undecided.add(`${pkg.name}@${pkg.version}: ${item.advisoryId} (${reason})`);
      }
    }
  }
  const summary = summarize(inventory, findings, [...undecided].sort());
  const vulnerability = ran.find((check) => check.id === 'vulnerability');
  if (matcher && vulnerability) summary.notCheckedForCves = unmappedPackages(inventoryOf(vulnerability), matcher);
  onEvent?.({
    type: 'run-end',
    packages: inventory.packages.length,
    findings: findings.length,
    outcome: verdict.outcome,
    ms: Math.round(performance.now() - started),
  });
  return { findings, summary, verdict, checks: runs, policy };
}

/** The inventory each check sees: all of it, less the packages the caller skips for that check. */
function checkInventories(
  inventory: Inventory,
  checks: readonly Check[],
  skip: ReadonlyMap<string, ReadonlySet<Package>> | undefined,
): (check: Check) => Inventory {
  const own = new Map<string, Inventory>();
  for (const check of checks) {
    const skipped = skip?.get(check.id);
    if (!skipped || skipped.size === 0) continue;
    own.set(check.id, { ...inventory, packages: inventory.packages.filter((pkg) => !skipped.has(pkg)) });
  }
  return (check) => own.get(check.id) ?? inventory;
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
