/**
 * Findings and verdicts: what checks say about an inventory, and what the policy makes of it.
 * Plain data; every renderer works from `Finding[]` + `Verdict` alone.
 */
import type { Ecosystem, Package, SourceLocation } from './package.ts';

/**
 * `unknown`: the source gives no severity (2,794 of 7,080 PyPA records). It is shown as unknown but
 * ranks with `medium` for thresholds, so `--fail-on medium` (or lower) still fails on it.
 */
export type Severity = 'info' | 'low' | 'unknown' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'unknown', 'medium', 'high', 'critical'];

const RANK: Record<Severity, number> = { info: 0, low: 1, unknown: 2, medium: 2, high: 3, critical: 4 };

/** Orders by rank; `unknown` ranks with `medium`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}

export interface FindingSubject {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  build?: string;
  platform?: string;
  environments?: string[];
}

/** The subject of a finding about one package on one platform. */
export function subjectOf(pkg: Package, environments: string[] = pkg.environments): FindingSubject {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build,
    platform: pkg.platform,
    environments,
  };
}

export interface Finding {
  /** Id of the check that produced it, and the check's logic version. */
  check: string;
  checkVersion: number;
  /** Stable rule id within the check (advisory id, `typosquat`, `cooldown-window` ...). */
  rule: string;
  severity: Severity;
  subject?: FindingSubject;
  message: string;
  /** Facts behind the finding: advisory ids, aliases, CVSS, distances, timestamps, data source and age. */
  evidence: Record<string, unknown>;
  remedy?: string;
  location?: SourceLocation;
}

export type VerdictOutcome = 'pass' | 'fail';

export interface Verdict {
  outcome: VerdictOutcome;
  /** One line per finding or rule that decided the outcome. */
  reasons: string[];
}
