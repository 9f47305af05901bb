/** `cvebuild audit` for a person: one line per issue and package (platforms folded), then the verdict. */
import type { AuditResult } from '../audit.ts';
import type { OpenedIntel } from '../intel/open.ts';
import type { Finding } from '../model/finding.ts';
import { formatAge } from '../util/duration.ts';
import { renderTable } from './text-table.ts';

interface Row {
  finding: Finding;
  platforms: string[];
}

export function renderAuditTable(result: AuditResult, intel: OpenedIntel | undefined, now: Date): string {
  const out: string[] = [];
  if (intel) {
    const feeds = intel.store.feeds();
    const oldest = Math.max(...feeds.map((feed) => now.getTime() - Date.parse(feed.fetchedAt)));
    const names = feeds
      .map((feed) => feed.name)
      .sort()
      .join(', ');
    out.push(`threat data: ${intel.label} (${names}; oldest ${formatAge(oldest)})`);
  }
  const rows = foldPlatforms(result.findings);
  if (rows.length > 0) {
    out.push('');
    out.push(
      renderTable(rows, [
        { header: 'SEVERITY', value: (row: Row) => row.finding.severity.toUpperCase() },
        { header: 'CHECK', value: (row) => row.finding.check },
        {
          header: 'PACKAGE',
          value: (row) => `${row.finding.subject?.name ?? ''} ${row.finding.subject?.version ?? ''}`,
          maxWidth: 40,
        },
        { header: 'PLATFORMS', value: (row) => row.platforms.join(','), maxWidth: 30 },
        { header: 'ID', value: (row) => row.finding.rule },
        { header: 'KEV', value: (row) => (row.finding.evidence.kev === true ? 'yes' : '') },
        { header: 'VIA', value: (row) => String(row.finding.evidence.mappedBy ?? '') },
        { header: 'FIX', value: (row) => fixText(row.finding), maxWidth: 24 },
      ]),
    );
  }
  const { summary } = result;
  out.push('');
  out.push(
    `${summary.packages} packages, ${summary.findings} finding(s): ${
      Object.entries(summary.bySeverity)
        .filter(([, count]) => count > 0)
        .reverse()
        .map(([severity, count]) => `${count} ${severity}`)
        .join(', ') || 'none'
    }${summary.kev ? `; ${summary.kev} known exploited (KEV)` : ''}${summary.malicious ? `; ${summary.malicious} malicious` : ''}`,
  );
  if (summary.undecided.length > 0) {
    out.push(
      `undecided (${summary.undecided.length}): ${summary.undecided.slice(0, 5).join('; ')}${summary.undecided.length > 5 ? '; …' : ''}`,
    );
  }
  if (result.verdict.outcome === 'fail') {
    out.push(`FAIL — ${result.verdict.reasons.length} reason(s):`);
    for (const reason of result.verdict.reasons.slice(0, 20)) out.push(`  ${reason}`);
    if (result.verdict.reasons.length > 20) out.push(`  … and ${result.verdict.reasons.length - 20} more`);
  } else {
    out.push('PASS');
  }
  return `${out.join('\n')}\n`;
}

function fixText(finding: Finding): string {
  if (finding.check === 'malicious') return 'remove';
  if (finding.check === 'vulnerability') return String(finding.evidence.safeVersion ?? 'none known');
  return '-';
}

function foldPlatforms(findings: Finding[]): Row[] {
  const rows = new Map<string, Row>();
  for (const finding of findings) {
    const key = [
      finding.check,
      finding.rule,
      finding.subject?.ecosystem,
      finding.subject?.name,
      finding.subject?.version,
    ].join('\u0000');
    const row = rows.get(key);
    const platform = finding.subject?.platform ?? '';
    if (row) {
      if (!row.platforms.includes(platform)) row.platforms.push(platform);
    } else {
      rows.set(key, { finding, platforms: [platform] });
    }
  }
  return [...rows.values()];
}
