/**
 * `cvebuild audit --format json`: a public contract (schemaVersion 1). Findings sorted, keys fixed,
 * null when unknown. The store is described so a reader knows how old the data behind it was.
 */
import type { AuditResult } from '../audit.ts';
import type { OpenedIntel } from '../intel/open.ts';
import type { Finding } from '../model/finding.ts';
import { redactUrlCredentials } from '../readers/conda-url.ts';

export const AUDIT_SCHEMA_VERSION = 1;

export function renderAuditJson(result: AuditResult, intel: OpenedIntel | undefined, now: Date): string {
  const document = {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    findings: result.findings.map(findingJson),
    summary: {
      ...result.summary,
      verdict: result.verdict.outcome,
      reasons: result.verdict.reasons,
      checks: result.checks,
    },
    db: intel ? describeStore(intel, now) : null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function findingJson(finding: Finding) {
  const evidence = finding.evidence;
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
    aliases: (evidence.aliases as string[] | undefined) ?? [],
    kev: evidence.kev === true,
    fixed: (evidence.fixed as string[] | undefined) ?? [],
    safeVersion: (evidence.safeVersion as string | null | undefined) ?? null,
    mappedBy: (evidence.mappedBy as string | undefined) ?? null,
    source: (evidence.source as string | undefined) ?? null,
    score: (evidence.score as number | undefined) ?? null,
    kevDateAdded: (evidence.kevDateAdded as string | undefined) ?? null,
    message: finding.message,
    remedy: finding.remedy ?? null,
    location: finding.location ? { file: finding.location.file, line: finding.location.line ?? null } : null,
  };
}

export function describeStore({ store, label }: OpenedIntel, now: Date) {
  return {
    path: label,
    schemaVersion: store.schemaVersion,
    feeds: store
      .feeds()
      .map((feed) => ({
        name: feed.name,
        url: redactUrlCredentials(feed.url),
        fetchedAt: feed.fetchedAt,
        ageHours: Math.round(((now.getTime() - Date.parse(feed.fetchedAt)) / 3_600_000) * 10) / 10,
        count: feed.count,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}
