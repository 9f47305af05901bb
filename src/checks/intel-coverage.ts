/**
 * Fail closed on threat data that cannot speak for the packages audited. A store that holds no
 * PyPI advisories finds nothing wrong with a PyPI lock, and that silence must not read as a pass:
 * for each kind of data a check needs (advisories per ecosystem and kind, the KEV catalogue, the
 * conda→PyPI name map) and the store lacks, the check reports one blocking `not-checked` finding
 * naming the packages it could not look at.
 */

import { unmappedReasons } from '../intel/mapping-coverage.ts';
import type { AdvisoryMatcher } from '../intel/matcher.ts';
import { AFFECTED_ECOSYSTEMS, type AffectedEcosystem } from '../intel/model.ts';
import type { StoreHoldings } from '../intel/store-api.ts';
import type { UpstreamTarget } from '../mapping/types.ts';
import { type Finding, withFlags } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';

const ECOSYSTEM_TEXT: Record<AffectedEcosystem, string> = {
  PyPI: 'PyPI',
  upstream: 'upstream C/C++ library',
  'crates.io': 'crates.io (Rust)',
  Go: 'Go',
  npm: 'npm',
};

/** How many package names a finding lists before it says "and N more". */
const NAMES_SHOWN = 10;

export function coverageGaps(
  check: { id: string; version: number },
  inventory: Inventory,
  matcher: AdvisoryMatcher,
): Finding[] {
  const holdings = matcher.holdings();
  // The usual store holds every kind: then there is nothing to work out per package.
  if (holdsEverything(holdings)) return [];
  const byEcosystem = new Map<AffectedEcosystem, Package[]>();
  for (const pkg of inventory.packages) {
    const targets = matcher.targetsOf(pkg);
    for (let index = 0; index < targets.length; index++) {
      const ecosystem = (targets[index] as UpstreamTarget).ecosystem;
      // each package once per ecosystem (most have one target: no set per package)
      if (targets.findIndex((target) => target.ecosystem === ecosystem) !== index) continue;
      const packages = byEcosystem.get(ecosystem);
      if (packages) packages.push(pkg);
      else byEcosystem.set(ecosystem, [pkg]);
    }
  }
  const gaps: Finding[] = [];
  const gap = (what: string, packages: readonly Package[]) => gaps.push(notChecked(check, inventory, what, packages));
  for (const [ecosystem, packages] of byEcosystem) {
    const held =
      check.id === 'vulnerability'
        ? holdings.vulnerability.has(ecosystem)
        : holdings.malicious.has(ecosystem) || (ecosystem === 'PyPI' && holdings.maliciousNames);
    if (!held && (check.id === 'vulnerability' || ecosystem === 'PyPI')) {
      gap(
        `the store holds no ${ECOSYSTEM_TEXT[ecosystem]} ${check.id === 'vulnerability' ? 'vulnerability advisories' : 'malicious-package reports'}`,
        packages,
      );
    }
  }
  if (check.id === 'vulnerability' && byEcosystem.size > 0 && !holdings.kev) {
    gap('the store holds no CISA KEV catalogue, so known-exploited vulnerabilities cannot be told apart', [
      ...new Set([...byEcosystem.values()].flat()),
    ]);
  }
  if (!holdings.nameMap) {
    // Without purls in the lock, only the name map can say which PyPI project a conda package is.
    const unmapped = inventory.packages.filter(
      (pkg) => pkg.ecosystem === 'conda' && pkg.purls.length === 0 && pkg.purlsKnown !== true,
    );
    if (unmapped.length > 0) {
      gap(
        'the lock gives them no PyPI purls and the store holds no conda→PyPI name map (parselmouth) to find their PyPI advisories',
        unmapped,
      );
    }
  }
  return gaps;
}

/**
 * Packages no advisory can be looked up for, because they map to no advisory source (no purl,
 * name-map entry, upstream product or PyPI name), per reason. Not findings: a C library nobody maps
 * is no fault of the project. But a summary that says "nothing found" must also say "not looked at".
 */
export interface UnmappedPackages {
  packages: number;
  reasons: { reason: string; packages: number }[];
}

export function unmappedPackages(inventory: Inventory, matcher: AdvisoryMatcher): UnmappedPackages {
  const reasons = unmappedReasons(inventory.packages, matcher);
  return { packages: reasons.reduce((sum, { packages }) => sum + packages, 0), reasons };
}

const UPDATE = 'run `cvebuild db update` (online) or `cvebuild db import FILES` (offline) with the missing feed';

function notChecked(
  check: { id: string; version: number },
  inventory: Inventory,
  why: string,
  packages: readonly Package[],
): Finding {
  const names = [...new Set(packages.map((pkg) => `${pkg.name} ${pkg.version}`))].sort();
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  const more = names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : '';
  const subject = check.id === 'vulnerability' ? 'known vulnerabilities' : 'known-malicious releases';
  const finding: Finding = {
    check: check.id,
    checkVersion: check.version,
    rule: `${check.id}/not-checked`,
    severity: 'high',
    message: `${names.length} package(s) not checked for ${subject}: ${why} (${shown}${more})`,
    evidence: { reason: why, packages: names },
    remedy: UPDATE,
    location: inventory.sources[0] ? { file: inventory.sources[0].path } : undefined,
  };
  return withFlags(finding, { unchecked: true });
}

function holdsEverything(holdings: StoreHoldings): boolean {
  return (
    AFFECTED_ECOSYSTEMS.every((ecosystem) => holdings.vulnerability.has(ecosystem)) &&
    (holdings.malicious.has('PyPI') || holdings.maliciousNames) &&
    holdings.kev &&
    holdings.nameMap
  );
}
