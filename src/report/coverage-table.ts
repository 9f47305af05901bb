/**
 * `cvebuild coverage` for a person: one line per package version and mapping (platforms folded),
 * then the counts. Text from the inputs goes through `line` and the table's cells.
 */
import { COVERAGE_KINDS, type MappingCoverage, type PackageCoverage, shareOf } from '../intel/mapping-coverage.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Paint, Tone } from '../terminal/colour.ts';
import { line } from '../text/plain.ts';
import { paintedDocument } from './painted.ts';
import { renderTable } from './text-table.ts';

interface Row {
  coverage: PackageCoverage;
  platforms: string[];
}

export interface CoverageTableOptions {
  /** Colours for a terminal (default: none): what maps to no advisory source. */
  paint?: Paint;
}

export function renderCoverageTable(
  coverage: MappingCoverage,
  inventory: Inventory,
  intelLabel: string,
  options: CoverageTableOptions = {},
): string {
  return paintedDocument((paint) => composeTable(coverage, inventory, intelLabel, paint), options.paint);
}

function composeTable(coverage: MappingCoverage, inventory: Inventory, intelLabel: string, paint: Paint): string {
  const out: string[] = [];
  for (const source of inventory.sources) out.push(line`read ${source.path} (${source.format})`);
  out.push(line`threat data: ${intelLabel}`);
  const rows = foldPlatforms(coverage.packages);
  if (rows.length > 0) {
    out.push('');
    out.push(
      renderTable(
        rows,
        [
          { header: 'ECOSYSTEM', value: (row: Row) => row.coverage.package.ecosystem },
          { header: 'NAME', value: (row) => row.coverage.package.name },
          { header: 'VERSION', value: (row) => row.coverage.package.version || '-' },
          { header: 'PLATFORMS', value: (row) => row.platforms.join(','), maxWidth: 30 },
          { header: 'MAPPED BY', value: (row) => row.coverage.kinds.join(','), tone: unmappedTone },
          { header: 'ADVISORIES FILED UNDER / WHY NONE', value: (row) => whereOrWhy(row.coverage) },
        ],
        paint,
      ),
    );
  }
  const { summary } = coverage;
  out.push('');
  const kinds = COVERAGE_KINDS.map((kind) => `${kind} ${summary.byKind[kind]}`).join(', ');
  out.push(`packages (artifact × platform) by mapping: ${kinds}`);
  for (const ecosystem of ['conda', 'pypi'] as const) {
    const { packages, mapped } = summary.byEcosystem[ecosystem];
    if (packages > 0) out.push(`${ecosystem}: ${mapped} of ${packages} packages mapped to an advisory source`);
  }
  const names = summary.condaNames;
  if (names.distinct > 0) {
    const perKind = COVERAGE_KINDS.filter((kind) => summary.condaNamesByKind[kind] > 0)
      .map((kind) => `${kind} ${summary.condaNamesByKind[kind]}`)
      .join(', ');
    out.push(
      `conda names mapped: ${names.mapped} of ${names.distinct} (${percent(shareOf(names))}; by kind: ${perKind})`,
    );
  }
  for (const { reason, packages } of summary.reasons)
    out.push(`${paint('warning', 'not mapped')}${line`: ${packages} package(s): ${reason}`}`);
  return `${out.join('\n')}\n`;
}

/** A package no advisory source covers: not checked for CVEs, which the reader scans for. */
function unmappedTone(row: Row): Tone | undefined {
  return row.coverage.reason !== undefined || row.coverage.kinds.includes('none') ? 'warning' : undefined;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function whereOrWhy(coverage: PackageCoverage): string {
  return coverage.reason ?? coverage.targets.join(', ');
}

/** The same artifact sits on every platform of a lock, usually mapped the same way: one row. */
function foldPlatforms(packages: readonly PackageCoverage[]): Row[] {
  const rows = new Map<string, Row>();
  for (const coverage of packages) {
    const { ecosystem, name, version, platform } = coverage.package;
    const key = [ecosystem, name, version, coverage.kinds.join(','), whereOrWhy(coverage)].join('\u0000');
    const row = rows.get(key);
    if (!row) rows.set(key, { coverage, platforms: [platform] });
    else if (!row.platforms.includes(platform)) row.platforms.push(platform);
  }
  return [...rows.values()];
}
