/**
 * Per-package details: one <details> per artifact and platform, packages with findings first,
 * each with what the lock says about it (build, source, hashes, licence, lock line) and every
 * finding about it in full. Finding rows link here by anchor.
 */
import type { Finding, Severity } from '../model/finding.ts';
import type { Package } from '../model/package.ts';
import { esc } from './html-escape.ts';
import { type Fact, facts, findingCard } from './html-evidence.ts';
import type { ReportInput } from './report.ts';
import { compareFindings, formatTime, isWaived, locationText, plural, SEVERITIES_DESCENDING } from './report-view.ts';

export interface PackageEntry {
  pkg: Package;
  anchor: string;
  /** Every finding about the package, waived ones included, in reading order. */
  findings: Finding[];
}

export interface PackageIndex {
  entries: PackageEntry[];
  /** The anchor of the package a finding is about, when it is in the inventory. */
  anchorOf(finding: Finding): string | undefined;
}

export function indexPackages(report: ReportInput): PackageIndex {
  const byKey = new Map<string, Package[]>();
  for (const pkg of report.inventory.packages) {
    const key = packageKey(pkg.ecosystem, pkg.name, pkg.version, pkg.build, pkg.platform);
    byKey.set(key, [...(byKey.get(key) ?? []), pkg]);
  }
  const findingsOf = new Map<Package, Finding[]>();
  const packageOf = new Map<Finding, Package>();
  for (const finding of report.findings) {
    const s = finding.subject;
    if (!s) continue;
    const candidates = byKey.get(packageKey(s.ecosystem, s.name, s.version, s.build, s.platform)) ?? [];
    const pkg =
      candidates.find((p) => p.origin.file === finding.location?.file && p.origin.line === finding.location?.line) ??
      candidates[0];
    if (!pkg) continue;
    packageOf.set(finding, pkg);
    findingsOf.set(pkg, [...(findingsOf.get(pkg) ?? []), finding]);
  }
  const ordered = report.inventory.packages
    .map((pkg, position) => ({ pkg, position, findings: (findingsOf.get(pkg) ?? []).sort(compareFindings) }))
    .sort((a, b) => rank(a.findings) - rank(b.findings) || a.position - b.position);
  const entries = ordered.map(({ pkg, findings }, i) => ({ pkg, findings, anchor: `pkg-${i}` }));
  const anchors = new Map(entries.map((entry) => [entry.pkg, entry.anchor]));
  return {
    entries,
    anchorOf: (finding) => {
      const pkg = packageOf.get(finding);
      return pkg ? anchors.get(pkg) : undefined;
    },
  };
}

/** Packages with blocking findings first, then by their worst active finding, then waived-only, then clean. */
function rank(findings: readonly Finding[]): number {
  const active = findings.filter((finding) => !isWaived(finding));
  if (active.length === 0) return findings.length > 0 ? 100 : 200;
  const blocking = active.some((finding) => finding.blocking) ? 0 : 10;
  return blocking + Math.min(...active.map((finding) => SEVERITIES_DESCENDING.indexOf(finding.severity)));
}

function packageKey(...parts: (string | undefined)[]): string {
  return parts.map((part) => part ?? '').join('\u0000');
}

export function packagesSection(report: ReportInput, index: PackageIndex): string {
  const withFindings = index.entries.filter((entry) => entry.findings.length > 0).length;
  return `<section class="panel" id="packages" aria-labelledby="packages-title">
<div class="panel-head">
<h2 id="packages-title">Packages <span class="count">${index.entries.length}</span></h2>
<p class="panel-note">${esc(plural(withFindings, 'package'))} with findings, listed first. Open a package for its lock record and the evidence behind each finding.</p>
</div>
<div class="toolbar needs-js" role="search">
<label class="field grow"><span class="sr-only">Filter packages</span><input type="search" id="package-filter" placeholder="Filter packages by name, version, platform, channel…" autocomplete="off"></label>
<label class="check-field"><input type="checkbox" id="package-only-findings"> Only packages with findings</label>
<span class="button-group"><button type="button" class="button" id="packages-expand">Expand all</button><button type="button" class="button" id="packages-collapse">Collapse all</button></span>
<span class="toolbar-count" id="package-count" aria-live="polite"></span>
</div>
<div class="pkg-list" id="package-list">
${index.entries.map((entry) => packageDetails(entry, report)).join('\n')}
</div>
</section>`;
}

