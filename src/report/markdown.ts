/**
 * The audit as GitHub-flavoured Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY: the
 * verdict first, then why, the counts, the findings (blocking first), the waived ones folded away,
 * and the policy and threat data behind them. Sized to fit a comment: rows are dropped, never cut.
 */
import { type Finding, isKnownExploited } from '../model/finding.ts';
import { code, link, markdownDocument, row, text } from './markdown-text.ts';
import { alwaysFailing, type ReportInput } from './report.ts';
import {
  countReport,
  type FindingRow,
  feedViews,
  findingRows,
  findingText,
  fixText,
  formatTime,
  isActive,
  isFixedHere,
  isWaived,
  locationText,
  packageLabel,
  plural,
  type ReportCounts,
  SEVERITIES_DESCENDING,
  verdictHeadline,
} from './report-view.ts';
import { advisoryUrl } from './rules.ts';
import { MAX_VERDICT_LINES, type VerdictLine, verdictLines } from './verdict-lines.ts';

export interface MarkdownOptions {
  /**
   * Longest output, in characters. Table rows that do not fit are left out and counted. The verdict,
   * its lines (one per package or rule) and footer are always kept (each list there is capped, so
   * they stay a few KB).
   */
  maxLength?: number;
}

/** GitHub limits comments to 65,536 characters; this leaves room for text around the report. */
export const MARKDOWN_MAX_LENGTH = 60_000;

/** A comment whose first line is this is a cvebuild report (so a bot can find and update it). */
export const MARKDOWN_MARKER = '<!-- cvebuild:report -->';

const MAX_LISTED = 20;

export function renderMarkdown(report: ReportInput, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? MARKDOWN_MAX_LENGTH;
  const counts = countReport(report);
  const rows = findingRows(report.findings);
  const active = rows.filter((r) => isActive(r.finding)).map(findingLine);
  const waived = rows.filter((r) => isWaived(r.finding)).map(waivedLine);
  const fixed = rows.filter((r) => isFixedHere(r.finding)).map(fixedLine);

  const head = [...verdict(report, counts), ...countsTable(counts)].join('\n');
  const tail = [...warnings(report), ...notCheckedForCves(report), ...undecided(report), ...footer(report)].join('\n');
  const assemble = (shownActive: number, shownWaived: number, shownFixed: number): string => {
    const parts = [head];
    if (active.length > 0) parts.push(findingsSection(active, shownActive));
    if (fixed.length > 0) parts.push(fixedSection(fixed, shownFixed));
    if (waived.length > 0) parts.push(waivedSection(waived, shownWaived));
    parts.push(tail);
    return `${parts.join('\n\n')}\n`;
  };
  const shownActive = mostThatFit(active.length, (n) => assemble(n, 0, 0).length <= maxLength);
  const shownFixed = mostThatFit(fixed.length, (n) => assemble(shownActive, 0, n).length <= maxLength);
  const shownWaived = mostThatFit(waived.length, (n) => assemble(shownActive, n, shownFixed).length <= maxLength);
  return markdownDocument(assemble(shownActive, shownWaived, shownFixed));
}

/**
 * The largest n ≤ total for which `fits(n)` holds (0 when none does). `fits` is monotone below
 * `total`; `total` itself is tried first because it drops the "… and N more" line.
 */
