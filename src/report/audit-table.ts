/**
 * `cvebuild gate` / `audit` for a person: one line per issue and package (platforms folded),
 * waived findings apart, then the verdict and its reasons, one line per package or rule
 * (`verdict-lines.ts`). Text from outside goes through `line` and the table's cells, which
 * neutralise it for the terminal.
 *
 * On a terminal the command line passes a `Paint`: severities and the verdict in colour. Colour
 * wraps text the plain rendering shows as it is, and only when the last guard over that plain
 * rendering changed nothing, so a colour sequence in the output is always cvebuild's own.
 */
import { isCodeFinding } from '../code/types.ts';
import {
  type Finding,
  isAdvisoryFinding,
  isFixedInBuild,
  isKnownExploited,
  isMaliciousRelease,
} from '../model/finding.ts';
import { noPaint, type Paint, type Tone } from '../terminal/colour.ts';
import { line, plain } from '../text/plain.ts';
import { formatAge } from '../util/duration.ts';
import { paintedDocument } from './painted.ts';
import type { ReportInput } from './report.ts';
import { locationText } from './report-view.ts';
import { renderTable } from './text-table.ts';
import { lineText, MAX_VERDICT_LINES, type VerdictLine, verdictLines } from './verdict-lines.ts';

interface Row {
  finding: Finding;
  platforms: string[];
}

export interface TableOptions {
  /** Colours for a terminal (default: none). */
  paint?: Paint;
}

export function renderAuditTable(report: ReportInput, options: TableOptions = {}): string {
  return paintedDocument((paint) => compose(report, paint), options.paint);
}

function compose(report: ReportInput, paint: Paint): string {
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
    out.push(
      rows.every((row) => isCodeFinding(row.finding))
        ? codeTable(report, rows, paint)
        : packageTable(report, rows, paint),
    );
  }
  const waivedRows = foldPlatforms(waived);
  if (waivedRows.length > 0) {
    out.push('');
    out.push(`waived (${waivedRows.length}):`);
    out.push(
      renderTable(waivedRows, [
        { header: 'SEVERITY', value: (row: Row) => severityText(row.finding), tone: (row) => row.finding.severity },
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
        { header: 'SEVERITY', value: (row: Row) => severityText(row.finding), tone: (row) => row.finding.severity },
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
    const lines = verdictLines(report);
    out.push(`${paint('fail', 'FAIL')} — ${lines.length} reason(s):`);
    for (const verdictLine of lines.slice(0, MAX_VERDICT_LINES)) out.push(`  ${paintedLine(verdictLine, paint)}`);
    if (lines.length > MAX_VERDICT_LINES) out.push(`  … and ${lines.length - MAX_VERDICT_LINES} more`);
  } else {
    out.push(paint('pass', 'PASS'));
  }
  return `${out.join('\n')}\n`;
}

/** A verdict line, its package or label in the line's colour and its severity counts in theirs. */
function paintedLine(verdictLine: VerdictLine, paint: Paint): string {
  if (paint === noPaint) return plain(lineText(verdictLine));
  const rest = verdictLine.parts
    .map((part) => (part.tone ? paint(part.tone, plain(part.text)) : plain(part.text)))
    .join('');
  const head = verdictLine.subject ?? verdictLine.kind;
  return head === undefined ? rest : `${paint(verdictLine.tone, plain(head))}: ${rest}`;
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

function packageTable(report: ReportInput, rows: Row[], paint: Paint): string {
  return renderTable(
    rows,
    [
      { header: 'SEVERITY', value: (row: Row) => severityText(row.finding), tone: (row) => severityTone(row.finding) },
      { header: 'CHECK', value: (row) => row.finding.check },
      { header: subjectHeader(rows), value: (row) => subjectText(report, row.finding), maxWidth: 40 },
      { header: 'PLATFORMS', value: (row) => row.platforms.join(','), maxWidth: 30 },
      { header: 'ID', value: (row) => row.finding.rule },
      { header: 'KEV', value: (row) => (isKnownExploited(row.finding) ? 'yes' : '') },
      { header: 'VIA', value: (row) => String(row.finding.evidence.mappedBy ?? '') },
      { header: 'FIX', value: (row) => fixText(row.finding), maxWidth: 24 },
    ],
    paint,
  );
}

/** Findings about files only (`scan-code`): where, what, and the rule, without package columns. */
function codeTable(report: ReportInput, rows: Row[], paint: Paint): string {
  return renderTable(
    rows,
    [
      { header: 'SEVERITY', value: (row: Row) => severityText(row.finding), tone: (row) => severityTone(row.finding) },
      { header: 'CHECK', value: (row) => row.finding.check },
      { header: 'FILE', value: (row) => locationText(report.root, row.finding.location) },
      { header: 'ID', value: (row) => row.finding.rule },
      { header: 'FINDING', value: (row) => codeMessage(row.finding) },
    ],
    paint,
  );
}

/** Malicious and known-exploited findings read as critical, whatever their severity. */
function severityTone(finding: Finding): Tone {
  return isMaliciousRelease(finding) || isKnownExploited(finding) ? 'critical' : finding.severity;
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
