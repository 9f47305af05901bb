/**
 * Findings and verdicts: what checks say about an inventory, and what the policy makes of it.
 * Plain data; every renderer works from `Finding[]` + `Verdict` alone.
 */
import type { Ecosystem, SourceLocation } from './package.ts';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITY_ORDER: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b);
}

export interface FindingSubject {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  build?: string;
  platform?: string;
  environments?: string[];
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
