/**
 * How each package of an inventory reaches an advisory source, and how many reach none: the
 * matcher's own targets (mapping/resolve.ts), grouped for `cvebuild coverage`, the gate's summary,
 * the corpus test and the bench. Nothing here decides a mapping; it only counts the engine's.
 */
import type { MappedBy } from '../mapping/types.ts';
import type { Ecosystem, Package } from '../model/package.ts';
import type { AdvisoryMatcher } from './matcher.ts';

/** A mapping kind as reports name it: the engine's `native` table is the upstream `product` map. */
export type CoverageKind = Exclude<MappedBy, 'native'> | 'product' | 'none';

export const COVERAGE_KINDS: readonly CoverageKind[] = [
  'purl',
  'name-map',
  'name-map-fallback',
  'product',
  'ecosystem-purl',
  'pypi-name',
  'none',
];

export interface PackageCoverage {
  package: Package;
  /** Every way the package was mapped, in the matcher's order; `['none']` when it was not. */
  kinds: CoverageKind[];
  /** What its advisories are filed under (`PyPI:torch`, `upstream:openssl`, `Go:github.com/cli/cli/v2`). */
  targets: string[];
  /** Why it maps to nothing (only for `none`). */
  reason?: string;
}

export interface NameShare {
  distinct: number;
  mapped: number;
}

export interface CoverageSummary {
  /** Packages (artifact × platform) per kind; a package mapped two ways counts under both. */
  byKind: Record<CoverageKind, number>;
  byEcosystem: Record<Ecosystem, { packages: number; mapped: number }>;
  /** Distinct conda names, and how many map to any advisory source. */
  condaNames: NameShare;
  /** Distinct conda names each kind maps. */
  condaNamesByKind: Record<CoverageKind, number>;
  /** Unmapped packages per reason, most first. */
  reasons: { reason: string; packages: number }[];
}

export interface MappingCoverage {
  packages: PackageCoverage[];
  summary: CoverageSummary;
}

export function packageCoverage(pkg: Package, matcher: AdvisoryMatcher): PackageCoverage {
  const targets = matcher.targetsOf(pkg);
  if (targets.length === 0) return { package: pkg, kinds: ['none'], targets: [], reason: matcher.unmappedReason(pkg) };
  return {
    package: pkg,
    kinds: [...new Set(targets.map((target) => coverageKind(target.mappedBy)))],
    targets: targets.map((target) => `${target.ecosystem}:${target.normalizedName}`),
  };
}

export function mappingCoverage(packages: readonly Package[], matcher: AdvisoryMatcher): MappingCoverage {
  const rows = packages.map((pkg) => packageCoverage(pkg, matcher));
  return { packages: rows, summary: summarize(rows) };
}

function summarize(rows: readonly PackageCoverage[]): CoverageSummary {
  const byKind = countsPerKind();
  const byEcosystem = { conda: { packages: 0, mapped: 0 }, pypi: { packages: 0, mapped: 0 } };
  const condaKinds = new Map<string, Set<CoverageKind>>();
  const reasons = new Map<string, number>();
  for (const row of rows) {
    const mapped = row.reason === undefined;
    const ecosystem = byEcosystem[row.package.ecosystem];
    ecosystem.packages++;
    if (mapped) ecosystem.mapped++;
    else if (row.reason) reasons.set(row.reason, (reasons.get(row.reason) ?? 0) + 1);
    for (const kind of row.kinds) byKind[kind]++;
    if (row.package.ecosystem === 'conda') {
      const kinds = condaKinds.get(row.package.normalizedName) ?? new Set();
      for (const kind of row.kinds) kinds.add(kind);
      condaKinds.set(row.package.normalizedName, kinds);
    }
  }
  const condaNamesByKind = countsPerKind();
  let mappedNames = 0;
  for (const kinds of condaKinds.values()) {
    // a name mapped on one platform or version is mapped: `none` counts names mapped nowhere
    const mapped = [...kinds].filter((kind) => kind !== 'none');
    if (mapped.length > 0) mappedNames++;
    for (const kind of mapped.length > 0 ? mapped : (['none'] as const)) condaNamesByKind[kind]++;
  }
  return {
    byKind,
    byEcosystem,
    condaNames: { distinct: condaKinds.size, mapped: mappedNames },
    condaNamesByKind,
    reasons: byCount(reasons),
  };
}

/**
 * Only the unmapped packages per reason, as `summary.reasons`: what every gate reports, without
 * building the per-package rows `cvebuild coverage` shows.
 */
export function unmappedReasons(
  packages: readonly Package[],
  matcher: AdvisoryMatcher,
): { reason: string; packages: number }[] {
  const reasons = new Map<string, number>();
  for (const pkg of packages) {
    if (matcher.targetsOf(pkg).length > 0) continue;
    const reason = matcher.unmappedReason(pkg);
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return byCount(reasons);
}

function byCount(reasons: ReadonlyMap<string, number>): { reason: string; packages: number }[] {
  return [...reasons]
    .map(([reason, packages]) => ({ reason, packages }))
    .sort((a, b) => b.packages - a.packages || (a.reason < b.reason ? -1 : 1));
}

function coverageKind(mappedBy: MappedBy): CoverageKind {
  return mappedBy === 'native' ? 'product' : mappedBy;
}

function countsPerKind(): Record<CoverageKind, number> {
  return Object.fromEntries(COVERAGE_KINDS.map((kind) => [kind, 0])) as Record<CoverageKind, number>;
}

/** `542 of 2,056 (26.4%)`-style share, as a fraction (0 for no names). */
export function shareOf({ distinct, mapped }: NameShare): number {
  return distinct === 0 ? 0 : mapped / distinct;
}
