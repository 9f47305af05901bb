/**
 * The `typosquat` check: packages whose name imitates a popular one (one typo, a swapped pair,
 * lookalike characters, other separators, an added or dropped affix). One finding per name, not per
 * platform: the name is what was mistyped.
 */
import { type Finding, type Severity, subjectOf, withFlags } from '../model/finding.ts';
import { normalizeCondaName, normalizePypiName, type Package } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import { findSquat, type SquatMatch } from '../typosquat/match.ts';
import { type PopularNames, popularNamesFor } from '../typosquat/popular.ts';
import { type Check, checkOptions, requireIntel } from './check.ts';

export const TYPOSQUAT_CHECK_VERSION = 1;

/**
 * Only artifacts resolved by name from an index or channel can be typosquatted. A PyPI direct URL,
 * git, path or editable package is fetched from where the project says; a conda `url` record is a
 * channel on a non-HTTP URL (s3, oci), so still resolved by name.
 */
function resolvedByName(pkg: Package): boolean {
  return pkg.kind === 'registry' || (pkg.ecosystem === 'conda' && pkg.kind === 'url');
}

/**
 * conda-forge's namespace is curated (every new name passes staged-recipes review), so a package the
 * conda-forge channel serves is a real name even when feedstock-outputs.json, which started later,
 * does not list it (`openmp` 5.0.0, 2018). Squats can only come from channels anyone uploads to.
 */
function fromCondaForge(pkg: Package): boolean {
  return pkg.ecosystem === 'conda' && pkg.channel !== undefined && /(^|\/)conda-forge$/.test(pkg.channel);
}

export interface TyposquatSettings {
  /** Names never flagged as typosquats (compared after the ecosystem's normalization). */
  typosquatAllow: string[];
}

export const typosquatCheck: Check<TyposquatSettings> = {
  id: 'typosquat',
  version: TYPOSQUAT_CHECK_VERSION,
  title: 'Typosquatted package names',
  requires: { intel: true, network: false },
  rules: {
    check: {
      title: 'Name one edit away from a popular package',
      help: 'The package name is a near miss of a popular PyPI or conda-forge name (an edit, transposition, homoglyph, separator or affix). Typosquats install attacker code under a name that looks right. Check the name is the one you meant; add it to the typosquat allow-list if it is.',
      cwes: ['CWE-1357'],
      tags: ['security', 'dependency', 'typosquat', 'supply-chain'],
    },
  },
  options: checkOptions({
    defaults: (): TyposquatSettings => ({ typosquatAllow: [] }),
    shape: () => ({ allow: zod().array(zod().string().min(1)) }),
    apply(values, settings) {
      if (values.allow) settings.typosquatAllow.push(...values.allow);
    },
  }),
  run(inventory, context) {
    const { store } = requireIntel(context, 'typosquat');
    const allowed = new Set(
      context.settings.typosquatAllow.flatMap((name) => [normalizePypiName(name), normalizeCondaName(name)]),
    );
    const byName = new Map<string, Package[]>();
    for (const pkg of inventory.packages) {
      if (!resolvedByName(pkg) || allowed.has(pkg.normalizedName)) continue;
      const key = `${pkg.ecosystem}:${pkg.normalizedName}`;
      const list = byName.get(key);
      if (list) list.push(pkg);
      else byName.set(key, [pkg]);
    }
    const candidates = { pypi: [] as string[], conda: [] as string[] };
    for (const [pkg] of byName.values()) {
      // a conda-forge package is a real name whatever it looks like (see fromCondaForge)
      if (pkg && !fromCondaForge(pkg)) candidates[pkg.ecosystem === 'pypi' ? 'pypi' : 'conda'].push(pkg.normalizedName);
    }
    const names = popularNamesFor(store, candidates);
    const findings: Finding[] = missingData(names, [...byName.values()].flat());
    for (const packages of byName.values()) {
      const [pkg] = packages;
      if (!pkg) continue;
      const match = squatOf(pkg, names);
      if (match) findings.push(typosquatFinding(pkg, packages, match));
    }
    return findings;
  },
};

function squatOf(pkg: Package, names: PopularNames): SquatMatch | undefined {
  if (pkg.ecosystem === 'pypi') {
    return names.pypiOnCondaForge.has(pkg.normalizedName) ? undefined : findSquat(names.pypi, pkg.normalizedName);
  }
  // without the conda-forge name list an unknown name cannot be told from a real one
  if (!names.hasCondaForge || names.condaForge.has(pkg.normalizedName)) return undefined;
  if (fromCondaForge(pkg)) return undefined;
  return findSquat(names.conda, pkg.normalizedName);
}

/** Says which names could not be judged because the store lacks the list they are judged against. */
function missingData(names: PopularNames, packages: Package[]): Finding[] {
  const gaps: { ecosystem: 'pypi' | 'conda'; source: string; missing: boolean }[] = [
    { ecosystem: 'pypi', source: 'top-pypi', missing: !names.hasTopPypi },
    { ecosystem: 'conda', source: 'conda-forge-names', missing: !names.hasCondaForge },
  ];
  return gaps
    .filter((gap) => gap.missing && packages.some((pkg) => pkg.ecosystem === gap.ecosystem && !fromCondaForge(pkg)))
    .map((gap) =>
      withFlags(
        {
          check: 'typosquat',
          checkVersion: TYPOSQUAT_CHECK_VERSION,
          rule: 'typosquat/no-data',
          severity: 'info',
          message: `${gap.ecosystem === 'pypi' ? 'PyPI' : 'conda'} names were not checked for typosquats: the intel store has no ${gap.source} list`,
          evidence: { ecosystem: gap.ecosystem, source: gap.source },
          remedy: 'run `cvebuild db update` (or `cvebuild db import` the list)',
        } satisfies Finding,
        { unchecked: true },
      ),
    );
}

export function severityOf(confidence: number): Severity {
  return confidence >= 0.8 ? 'high' : confidence >= 0.6 ? 'medium' : 'low';
}

function typosquatFinding(pkg: Package, packages: Package[], match: SquatMatch): Finding {
  const { target, technique, distance, confidence, detail } = match;
  const popularity =
    pkg.ecosystem === 'pypi'
      ? `#${target.rank} on PyPI by downloads`
      : `a conda-forge package whose PyPI name ranks #${target.rank} by downloads`;
  return {
    check: 'typosquat',
    checkVersion: TYPOSQUAT_CHECK_VERSION,
    rule: `typosquat/${technique}`,
    severity: severityOf(confidence),
    subject: subjectOf(pkg, [...new Set(packages.flatMap((p) => p.environments))].sort()),
    message: `${pkg.name} looks like a typosquat of ${target.name} (${popularity}): ${technique}, ${detail}`,
    evidence: {
      target: target.name,
      targetRank: target.rank,
      technique,
      distance,
      confidence,
      detail,
      source: pkg.ecosystem === 'pypi' ? 'top-pypi' : 'conda-forge-names+parselmouth+top-pypi',
      platforms: [...new Set(packages.map((p) => p.platform))].sort(),
    },
    remedy: `if you meant ${target.name}, depend on ${target.name} instead and remove ${pkg.name}; if ${pkg.name} is intended, allow the name (typosquat allow-list)`,
    location: pkg.origin,
  };
}
