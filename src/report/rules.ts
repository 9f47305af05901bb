/**
 * What a rule is, for readers who did not write it: each check describes its rules (`Check.rules`),
 * refined here by the advisory's own data (its CWEs, CVSS score) for vulnerability findings.
 * SARIF rule metadata, HTML details and Markdown all read it from here.
 */
import type { CheckRules } from '../checks/check.ts';
import { CHECKS } from '../checks/registry.ts';
import { type Finding, isAdvisoryFinding, type RuleText, type Severity } from '../model/finding.ts';
import { POLICY_RULES } from '../policy/evaluate.ts';

export interface RuleInfo extends RuleText {
  id: string;
  /** A 0.1–10 score GitHub uses to rank security results (from CVSS when known). */
  securitySeverity: number;
}

const RULES = new Map<string, CheckRules>([
  ...CHECKS.map((check) => [check.id, check.rules] as const),
  ['policy', POLICY_RULES],
]);

const FALLBACK: RuleText = {
  title: 'Supply-chain finding',
  help: 'A cvebuild check reported this finding.',
  cwes: [],
  tags: ['security'],
};

/** Typical scores per severity when the source gives no CVSS score. */
const SEVERITY_SCORE: Record<Severity, number> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  unknown: 5.5,
  low: 2.0,
  info: 0.1,
};

/** A check's report that it could not look (offline, missing data): about the run, not a package's flaw. */
const NOT_CHECKED: RuleText = {
  title: 'Could not be checked',
  help: 'The check could not look at these packages: the threat-intel store lacks the data they need (advisories of their ecosystem, malicious-package reports, the KEV catalogue, the conda→PyPI name map), a lookup needed the network, or an input could not be read. Nothing found would not have meant nothing there, so the gate fails closed. Fill the store with `cvebuild db update` (or `db import` offline), run online, or relax the policy explicitly with fail-on-unchecked = false.',
  cwes: [],
  tags: ['security', 'not-checked'],
};

export function describeRule(finding: Finding): RuleInfo {
  const rules = RULES.get(finding.check);
  const own = rules?.rule?.(finding.rule);
  const template =
    finding.rule === `${finding.check}/not-checked`
      ? NOT_CHECKED
      : rules && own
        ? { ...rules.check, ...own }
        : (rules?.check ?? FALLBACK);
  const evidence = finding.evidence;
  const ownCwes = Array.isArray(evidence.cwes) ? (evidence.cwes as unknown[]).filter(isText) : [];
  const score = typeof evidence.score === 'number' && evidence.score > 0 ? evidence.score : undefined;
  const isAdvisory = isAdvisoryFinding(finding);
  const summary = typeof evidence.summary === 'string' ? evidence.summary : undefined;
  return {
    id: finding.rule,
    title: isAdvisory && summary ? `${finding.rule}: ${summary}` : template.title,
    help: template.help,
    cwes: [...new Set([...ownCwes, ...template.cwes])].sort(),
    tags: template.tags,
    securitySeverity: Math.min(
      10,
      Math.max(0.1, score ?? SEVERITY_SCORE[finding.originalSeverity ?? finding.severity]),
    ),
  };
}

/**
 * Link to read more about an advisory id, when the id's namespace has a public page. Ids come from
 * feeds: one with characters no real id has (`GHSA-<x>`, `[`, spaces, controls) gets no link, and
 * the id is percent-encoded into the URL all the same, so no id can break out of a link or make the
 * URL invalid.
 */
export function advisoryUrl(id: string): string | undefined {
  if (!/^[A-Za-z0-9._:-]+$/.test(id)) return undefined;
  if (/^(GHSA|PYSEC|MAL|OSV|RUSTSEC|GSD)-/.test(id)) return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  if (/^CVE-\d{4}-\d+$/.test(id)) return `https://www.cve.org/CVERecord?id=${id}`;
  return undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
