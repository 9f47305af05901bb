/** The top of the HTML report: the verdict banner with its reasons, the summary cards and the charts. */
import { barChart } from './html-chart.ts';
import { esc } from './html-escape.ts';
import { alwaysFailing, type ReportInput } from './report.ts';
import { plural, type ReportCounts, relativePath, SEVERITIES_DESCENDING, verdictHeadline } from './report-view.ts';

const MAX_REASONS = 50;

export function verdictBanner(report: ReportInput, counts: ReportCounts): string {
  const fail = report.verdict.outcome === 'fail';
  const word = fail ? 'FAIL' : 'PASS';
  const policy = report.policy.source
    ? `the policy in ${relativePath(report.root, report.policy.source)}`
    : 'the built-in policy';
  const reasons = report.verdict.reasons;
  const list =
    reasons.length === 0
      ? ''
      : `<h2 class="verdict-subtitle">${fail ? 'Why it fails' : 'Reasons'}</h2>
<ul class="reasons">
${reasons
  .slice(0, MAX_REASONS)
  .map((reason) => `<li>${reasonHtml(reason)}</li>`)
  .join(
    '\n',
  )}${reasons.length > MAX_REASONS ? `\n<li class="muted">… and ${reasons.length - MAX_REASONS} more</li>` : ''}
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

/** `malicious: litellm 1.82.7 (linux-64) MAL-2026-2144` with the kind set apart. */
function reasonHtml(reason: string): string {
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
