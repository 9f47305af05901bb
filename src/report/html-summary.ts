/**
 * The top of the HTML report: the verdict banner with its reasons (one line per package or rule,
 * each opening onto the advisories or findings behind it), the summary cards and the charts.
 */
import type { Finding } from '../model/finding.ts';
import { compareText } from '../model/package.ts';
import { barChart } from './html-chart.ts';
import { esc } from './html-escape.ts';
import { ruleLink, severityPill } from './html-evidence.ts';
import type { PackageIndex } from './html-packages.ts';
import { alwaysFailing, type ReportInput } from './report.ts';
import {
  findingText,
  locationText,
  plural,
  type ReportCounts,
  relativePath,
  SEVERITIES_DESCENDING,
  verdictHeadline,
} from './report-view.ts';
import { MAX_VERDICT_LINES, type VerdictLine, verdictLines } from './verdict-lines.ts';

export function verdictBanner(report: ReportInput, counts: ReportCounts, index?: PackageIndex): string {
  const fail = report.verdict.outcome === 'fail';
  const word = fail ? 'FAIL' : 'PASS';
  const policy = report.policy.source
    ? `the policy in ${relativePath(report.root, report.policy.source)}`
    : 'the built-in policy';
  const lines = fail ? verdictLines(report) : [];
  const list =
    lines.length === 0
      ? ''
      : `<h2 class="verdict-subtitle">Why it fails</h2>
<ul class="reasons">
${lines
  .slice(0, MAX_VERDICT_LINES)
  .map((line) => `<li>${reasonHtml(report, line, index)}</li>`)
  .join(
    '\n',
  )}${lines.length > MAX_VERDICT_LINES ? `\n<li class="muted">… and ${lines.length - MAX_VERDICT_LINES} more</li>` : ''}
</ul>`;
  return `<section class="verdict verdict-${fail ? 'fail' : 'pass'}" id="verdict" aria-labelledby="verdict-title">
<div class="verdict-head">
<span class="verdict-badge" aria-hidden="true">${fail ? '✕' : '✓'}</span>
<div>
<p class="verdict-kicker">cvebuild verdict</p>
<h1 id="verdict-title"><span class="verdict-word">${word}</span> <span class="verdict-headline">${esc(verdictHeadline(report, counts))}</span></h1>
<p class="verdict-detail">${esc(report.target)} · ${report.inventory.sources.length > 0 ? `${esc(plural(counts.packages, 'package'))} · ` : ''}${esc(policy)}, failing on <strong>${esc(report.policy.failOn)}</strong> and above, ${esc(alwaysFailing(report.policy))}</p>
</div>
</div>
${list}
</section>`;
}

/**
 * `critical pillow 10.4.0: 12 advisories (…)` with the kind set apart; a line that stands for
 * more than one finding opens onto them, each linked to its package's details.
 */
function reasonHtml(report: ReportInput, line: VerdictLine, index: PackageIndex | undefined): string {
  const rest = line.parts
    .map((part) => (part.tone ? `<span class="tone-${part.tone}">${esc(part.text)}</span>` : esc(part.text)))
    .join('');
  const head = line.kind === undefined ? '' : `<span class="reason-kind">${esc(line.kind)}</span> `;
  const text = line.subject === undefined ? rest : `<code class="reason-subject">${esc(line.subject)}</code>: ${rest}`;
  if (line.kind === undefined) return plainReasonHtml(line.parts.map((part) => part.text).join(''));
  if (line.findings.length <= 1 && !line.block) return `${head}${text}`;
  return `<details class="reason"><summary>${head}${text}</summary>
<ul class="reason-detail">
${detailItems(report, line, index).join('\n')}
</ul>
</details>`;
}

