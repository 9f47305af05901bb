/**
 * Turning a matched advisory group into a Finding: one shape for the vulnerability and malicious
 * checks, with the facts a reader needs to judge it (ids, KEV, fixed versions, safe pin, how the
 * package was mapped, which feed said so).
 */
import type { MatchGroup } from '../intel/matcher.ts';
import type { AffectedSource } from '../intel/model.ts';
import { SOURCE_LABEL, sourceOf } from '../intel/precedence.ts';
import { compareSeverity, type Finding, type Severity, subjectOf, withFlags } from '../model/finding.ts';
import type { Package } from '../model/package.ts';

export const ADVISORY_CHECK_VERSION = 1;

export function advisoryFinding(pkg: Package, group: MatchGroup): Finding {
  const check = group.malicious ? 'malicious' : 'vulnerability';
  const severity = group.malicious ? 'critical' : groupSeverity(group);
  // One pass over the hits (a gate builds hundreds of findings, each from a few hits).
  let summary: string | undefined;
  const feeds = new Set<string>();
  const sources = new Set<AffectedSource>();
  const cwes = new Set<string>();
  const references = new Set<string>();
  const matchedBy: string[] = [];
  for (const { advisory, entry, match } of group.hits) {
    if (!summary && advisory.summary) summary = advisory.summary;
    feeds.add(entry.feed ?? advisory.feed);
    // which statement decided, where sources disagree on an upstream CVE (intel/precedence.ts)
    if (entry.ecosystem === 'upstream') sources.add(sourceOf(entry, advisory));
    for (const cwe of advisory.cwes) cwes.add(cwe);
    for (const reference of advisory.references) references.add(reference);
    matchedBy.push(match.by);
  }
  const summaryLine = summary ? oneLine(summary) : undefined;
  const best = group.hits.map(({ advisory }) => advisory.severity).sort((a, b) => (b.score ?? -1) - (a.score ?? -1))[0];
  const statedBy = [...sources].map((source) => SOURCE_LABEL[source]);
  const kev = group.kev[0];
  const remedy = group.malicious
    ? `remove ${pkg.name} ${pkg.version}${group.safeVersion && group.safeVersion !== pkg.version ? `; ${group.safeVersion} is not affected` : ''} and rotate any credentials the environment could reach`
    : group.safeVersion
      ? `upgrade ${pkg.name} to ${group.safeVersion} or later`
      : 'no fixed version known';
  const target =
    group.target.mappedBy === 'pypi-name'
      ? ''
      : ` (as ${group.target.ecosystem} ${group.target.normalizedName}, via ${group.target.mappedBy})`;
  const finding: Finding = {
    check,
    checkVersion: ADVISORY_CHECK_VERSION,
    rule: group.id,
    severity,
    subject: subjectOf(pkg),
    message: `${pkg.name} ${pkg.version}${target} ${group.malicious ? 'is a known-malicious release' : 'is affected by'} ${group.id}${
      summaryLine !== undefined ? `: ${summaryLine}` : ''
    }${kev ? ` [exploited in the wild: CISA KEV since ${kev.dateAdded}]` : ''}`,
    evidence: {
      id: group.id,
      fixed: group.fixed,
      safeVersion: group.safeVersion ?? null,
      mappedBy: group.target.mappedBy,
      target: `${group.target.ecosystem}:${group.target.normalizedName}`,
      source: [...feeds].sort().join(','),
      ...(statedBy.length > 0 ? { statedBy: statedBy.join(', ') } : {}),
      summary: summaryLine,
      cwes: [...cwes].sort(),
      references: [...references].slice(0, 10),
      score: best?.score,
      vectors: best?.vectors ?? [],
      matchedBy,
    },
    remedy,
    location: pkg.origin,
  };
  return withFlags(finding, {
    aliases: group.aliases,
    ...(group.malicious ? { malicious: true } : {}),
    ...(kev ? { kev: { dateAdded: kev.dateAdded } } : {}),
  });
}

function groupSeverity(group: MatchGroup): Severity {
  let severity: Severity = 'unknown';
  let known = false;
  for (const { advisory } of group.hits) {
    const level = advisory.severity.level;
    if (!level) continue;
    if (!known || compareSeverity(level, severity) > 0) severity = level;
    known = true;
  }
  return severity;
}

const WHITESPACE_RUN = /\s+/g;

function oneLine(text: string): string {
  const line = text.replace(WHITESPACE_RUN, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