function mostThatFit(total: number, fits: (n: number) => boolean): number {
  if (fits(total)) return total;
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

function verdict(report: ReportInput, counts: ReportCounts): string[] {
  const outcome = report.verdict.outcome === 'fail' ? 'FAIL' : 'PASS';
  const out = [
    MARKDOWN_MARKER,
    `**cvebuild: ${outcome}** — ${text(verdictHeadline(report, counts))} in ${code(report.target)}${report.inventory.sources.length > 0 ? ` (${plural(counts.packages, 'package')})` : ''}`,
  ];
  const lines = report.verdict.outcome === 'fail' ? verdictLines(report) : [];
  if (lines.length > 0) {
    out.push('', 'Why it fails:', '');
    out.push(...lines.slice(0, MAX_VERDICT_LINES).map((line) => `- ${reasonMarkdown(line)}`));
    if (lines.length > MAX_VERDICT_LINES) out.push(`- … and ${lines.length - MAX_VERDICT_LINES} more reasons`);
  }
  return out;
}

/** `` `pillow 10.4.0`: 12 advisories (…) ``: the package as code, the rest as text. */
function reasonMarkdown(line: VerdictLine): string {
  const rest = text(line.parts.map((part) => part.text).join(''));
  if (line.subject !== undefined) return `${code(line.subject)}: ${rest}`;
  return line.kind ? `${text(line.kind)}: ${rest}` : rest;
}

/** Findings per check (rows) and severity (columns); only checks and severities that occur are shown. */
function countsTable(counts: ReportCounts): string[] {
  const reported = counts.byCheck.filter((check) => check.active + check.waived + check.fixedInBuild > 0);
  const clean = counts.byCheck
    .filter((check) => check.active + check.waived + check.fixedInBuild === 0)
    .map((check) => code(check.id));
  if (reported.length === 0) return ['', `No findings from ${plural(clean.length, 'check')}: ${clean.join(', ')}.`];
  const severities = SEVERITIES_DESCENDING.filter((severity) => counts.bySeverity[severity] > 0);
  const out = [
    '',
    row(['Check', 'Findings', 'Blocking', 'Waived', ...severities]),
    `|---|${'--:|'.repeat(3 + severities.length)}`,
  ];
  for (const check of reported) {
    out.push(
      row([
        code(check.id),
        String(check.active),
        String(check.blocking),
        String(check.waived),
        ...severities.map((severity) => String(check.bySeverity[severity])),
      ]),
    );
  }
  if (reported.length > 1) {
    out.push(
      row([
        '**Total**',
        `**${counts.findings}**`,
        `**${counts.blocking}**`,
        `**${counts.waived}**`,
        ...severities.map((severity) => `**${counts.bySeverity[severity]}**`),
      ]),
    );
  }
  if (clean.length > 0) out.push('', `No findings from ${clean.join(', ')}.`);
  return out;
}

function findingsSection(lines: readonly string[], shown: number): string {
  const out = ['### Findings', ''];
  if (shown > 0) {
    out.push(row(['Severity', 'Package', 'Platform', 'Check', 'Finding', 'Fix']), '|---|---|---|---|---|---|');
    out.push(...lines.slice(0, shown));
  }
  if (shown < lines.length) out.push(...(shown > 0 ? [''] : []), moreNotice(lines.length - shown, 'findings'));
  return out.join('\n');
}

function waivedSection(lines: readonly string[], shown: number): string {
  const out = [
    '<details>',
    `<summary>Waived findings (${lines.length})</summary>`,
    '',
    'Accepted by a waiver in the policy (until it expires) or by an inline suppression next to the code: they do not decide the verdict.',
    '',
  ];
  if (shown > 0) {
    out.push(
      row(['Severity', 'Package', 'Platform', 'Check', 'Finding', 'Reason', 'By', 'Expires']),
      '|---|---|---|---|---|---|---|---|',
      ...lines.slice(0, shown),
    );
  }
  if (shown < lines.length) out.push(...(shown > 0 ? [''] : []), moreNotice(lines.length - shown, 'waived findings'));
  out.push('', '</details>');
  return out.join('\n');
}

function fixedSection(lines: readonly string[], shown: number): string {
  const out = [
    '<details>',
    `<summary>Fixed in this build (${lines.length})</summary>`,
    '',
    "The package's own recipe (info/recipe) applies a patch naming the advisory: its version is in the affected range, but this build carries the fix. They do not decide the verdict.",
    '',
  ];
  if (shown > 0) {
    out.push(
      row(['Severity', 'Package', 'Platform', 'Finding', 'Patch']),
      '|---|---|---|---|---|',
      ...lines.slice(0, shown),
    );
  }
  if (shown < lines.length) out.push(...(shown > 0 ? [''] : []), moreNotice(lines.length - shown, 'fixed findings'));
  out.push('', '</details>');
  return out.join('\n');
}

function fixedLine(r: FindingRow): string {
  const f = r.finding;
  const patches = (f.flags?.fixedInBuild?.patches ?? []).map(
    ({ patch, how, line }) => `${code(patch)} (${how}: ${text(line)})`,
  );
  return row([
    f.severity,
    code(packageLabel(f)) || '—',
    code(r.platforms.join(', ')),
    findingCell(f),
    [...new Set(patches)].join('; '),
  ]);
}

function findingLine(r: FindingRow): string {
  const f = r.finding;
  return row([
    severityCell(f),
    code(packageLabel(f)) || '—',
    code(r.platforms.join(', ')),
    code(f.check),
    findingCell(f),
    text(fixText(f)),
  ]);
}

function waivedLine(r: FindingRow): string {
  const f = r.finding;
  const waiver = f.waiver;
  return row([
    f.severity,
    code(packageLabel(f)) || '—',
    code(r.platforms.join(', ')),
    code(f.check),
    findingCell(f),
    waiver ? text(waiver.reason) : '',
    waiver?.by ? text(waiver.by) : '',
    waiver?.expires ? text(waiver.expires) : 'never',
  ]);
}

function severityCell(finding: Finding): string {
  const mapped = finding.originalSeverity ? ` (was ${finding.originalSeverity})` : '';
  return finding.blocking ? `**${finding.severity}**${mapped} · blocks` : `${finding.severity}${mapped}`;
}

function findingCell(finding: Finding): string {
  const url = advisoryUrl(finding.rule);
  const id = url ? link(finding.rule, url) : code(finding.rule);
  const kev = isKnownExploited(finding)
    ? ` **known exploited**${finding.flags?.kev?.dateAdded !== undefined ? ` (KEV since ${text(finding.flags.kev.dateAdded)})` : ''}`
    : '';
  return `${id}${kev}: ${text(findingText(finding))}`;
}

function warnings(report: ReportInput): string[] {
  const list = report.verdict.warnings;
  if (list.length === 0) return [];
  return ['**Policy warnings**', '', ...listed(list, 'warning'), ''];
}

/** Packages no advisory source covers: "nothing found" for them means "not looked at". */
function notCheckedForCves(report: ReportInput): string[] {
  const unmapped = report.notCheckedForCves;
  if (!unmapped || unmapped.packages === 0) return [];
  return [
    `**Not checked for CVEs:** ${unmapped.packages} of ${report.inventory.packages.length} packages map to no advisory source (\`cvebuild coverage\` lists them):`,
    '',
    ...listed(
      unmapped.reasons.map(({ reason, packages }) => `${packages} ${reason}`),
      'reason',
    ),
    '',
  ];
}

function undecided(report: ReportInput): string[] {
  const list = report.undecided;
  if (list.length === 0) return [];
  return [
    '<details>',
    `<summary>Undecided advisories (${list.length})</summary>`,
    '',
    'These advisories could not decide for the package (an unreadable version or no affected range). They are not findings.',
    '',
    ...listed(list, 'advisory', 'advisories'),
    '',
    '</details>',
    '',
  ];
}

function footer(report: ReportInput): string[] {
  const feeds = feedViews(report);
  const threat = report.intel
    ? `**Threat data:** ${text(report.intel.label)}${
        feeds.length > 0
          ? ` — ${feeds.map((feed) => `${code(feed.name)} ${feed.age} old (${plural(feed.count, 'record')})`).join(', ')}`
          : ''
      }`
    : '**Threat data:** none opened for this run';
  const policy = report.policy.source
    ? code(locationText(report.root, { file: report.policy.source }))
    : 'built-in defaults';
  // A trailing backslash is a hard line break: the three lines stay apart in every renderer.
  return [
    `${threat}\\`,
    `**Policy:** ${policy}, fail on ${code(report.policy.failOn)} and above; ${alwaysFailing(report.policy)}\\`,
    `${text(report.tool.name)} ${text(report.tool.version)} · ${formatTime(report.generatedAt)}`,
  ];
}

function listed(items: readonly string[], noun: string, nouns = `${noun}s`): string[] {
  const out = items.slice(0, MAX_LISTED).map((item) => `- ${text(item)}`);
  if (items.length > MAX_LISTED) out.push(`- … and ${items.length - MAX_LISTED} more ${nouns}`);
  return out;
}

function moreNotice(count: number, noun: string): string {
  return `… and ${count} more ${noun} (see the SARIF / HTML report)`;
}