/** One item per advisory of a package (its platforms linking to their packages), or per finding of a rule. */
function detailItems(report: ReportInput, line: VerdictLine, index: PackageIndex | undefined): string[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of line.findings) {
    const key = line.block
      ? finding.rule
      : `${finding.rule}\u0000${finding.message}\u0000${finding.subject?.name ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()].map((findings) => {
    const [first] = findings as [Finding];
    // each platform (or place) once, linked to the first of its packages' details
    const where = new Map<string, string>();
    for (const finding of findings) {
      const label = finding.subject
        ? (finding.subject.platform ?? `${finding.subject.name} ${finding.subject.version}`)
        : locationText(report.root, finding.location);
      const anchor = index?.anchorOf(finding);
      if (!where.has(label)) where.set(label, anchor ? `<a href="#${anchor}">${esc(label)}</a>` : esc(label));
    }
    const shown = [...where].sort(([a], [b]) => compareText(a, b)).map(([, html]) => html);
    const kev = first.flags?.kev ? ' <span class="tag tag-kev">KEV</span>' : '';
    const rule = line.block ? `${ruleLink(first.rule)}${kev} ` : '';
    return `<li>${severityPill(first)} ${rule}${esc(line.block ? findingText(first) : first.message)}${
      shown.length > 0 ? ` <span class="reason-where">${shown.join(' ')}</span>` : ''
    }</li>`;
  });
}

/** A reason no finding stands behind, with the kind (`high: …`) set apart when it has one. */
function plainReasonHtml(reason: string): string {
  const match = /^([\w -]{1,30}): (.*)$/s.exec(reason);
  if (!match) return esc(reason);
  return `<span class="reason-kind">${esc(match[1] ?? '')}</span> ${esc(match[2] ?? '')}`;
}

export function policyWarnings(report: ReportInput): string {
  const warnings = report.verdict.warnings;
  if (warnings.length === 0) return '';
  return `<section class="callout callout-warn" id="warnings" aria-labelledby="warnings-title">
<h2 id="warnings-title">Policy ${warnings.length === 1 ? 'warning' : 'warnings'}</h2>
<ul>
${warnings.map((warning) => `<li>${esc(warning)}</li>`).join('\n')}
</ul>
</section>`;
}

/** A summary card; the build report shows its counts the same way. */
export interface Card {
  key: string;
  label: string;
  value: number;
  note: string;
  alert: boolean;
  href?: string;
}

export function summaryCards(report: ReportInput, counts: ReportCounts): string {
  const environments = report.inventory.environments.length;
  const platforms = new Set(report.inventory.packages.map((pkg) => pkg.platform)).size;
  const cards: Card[] = [
    {
      key: 'packages',
      label: 'Packages',
      value: counts.packages,
      note: `${plural(environments, 'environment')} · ${plural(platforms, 'platform')}`,
      alert: false,
      href: '#packages',
    },
    {
      key: 'findings',
      label: 'Findings',
      value: counts.findings,
      note: counts.fixedInBuild > 0 ? `not waived; ${counts.fixedInBuild} more fixed in build` : 'not waived',
      alert: false,
      href: '#findings',
    },
    {
      key: 'blocking',
      label: 'Blocking',
      value: counts.blocking,
      note: 'fail the gate',
      alert: counts.blocking > 0,
      href: '#findings',
    },
    {
      key: 'waived',
      label: 'Waived',
      value: counts.waived,
      note: 'accepted by the policy',
      alert: false,
      href: counts.waived > 0 ? '#waived' : undefined,
    },
    { key: 'kev', label: 'Known exploited', value: counts.kev, note: 'in CISA KEV', alert: counts.kev > 0 },
    {
      key: 'malicious',
      label: 'Malicious',
      value: counts.malicious,
      note: 'known-bad releases',
      alert: counts.malicious > 0,
    },
  ];
  return `<section class="cards" aria-label="Summary">
${cards.map(card).join('\n')}
</section>`;
}

export function card(c: Card): string {
  const inner = `<span class="card-label">${esc(c.label)}</span>
<span class="card-value">${c.value}</span>
<span class="card-note">${esc(c.note)}</span>`;
  const cls = `card${c.alert ? ' card-alert' : ''}`;
  return c.href
    ? `<a class="${cls}" data-card="${c.key}" href="${c.href}">${inner}</a>`
    : `<div class="${cls}" data-card="${c.key}">${inner}</div>`;
}

export function charts(counts: ReportCounts): string {
  const severity = barChart(
    'chart-severity',
    'Findings by severity',
    'finding',
    SEVERITIES_DESCENDING.map((sev) => ({ label: sev, value: counts.bySeverity[sev], tone: `sev-${sev}` })),
  );
  const check = barChart(
    'chart-check',
    'Findings by check',
    'finding',
    counts.byCheck.map((c) => ({ label: c.id, value: c.active, tone: 'bar-check' })),
  );
  return `<section class="panel charts" aria-label="Charts">
${severity}
${check}
<p class="chart-note">Counts are per package and platform, without waived findings.</p>
</section>`;
}
