/**
 * The channel-wide CVE map as JSON (stable: keys and lists sorted, one document), as a terminal
 * summary, and as one self-contained HTML page a maintainer browses (the gate report's frame,
 * stylesheet and table script: sortable and filterable, every value escaped).
 */
import { compareSeverity, SEVERITIES, type Severity } from '../../model/finding.ts';
import { esc } from '../../report/html-escape.ts';
import { ruleLink } from '../../report/html-evidence.ts';
import { htmlPage } from '../../report/html-page.ts';
import { REPORT_SCRIPT } from '../../report/html-script.ts';
import { REPORT_CSS } from '../../report/html-style.ts';
import { TOOL } from '../../report/report.ts';
import { renderTable } from '../../report/text-table.ts';
import type { AdvisoryDetail, AffectedName, AffectedVersion, ChannelAuditResult } from './types.ts';

export const CHANNEL_AUDIT_FORMATS = ['table', 'json', 'html'] as const;
export type ChannelAuditFormat = (typeof CHANNEL_AUDIT_FORMATS)[number];

/** Bumped when the JSON's shape changes incompatibly. */
export const CHANNEL_AUDIT_SCHEMA = 1;
/** Rows of the HTML table; the JSON carries every one. */
const MAX_HTML_ROWS = 20_000;
/** Names listed in the terminal summary. */
const MAX_TABLE_ROWS = 50;

export function renderChannelAudit(result: ChannelAuditResult, format: ChannelAuditFormat): string {
  if (format === 'json') return renderChannelAuditJson(result);
  if (format === 'html') return renderChannelAuditHtml(result);
  return renderChannelAuditTable(result);
}

export function renderChannelAuditJson(result: ChannelAuditResult): string {
  return `${JSON.stringify({ schema: CHANNEL_AUDIT_SCHEMA, tool: { name: TOOL.name, version: TOOL.version }, ...result }, null, 2)}\n`;
}

function worstSeverity(version: AffectedVersion, advisories: Record<string, AdvisoryDetail>): Severity {
  let worst: Severity = 'info';
  for (const id of version.advisories) {
    const detail = advisories[id];
    if (detail?.malicious) return 'critical';
    if (detail && compareSeverity(detail.severity, worst) > 0) worst = detail.severity;
  }
  return worst;
}

function safeText(pkg: AffectedName): string {
  return pkg.lowestSafeVersion ?? `none (newest ${pkg.newestVersion} is affected)`;
}

export function renderChannelAuditTable(result: ChannelAuditResult): string {
  const { totals, coverage } = result;
  const lines = [
    `channel ${result.channel} (${result.subdirs.map((subdir) => subdir.subdir).join(', ')})`,
    `threat data: ${result.threatData.label}`,
    `records: ${totals.records} read, ${totals.inScope} in scope, ${totals.audited} new (audited now), ${totals.reused} unchanged since the last run`,
    `names: ${coverage.names}, ${coverage.mapped} mapped to an advisory source, ${coverage.unmapped} not looked at (no upstream product or PyPI name)`,
    `affected: ${totals.affectedNames} names, ${totals.affectedRecords} records, ${totals.advisories} advisories (${totals.kevRecords} records with KEV, ${totals.maliciousRecords} malicious)`,
  ];
  for (const gap of coverage.notChecked) lines.push(`NOT CHECKED: ${gap.names} names: ${gap.reason}`);
  if (result.packages.length === 0) return `${lines.join('\n')}\n`;
  const rows = result.packages.slice(0, MAX_TABLE_ROWS).map((pkg) => {
    const severities = pkg.versions.map((version) => worstSeverity(version, result.advisories));
    const worst = severities.sort((a, b) => compareSeverity(b, a))[0] ?? 'info';
    return {
      name: pkg.name,
      versions: String(pkg.versions.length),
      worst: pkg.versions.some((version) => version.malicious) ? 'malicious' : worst,
      kev: pkg.versions.some((version) => version.kev) ? 'KEV' : '',
      advisories: String(new Set(pkg.versions.flatMap((version) => version.advisories)).size),
      safe: safeText(pkg),
    };
  });
  const table = renderTable(rows, [
    { header: 'NAME', value: (row) => row.name, maxWidth: 40 },
    { header: 'AFFECTED VERSIONS', value: (row) => row.versions },
    { header: 'WORST', value: (row) => row.worst },
    { header: 'KEV', value: (row) => row.kev },
    { header: 'ADVISORIES', value: (row) => row.advisories },
    { header: 'LOWEST SAFE', value: (row) => row.safe, maxWidth: 48 },
  ]);
  const more =
    result.packages.length > MAX_TABLE_ROWS
      ? `\n... and ${result.packages.length - MAX_TABLE_ROWS} more names (write --output FILE.json or .html for all)`
      : '';
  return `${lines.join('\n')}\n\n${table}${more}\n`;
}

