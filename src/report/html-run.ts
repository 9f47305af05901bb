/**
 * How the verdict came about: the policy, the checks that ran, the threat data and its age, the
 * files read, and what could not be decided. A reviewer reads this to trust (or doubt) the page.
 */
import { esc } from './html-escape.ts';
import { facts } from './html-evidence.ts';
import { alwaysFailing, type ReportInput } from './report.ts';
import { feedViews, formatTime, locationText, plural, relativePath } from './report-view.ts';

const MAX_UNDECIDED = 500;

export function runSection(report: ReportInput): string {
  return `<section class="panel" id="run" aria-labelledby="run-title">
<div class="panel-head"><h2 id="run-title">About this run</h2></div>
<div class="run-grid">
<div>
<h3>Scope and policy</h3>
${facts([
  ['Target', `<code>${esc(report.target)}</code>`],
  ['Generated', esc(formatTime(report.generatedAt))],
  ['Tool', `${esc(report.tool.name)} ${esc(report.tool.version)}`],
  [
    'Policy',
    report.policy.source
      ? `<code>${esc(relativePath(report.root, report.policy.source))}</code>`
      : 'built-in defaults (no policy file)',
  ],
  ['Fails on', `<strong>${esc(report.policy.failOn)}</strong> and above; ${esc(alwaysFailing(report.policy))}`],
])}
<h3>Checks that ran</h3>
<ul class="check-list">
${report.checks.map((check) => `<li><code>${esc(check.id)}</code> <span class="muted">v${check.version}</span> ${esc(check.title)}</li>`).join('\n')}
</ul>
</div>
<div>
<h3>Threat data</h3>
${threatData(report)}
<h3>Files read</h3>
${inputs(report)}
</div>
</div>
${inventoryWarnings(report)}
${notCheckedForCves(report)}${undecided(report)}
</section>`;
}

function threatData(report: ReportInput): string {
  if (!report.intel) return '<p class="muted">No threat-intel store was opened for this run.</p>';
  const feeds = feedViews(report);
  const list =
    feeds.length === 0
      ? '<p class="muted">The store lists no feeds.</p>'
      : `<ul class="feed-list" id="feeds">
${feeds
  .map((feed) => {
    const fetched = Date.parse(feed.fetchedAt);
    return `<li data-feed="${esc(feed.name)}"><div class="feed-head"><code>${esc(feed.name)}</code><span class="feed-age">${esc(feed.age)} old</span></div>
<span class="sub">${esc(plural(feed.count, 'record'))} · fetched ${esc(Number.isNaN(fetched) ? feed.fetchedAt : formatTime(new Date(fetched)))}</span>
<span class="sub wrap">${esc(feed.url)}</span></li>`;
  })
  .join('\n')}
</ul>`;
  return `<p class="intel-label">${esc(report.intel.label)}</p>
${list}`;
}

function inputs(report: ReportInput): string {
  const sources = report.inventory.sources;
  if (sources.length === 0) return '<p class="muted">No input files.</p>';
  return `<ul class="source-list">
${sources
  .map((source) => {
    const records = source.records.conda + source.records.pypi + source.records.condaSource;
    return `<li><code>${esc(relativePath(report.root, source.path))}</code> <span class="muted">${esc(source.format)}${
      source.formatVersion !== undefined ? ` v${source.formatVersion}` : ''
    }${records > 0 ? ` · ${esc(plural(records, 'record'))}` : ''}</span></li>`;
  })
  .join('\n')}
</ul>`;
}

function inventoryWarnings(report: ReportInput): string {
  const warnings = report.inventory.warnings;
  if (warnings.length === 0) return '';
  return `<details class="run-details">
<summary>Warnings while reading the inputs <span class="count">${warnings.length}</span></summary>
<ul>
${warnings
  .map(
    (warning) =>
      `<li>${esc(warning.message)}${warning.origin ? ` <span class="muted">(${esc(locationText(report.root, warning.origin))})</span>` : ''}</li>`,
  )
  .join('\n')}
</ul>
</details>`;
}

/** Packages no advisory source covers: "nothing found" for them means "not looked at". */
function notCheckedForCves(report: ReportInput): string {
  const unmapped = report.notCheckedForCves;
  if (!unmapped || unmapped.packages === 0) return '';
  const why = unmapped.reasons.map(({ reason, packages }) => `${packages} ${reason}`).join('; ');
  return `<p class="muted" id="not-checked-for-cves">Not checked for CVEs: ${unmapped.packages} of ${report.inventory.packages.length} packages map to no advisory source (${esc(why)}); <code>cvebuild coverage</code> lists them.</p>\n`;
}

function undecided(report: ReportInput): string {
  const list = report.undecided;
  if (list.length === 0) return '<p class="muted">Every advisory that named a package decided for its version.</p>';
  return `<details class="run-details" id="undecided">
<summary>Undecided advisories <span class="count">${list.length}</span></summary>
<p class="muted">These advisories could not decide for the package: a version is not readable in the advisory's scheme, or the advisory gives no affected range. They are never guessed into findings.</p>
<ul class="undecided-list">
${list
  .slice(0, MAX_UNDECIDED)
  .map((item) => `<li><code>${esc(item)}</code></li>`)
  .join('\n')}${list.length > MAX_UNDECIDED ? `\n<li class="muted">… and ${list.length - MAX_UNDECIDED} more</li>` : ''}
</ul>
</details>`;
}