function packageDetails(entry: PackageEntry, report: ReportInput): string {
  const { pkg, findings } = entry;
  const location = locationText(report.root, pkg.origin);
  // The page also searches the summary line (name, version, build, ecosystem, platform).
  const haystack = [pkg.channel, pkg.index, pkg.license, ...findings.map((finding) => finding.rule)]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return `<details class="pkg${findings.some((f) => f.blocking && !isWaived(f)) ? ' pkg-blocking' : ''}" id="${entry.anchor}" data-package="${esc(pkg.name)}" data-findings="${findings.length}" data-text="${esc(haystack)}">
<summary><span class="pkg-title"><span class="pkg-name">${esc(pkg.name)}</span> <span class="pkg-version">${esc(pkg.version)}</span>${
    pkg.build ? ` <span class="pkg-build">${esc(pkg.build)}</span>` : ''
  }</span><span class="pkg-meta">${esc(pkg.ecosystem)} · ${esc(pkg.platform)}</span><span class="pkg-pills">${severityBadges(findings)}</span></summary>
<div class="pkg-body">
${facts(packageFacts(pkg, report), 'facts facts-grid')}
${
  findings.length > 0
    ? `<h3 class="pkg-findings-title">${esc(plural(findings.length, 'finding'))}</h3>
<ol class="finding-list">
${findings.map((finding, i) => findingCard(finding, report, { shownLocation: location, explain: findings.findIndex((f) => f.check === finding.check) === i })).join('\n')}
</ol>`
    : '<p class="muted pkg-clean">No findings for this package.</p>'
}
</div>
</details>`;
}

function severityBadges(findings: readonly Finding[]): string {
  const active = findings.filter((finding) => !isWaived(finding));
  const counts = new Map<Severity, number>();
  for (const finding of active) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  const badges = SEVERITIES_DESCENDING.filter((severity) => counts.has(severity)).map(
    (severity) => `<span class="pill sev-${severity}">${counts.get(severity)} ${severity}</span>`,
  );
  const waived = findings.length - active.length;
  if (waived > 0) badges.push(`<span class="tag tag-waived">${waived} waived</span>`);
  return badges.join(' ');
}

function packageFacts(pkg: Package, report: ReportInput): Fact[] {
  const code = (value: string | undefined) => (value ? `<code>${esc(value)}</code>` : '');
  return [
    [
      'Build',
      pkg.build ? `${code(pkg.build)}${pkg.buildNumber !== undefined ? ` (number ${pkg.buildNumber})` : ''}` : '',
    ],
    [
      'Ecosystem',
      `${esc(pkg.ecosystem)} · ${esc(pkg.kind)}${pkg.noarch ? ` · noarch ${esc(pkg.noarch)}` : ''}${pkg.buildOnly ? ' · build only' : ''}`,
    ],
    [
      'Platform',
      `${esc(pkg.platform)}${pkg.subdir && pkg.subdir !== pkg.platform ? ` <span class="muted">(built for ${esc(pkg.subdir)})</span>` : ''}`,
    ],
    [pkg.index ? 'Index' : 'Channel', esc(pkg.index ?? pkg.channel ?? '')],
    ['Environments', esc(pkg.environments.join(', '))],
    ['SHA-256', pkg.sha256 ? code(pkg.sha256) : '<span class="muted">not recorded in the lock</span>'],
    ['MD5', pkg.sha256 ? '' : code(pkg.md5)],
    ['License', esc(pkg.license ?? '')],
    ['Size', pkg.size !== undefined ? esc(formatBytes(pkg.size)) : ''],
    ['Built', pkg.timestamp !== undefined ? esc(formatTimestamp(pkg.timestamp)) : ''],
    ['Lock location', code(locationText(report.root, pkg.origin))],
    ['Source', code(pkg.location)],
    ['Package URLs', pkg.purls.map((purl) => code(purl)).join(', ')],
  ];
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function formatTimestamp(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : formatTime(date);
}