export function renderChannelAuditHtml(result: ChannelAuditResult): string {
  const { totals, coverage } = result;
  const rows = result.packages.flatMap((pkg) => pkg.versions.map((version) => ({ pkg, version })));
  const shown = rows.slice(0, MAX_HTML_ROWS);
  const severities = SEVERITIES.filter((severity) =>
    shown.some(({ version }) => worstSeverity(version, result.advisories) === severity),
  ).reverse();
  const affected = totals.affectedNames > 0;
  const when = esc(result.generatedAt);
  const share = coverage.names === 0 ? 0 : Math.round((coverage.mapped / coverage.names) * 1000) / 10;
  const verdict = `<section class="verdict verdict-${affected ? 'fail' : 'pass'}" id="verdict" aria-labelledby="verdict-title">
<div class="verdict-head">
<span class="verdict-badge" aria-hidden="true">${affected ? '!' : '✓'}</span>
<div>
<p class="verdict-kicker">cvebuild channel audit</p>
<h1 id="verdict-title"><span class="verdict-headline">${esc(`${totals.affectedNames} of ${coverage.names} names affected`)}</span></h1>
<p class="verdict-detail"><code>${esc(result.channel)}</code> · ${esc(result.subdirs.map((subdir) => subdir.subdir).join(', '))} · ${esc(`${totals.inScope} records in scope, ${totals.audited} audited in this run`)}</p>
</div>
</div>
</section>`;
  const cards = `<section class="cards" aria-label="Totals">
${card('Names', coverage.names, 'in scope', false)}
${card('Looked at', `${share}%`, `${coverage.mapped} names map to an advisory source`, coverage.unmapped > 0)}
${card('Affected names', totals.affectedNames, `${totals.affectedRecords} records`, totals.affectedNames > 0)}
${card('Advisories', totals.advisories, 'distinct ids', false)}
${card('KEV', totals.kevRecords, 'records known exploited', totals.kevRecords > 0)}
${card('Malicious', totals.maliciousRecords, 'records', totals.maliciousRecords > 0)}
</section>`;
  const notChecked =
    coverage.notChecked.length === 0
      ? ''
      : `<div class="callout callout-warn"><strong>Not checked.</strong> The threat data lacks some kinds of data, so these names were not fully looked at:<ul>${coverage.notChecked
          .map((gap) => `<li>${esc(`${gap.names} names: ${gap.reason}`)}</li>`)
          .join('')}</ul></div>`;
  const coveragePanel = `<section class="panel" id="coverage" aria-labelledby="coverage-title">
<div class="panel-head"><h2 id="coverage-title">Coverage</h2>
<p class="panel-note">A name no advisory source maps to was not looked at: "nothing found" does not mean "safe" for it.</p></div>
${notChecked}
<div class="table-wrap"><table class="findings"><thead><tr><th scope="col">Mapping</th><th scope="col" class="num">Names</th></tr></thead><tbody>
${Object.entries(coverage.byKind)
  .map(([kind, names]) => `<tr><td>${esc(kind)}</td><td class="num">${esc(names)}</td></tr>`)
  .join('\n')}
</tbody></table></div>
${
  coverage.unmappedReasons.length === 0
    ? ''
    : `<h3>Why names were not looked at</h3><ul class="reasons">${coverage.unmappedReasons
        .map((reason) => `<li><span class="reason-kind">${esc(reason.names)}</span> ${esc(reason.reason)}</li>`)
        .join('')}</ul>`
}
</section>`;
  const table =
    rows.length === 0
      ? '<p class="empty-state">No advisory affects any record in scope.</p>'
      : `<div class="toolbar needs-js" role="search">
<label class="field grow"><span class="sr-only">Search</span><input type="search" id="finding-filter" placeholder="Search name, version, ID, subdir…" autocomplete="off"></label>
<label class="field"><span class="sr-only">Severity</span><select id="severity-filter"><option value="">All severities</option>${severities
          .map((severity) => `<option value="${severity}">${severity}</option>`)
          .join('')}</select></label>
<label class="field"><span class="sr-only">Kind</span><select id="check-filter"><option value="">Vulnerable and malicious</option><option value="vulnerability">vulnerability</option><option value="malicious">malicious</option></select></label>
<span class="toolbar-count" id="finding-count" aria-live="polite">${esc(`${shown.length} versions`)}</span>
</div>
<div class="table-wrap">
<table class="findings" id="findings-table">
<thead><tr>${header('Severity', 'severity')}${header('Package', 'text')}${header('Kind', 'text')}${header('Advisories', 'text')}${header('Builds', 'number')}${header('Fixed in', 'text')}${header('Lowest safe in channel', 'text')}</tr></thead>
<tbody>
${shown.map(({ pkg, version }) => versionRow(pkg, version, result.advisories)).join('\n')}
<tr class="no-match" id="findings-empty" hidden><td colspan="7">Nothing matches the filter.</td></tr>
</tbody>
</table>
</div>${rows.length > shown.length ? `<p class="panel-note">${esc(`The first ${shown.length} of ${rows.length} affected versions; the JSON output lists every one.`)}</p>` : ''}`;
  const packagesPanel = `<section class="panel" id="findings" aria-labelledby="findings-title">
<div class="panel-head"><h2 id="findings-title">Affected versions <span class="count">${rows.length}</span></h2>
<p class="panel-note">One row per affected version of a name; its builds across subdirs are folded together. "Fixed in" is the version the advisories' fixes lead to; "lowest safe in channel" is the lowest version the channel offers above every affected one.</p></div>
${table}
</section>`;
  const advisoriesPanel = `<section class="panel" id="advisories" aria-labelledby="advisories-title">
<div class="panel-head"><h2 id="advisories-title">Advisories <span class="count">${Object.keys(result.advisories).length}</span></h2></div>
<div class="table-wrap"><table class="findings"><thead><tr><th scope="col">ID</th><th scope="col">Severity</th><th scope="col">Aliases</th><th scope="col">Target</th><th scope="col">Summary</th></tr></thead><tbody>
${Object.values(result.advisories)
  .map(
    (detail) =>
      `<tr id="adv-${esc(detail.id)}"><td>${ruleLink(detail.id)}${detail.kev ? ' <span class="tag tag-kev">KEV</span>' : ''}${detail.malicious ? ' <span class="tag tag-block">malicious</span>' : ''}</td><td><span class="pill sev-${esc(detail.severity)}">${esc(detail.severity)}</span></td><td>${esc(detail.aliases.join(', '))}</td><td>${esc(detail.target ?? '')}</td><td class="summary">${esc(detail.summary ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>
</section>`;
  return htmlPage({
    title: `cvebuild channel audit — ${result.channel}`,
    fail: affected,
    generator: `${TOOL.name} ${TOOL.version}`,
    kind: 'channel CVE map',
    meta: `<span>Channel <code>${esc(result.channel)}</code></span><span>${when}</span>`,
    main: [verdict, cards, packagesPanel, coveragePanel, advisoriesPanel].join('\n'),
    footer: `Generated by ${esc(TOOL.name)} ${esc(TOOL.version)} on ${when} from ${esc(result.threatData.label)}.`,
    css: REPORT_CSS,
    script: REPORT_SCRIPT,
  });
}

function card(label: string, value: string | number, note: string, alert: boolean): string {
  return `<div class="card${alert ? ' card-alert' : ''}"><span class="card-label">${esc(label)}</span><span class="card-value">${esc(value)}</span><span class="card-note">${esc(note)}</span></div>`;
}

function header(label: string, sort: 'severity' | 'number' | 'text'): string {
  return `<th scope="col" data-sort-type="${sort}"><button type="button" class="sort">${esc(label)}<span class="sort-icon" aria-hidden="true"></span></button></th>`;
}

function versionRow(pkg: AffectedName, version: AffectedVersion, advisories: Record<string, AdvisoryDetail>): string {
  const severity = worstSeverity(version, advisories);
  const kind = version.malicious ? 'malicious' : 'vulnerability';
  const subdirs = [...new Set(version.builds.map((build) => build.subdir))].join(', ');
  const aliases = version.advisories.flatMap((id) => advisories[id]?.aliases ?? []);
  const text = [pkg.name, version.version, kind, severity, subdirs, ...version.advisories, ...aliases]
    .join(' ')
    .toLowerCase();
  const ids = version.advisories
    .map((id) => `${ruleLink(id)}${advisories[id]?.kev ? ' <span class="tag tag-kev">KEV</span>' : ''}`)
    .join(' ');
  return `<tr class="finding-row" data-severity="${esc(severity)}" data-check="${kind}" data-text="${esc(text)}">
<td data-label="Severity" data-sort="${version.malicious ? SEVERITIES.length : SEVERITIES.indexOf(severity)}"><span class="pill sev-${esc(severity)}">${esc(version.malicious ? 'malicious' : severity)}</span></td>
<td data-label="Package" data-sort="${esc(`${pkg.name} ${version.version}`)}"><span class="pkg-name">${esc(pkg.name)}</span> <span class="pkg-version">${esc(version.version)}</span><span class="sub">${esc(subdirs)}</span></td>
<td data-label="Kind">${kind}</td>
<td data-label="Advisories" data-sort="${esc(version.advisories.join(' '))}">${ids}</td>
<td data-label="Builds" data-sort="${version.builds.length}" class="num">${esc(version.builds.length)}</td>
<td data-label="Fixed in">${esc(version.fixedIn ?? '—')}</td>
<td data-label="Lowest safe in channel">${esc(safeText(pkg))}</td>
</tr>`;
}
