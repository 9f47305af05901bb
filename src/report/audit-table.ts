/**
 * `cvebuild gate` / `audit` for a person: one line per issue and package (platforms folded),
 * waived findings apart, then the verdict and its reasons. Text from outside goes through `line`
 * and the table's cells, which neutralise it for the terminal.
 */
import { isCodeFinding } from '../code/types.ts';
import {
  type Finding,
  isAdvisoryFinding,
  isFixedInBuild,
  isKnownExploited,
  isMaliciousRelease,
} from '../model/finding.ts';
import { line, plainDocument } from '../text/plain.ts';
import { formatAge } from '../util/duration.ts';
import type { ReportInput } from './report.ts';
import { locationText } from './report-view.ts';
import { renderTable } from './text-table.ts';

interface Row {
  finding: Finding;
  platforms: string[];
}

export function renderAuditTable(report: ReportInput): string {
  const out: string[] = [];
  out.push(line`policy: ${report.policy.source ?? 'built-in defaults'} (fail on ${report.policy.failOn} and above)`);
  if (report.intel) {
    const { feeds } = report.intel;
    const now = report.generatedAt.getTime();
    const oldest = Math.max(...feeds.map((feed) => now - Date.parse(feed.fetchedAt)));
    const names = feeds
      .map((feed) => feed.name)
      .sort()
      .join(', ');
    out.push(line`threat data: ${report.intel.label} (${names}; oldest ${formatAge(oldest)})`);
  }
  const open = report.findings.filter((finding) => !finding.waiver && !isFixedInBuild(finding));
  const waived = report.findings.filter((finding) => finding.waiver && !isFixedInBuild(finding));
  const fixed = report.findings.filter(isFixedInBuild);
  const rows = foldPlatforms(open);
  if (rows.length > 0) {
    out.push('');
    out.push(rows.every((row) => isCodeFinding(row.finding)) ? codeTable(report, rows) : packageTable(report, rows));
  }
  const waivedRows = foldPlatforms(waived);
  if (waivedRows.length > 0) {
    out.push('');
    out.push(`waived (${waivedRows.length}):`);
    out.push(
      renderTable(waivedRows, [
        { header: 'SEVERITY', value: (row: Row) => severityText(row.finding) },
        {
          header: subjectHeader(waivedRows),
          value: (row) => subjectText(report, row.finding),
          maxWidth: waivedRows.every((row) => isCodeFinding(row.finding)) ? undefined : 40,
        },
        { header: 'ID', value: (row) => row.finding.rule },
        { header: 'EXPIRES', value: (row) => row.finding.waiver?.expires ?? '' },
        { header: 'BY', value: (row) => row.finding.waiver?.by ?? '', maxWidth: 24 },
        { header: 'REASON', value: (row) => row.finding.waiver?.reason ?? '', maxWidth: 48 },
      ]),
    );
  }
  const fixedRows = foldPlatforms(fixed);
  if (fixedRows.length > 0) {
    out.push('');
    out.push(`fixed in this build (${fixedRows.length}): the package's own recipe applies a patch for it`);
    out.push(
      renderTable(fixedRows, [
        { header: 'SEVERITY', value: (row: Row) => severityText(row.finding) },
        { header: 'PACKAGE', value: (row) => subjectText(report, row.finding), maxWidth: 40 },
        { header: 'ID', value: (row) => row.finding.rule },
        { header: 'PATCH', value: (row) => patchText(row.finding), maxWidth: 60 },
      ]),
    );
  }
  out.push('');
  out.push(summaryLine(report));
  const unmapped = report.notCheckedForCves;
  if (unmapped && unmapped.packages > 0) {
    const why = unmapped.reasons.map(({ reason, packages }) => `${packages} ${reason}`).join('; ');
    out.push(
      line`not checked for CVEs: ${unmapped.packages} of ${report.inventory.packages.length} packages map to no advisory source (${why}); see \`cvebuild coverage\``,
    );
  }
  if (report.undecided.length > 0) {
    out.push(
      line`undecided (${report.undecided.length}): ${report.undecided.slice(0, 5).join('; ')}${report.undecided.length > 5 ? '; …' : ''}`,
    );
  }
  for (const warning of report.verdict.warnings) out.push(line`warning: ${warning}`);
  if (report.verdict.outcome === 'fail') {
    out.push(`FAIL — ${report.verdict.reasons.length} reason(s):`);
    for (const reason of report.verdict.reasons.slice(0, 20)) out.push(line`  ${reason}`);
    if (report.verdict.reasons.length > 20) out.push(`  … and ${report.verdict.reasons.length - 20} more`);
  } else {
    out.push('PASS');
  }
  return plainDocument(`${out.join('\n')}\n`);
}

