/**
 * The findings table (rendered here, sorted and filtered in the page by html-script) and the
 * waived findings beside it. Each row carries its sort keys and search text as data attributes.
 */
import { isKnownExploited, SEVERITIES } from '../model/finding.ts';
import { esc } from './html-escape.ts';
import { ruleLink, severityPill } from './html-evidence.ts';
import type { PackageIndex } from './html-packages.ts';
import type { ReportInput } from './report.ts';
import {
  type FindingRow,
  findingRows,
  findingText,
  fixText,
  isWaived,
  locationText,
  plural,
  SEVERITIES_DESCENDING,
} from './report-view.ts';

interface Column {
  label: string;
  /** How the page sorts the column; absent = not sortable. */
  sort?: 'severity' | 'number' | 'text';
}

const COLUMNS: Column[] = [
  { label: 'Severity', sort: 'severity' },
  { label: 'Package', sort: 'text' },
  { label: 'Check', sort: 'text' },
  { label: 'ID', sort: 'text' },
  { label: 'CVSS', sort: 'number' },
  { label: 'Summary', sort: 'text' },
  { label: 'Fix' },
];

export function findingsSection(report: ReportInput, index: PackageIndex): string {
  const rows = findingRows(report.findings).filter((row) => !isWaived(row.finding));
  const severities = SEVERITIES_DESCENDING.filter((severity) => rows.some((row) => row.finding.severity === severity));
  const checks = [...new Set(rows.map((row) => row.finding.check))].sort();
  const body =
    rows.length === 0
      ? `<p class="empty-state">No findings${report.findings.length > 0 ? ' that are not waived' : ''}.</p>`
      : `<div class="toolbar needs-js" role="search">
<label class="field grow"><span class="sr-only">Search findings</span><input type="search" id="finding-filter" placeholder="Search package, ID, summary…" autocomplete="off"></label>
<label class="field"><span class="sr-only">Severity</span><select id="severity-filter"><option value="">All severities</option>${severities
          .map((severity) => `<option value="${severity}">${severity}</option>`)
          .join('')}</select></label>
<label class="field"><span class="sr-only">Check</span><select id="check-filter"><option value="">All checks</option>${checks
          .map((check) => `<option value="${esc(check)}">${esc(check)}</option>`)
          .join('')}</select></label>
<span class="toolbar-count" id="finding-count" aria-live="polite">${esc(plural(rows.length, 'finding'))}</span>
</div>
<div class="table-wrap">
<table class="findings" id="findings-table">
<thead><tr>${COLUMNS.map(header).join('')}</tr></thead>
<tbody>
${rows.map((row) => findingRowHtml(row, index)).join('\n')}
<tr class="no-match" id="findings-empty" hidden><td colspan="${COLUMNS.length}">No findings match the filter.</td></tr>
</tbody>
</table>
</div>`;
  return `<section class="panel" id="findings" aria-labelledby="findings-title">
<div class="panel-head">
<h2 id="findings-title">Findings <span class="count">${rows.length}</span></h2>
<p class="panel-note">Blocking findings first, then by severity. One row per issue and package; platforms are folded together.</p>
</div>
${body}
</section>`;
}

function header(column: Column): string {
  if (!column.sort) return `<th scope="col">${esc(column.label)}</th>`;
  return `<th scope="col" data-sort-type="${column.sort}"><button type="button" class="sort">${esc(column.label)}<span class="sort-icon" aria-hidden="true"></span></button></th>`;
}

function findingRowHtml(row: FindingRow, index: PackageIndex): string {
  const f = row.finding;
  const score = typeof f.evidence.score === 'number' ? f.evidence.score : undefined;
  const aliases = f.flags?.aliases ?? [];
  const text = [
    f.subject?.name,
    f.subject?.version,
    f.subject?.ecosystem,
    ...row.platforms,
    f.check,
    f.rule,
    ...aliases,
    f.severity,
    f.message,
    fixText(f),
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  const anchor = index.anchorOf(f);
  const name = f.subject
    ? `<span class="pkg-name">${esc(f.subject.name)}</span> <span class="pkg-version">${esc(f.subject.version)}</span>`
    : '<span class="muted">project</span>';
  const where = [f.subject?.ecosystem, row.platforms.join(', ')].filter(Boolean).join(' · ');
  return `<tr class="finding-row${f.blocking ? ' is-blocking' : ''}" data-severity="${esc(f.severity)}" data-check="${esc(f.check)}" data-text="${esc(text)}">
<td data-label="Severity" data-sort="${SEVERITIES.indexOf(f.severity)}">${severityPill(f)}${f.blocking ? ' <span class="tag tag-block">blocks</span>' : ''}</td>
<td data-label="Package" data-sort="${esc(`${f.subject?.name.toLowerCase() ?? ''} ${f.subject?.version ?? ''}`)}">${
    anchor ? `<a class="pkg-link" href="#${anchor}">${name}</a>` : name
  }${where ? `<span class="sub">${esc(where)}</span>` : ''}</td>
<td data-label="Check">${esc(f.check)}</td>
<td data-label="ID" data-sort="${esc(f.rule)}">${ruleLink(f.rule)}${isKnownExploited(f) ? ' <span class="tag tag-kev">KEV</span>' : ''}</td>
<td data-label="CVSS" data-sort="${score ?? -1}" class="num">${score !== undefined ? esc(score.toFixed(1)) : '<span class="muted">—</span>'}</td>
<td data-label="Summary" class="summary">${esc(findingText(f))}</td>
<td data-label="Fix" class="fix">${esc(fixText(f))}</td>
</tr>`;
}

export function waivedSection(report: ReportInput, index: PackageIndex): string {
  const rows = findingRows(report.findings).filter((row) => isWaived(row.finding));
  if (rows.length === 0) return '';
  return `<section class="panel" id="waived" aria-labelledby="waived-title">
<div class="panel-head">
<h2 id="waived-title">Waived findings <span class="count">${rows.length}</span></h2>
<p class="panel-note">Accepted by a waiver in the policy (until it expires) or by an inline suppression next to the code: they do not decide the verdict.</p>
</div>
<div class="table-wrap">
<table class="waived" id="waived-table">
<thead><tr><th scope="col">Severity</th><th scope="col">Package</th><th scope="col">ID</th><th scope="col">Reason</th><th scope="col">By</th><th scope="col">Expires</th><th scope="col">Waiver</th></tr></thead>
<tbody>
${rows
  .map((row) => {
    const f = row.finding;
    const waiver = f.waiver;
    const anchor = index.anchorOf(f);
    const name = f.subject ? `${esc(f.subject.name)} ${esc(f.subject.version)}` : '<span class="muted">project</span>';
    return `<tr data-severity="${esc(f.severity)}">
<td data-label="Severity">${severityPill(f)}</td>
<td data-label="Package">${anchor ? `<a class="pkg-link" href="#${anchor}">${name}</a>` : name}${
      row.platforms.length > 0 ? `<span class="sub">${esc(row.platforms.join(', '))}</span>` : ''
    }</td>
<td data-label="ID">${ruleLink(f.rule)}<span class="sub">${esc(f.check)}</span></td>
<td data-label="Reason">${esc(waiver?.reason ?? '')}</td>
<td data-label="By">${esc(waiver?.by ?? '—')}</td>
<td data-label="Expires">${esc(waiver?.expires ?? 'never')}</td>
<td data-label="Waiver"><code>${esc(waiver ? locationText(report.root, waiver.origin) : '')}</code></td>
</tr>`;
  })
  .join('\n')}
</tbody>
</table>
</div>
</section>`;
}