function summaryLine(report: ReportInput): string {
  const counts = new Map<string, number>();
  for (const finding of report.findings) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  const bySeverity = ['critical', 'high', 'medium', 'unknown', 'low', 'info']
    .filter((severity) => counts.has(severity))
    .map((severity) => `${counts.get(severity)} ${severity}`)
    .join(', ');
  const kev = report.findings.filter(isKnownExploited).length;
  const malicious = report.findings.filter(isMaliciousRelease).length;
  const waived = report.findings.filter((finding) => finding.waiver).length;
  const fixed = report.findings.filter(isFixedInBuild).length;
  const packages = report.inventory.sources.length > 0 ? `${report.inventory.packages.length} packages, ` : '';
  return `${packages}${report.findings.length} finding(s): ${bySeverity || 'none'}${
    kev ? `; ${kev} known exploited (KEV)` : ''
  }${malicious ? `; ${malicious} malicious` : ''}${waived ? `; ${waived} waived` : ''}${fixed ? `; ${fixed} fixed in build` : ''}`;
}

/** `patches/CVE-2018-25032.patch (file name)`: which patch, and where it names the advisory. */
export function patchText(finding: Finding): string {
  const patches = finding.flags?.fixedInBuild?.patches ?? [];
  const shown = new Map<string, string[]>();
  for (const { patch, how } of patches) {
    const name = patch.replace(/^info\/recipe\//, '');
    const hows = shown.get(name) ?? [];
    if (!hows.includes(how)) hows.push(how);
    shown.set(name, hows);
  }
  return [...shown].map(([name, hows]) => `${name} (${hows.join(', ')})`).join('; ');
}

function packageTable(report: ReportInput, rows: Row[]): string {
  return renderTable(rows, [
    { header: 'SEVERITY', value: (row: Row) => severityText(row.finding) },
    { header: 'CHECK', value: (row) => row.finding.check },
    { header: subjectHeader(rows), value: (row) => subjectText(report, row.finding), maxWidth: 40 },
    { header: 'PLATFORMS', value: (row) => row.platforms.join(','), maxWidth: 30 },
    { header: 'ID', value: (row) => row.finding.rule },
    { header: 'KEV', value: (row) => (isKnownExploited(row.finding) ? 'yes' : '') },
    { header: 'VIA', value: (row) => String(row.finding.evidence.mappedBy ?? '') },
    { header: 'FIX', value: (row) => fixText(row.finding), maxWidth: 24 },
  ]);
}

/** Findings about files only (`scan-code`): where, what, and the rule, without package columns. */
function codeTable(report: ReportInput, rows: Row[]): string {
  return renderTable(rows, [
    { header: 'SEVERITY', value: (row: Row) => severityText(row.finding) },
    { header: 'CHECK', value: (row) => row.finding.check },
    { header: 'FILE', value: (row) => locationText(report.root, row.finding.location) },
    { header: 'ID', value: (row) => row.finding.rule },
    { header: 'FINDING', value: (row) => codeMessage(row.finding) },
  ]);
}

/** The message without the `file:line:` it starts with (the FILE column shows it). */
function codeMessage(finding: Finding): string {
  const path = finding.evidence.path;
  const prefix = typeof path === 'string' ? `${path}:${finding.location?.line}: ` : '';
  return prefix && finding.message.startsWith(prefix) ? finding.message.slice(prefix.length) : finding.message;
}

function subjectHeader(rows: readonly Row[]): string {
  const code = rows.filter((row) => isCodeFinding(row.finding)).length;
  return code === 0 ? 'PACKAGE' : code === rows.length ? 'FILE' : 'PACKAGE / FILE';
}

function subjectText(report: ReportInput, finding: Finding): string {
  if (isCodeFinding(finding)) return locationText(report.root, finding.location);
  return `${finding.subject?.name ?? ''} ${finding.subject?.version ?? ''}`;
}

function severityText(finding: Finding): string {
  const severity = finding.severity.toUpperCase();
  return finding.originalSeverity ? `${severity} (was ${finding.originalSeverity})` : severity;
}

function fixText(finding: Finding): string {
  if (!isAdvisoryFinding(finding)) return '-';
  if (isMaliciousRelease(finding)) return 'remove';
  return String(finding.evidence.safeVersion ?? 'none known');
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
      finding.subject ? '' : `${finding.location?.file}:${finding.location?.line}:${finding.location?.column}`,
      finding.subject ? '' : finding.message,
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
