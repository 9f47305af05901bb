/**
 * Locked packages that require the fixed package at versions the fix leaves: `tensorflow 2.14.0`
 * requiring `keras<2.15,>=2.14` will not let keras move to 3.x, whatever the manifest says.
 * Requirements under an environment marker are left out: whether they apply depends on the
 * interpreter and platform the solver picks, and a conflict reported for nothing would send a
 * person chasing it.
 */
import { basename } from 'node:path';
import type { DeclaredDependency, Inventory } from '../model/inventory.ts';
import { normalizeCondaName } from '../model/package.ts';
import { parseMatchSpec } from '../versions/matchspec.ts';
import { parsePep508 } from '../versions/pep508.ts';
import { schemeOf } from './candidates.ts';
import { raisedSpec } from './specs.ts';
import type { BlockingPackage, Conflict } from './types.ts';

export function dependentConflicts(pkg: BlockingPackage, version: string, inventory: Inventory): Conflict[] {
  const scheme = schemeOf(pkg.ecosystem);
  const conflicts = new Map<string, Conflict>();
  for (const dependent of inventory.packages) {
    if (dependent.ecosystem !== pkg.ecosystem || dependent.normalizedName === pkg.normalizedName) continue;
    const requirements = dependent.ecosystem === 'conda' ? dependent.depends : dependent.requiresDist;
    for (const text of requirements) {
      const spec = requirementOn(text, pkg);
      if (spec === undefined) continue;
      let allowed: boolean;
      try {
        allowed = scheme.satisfies(version, spec, { prereleases: true });
      } catch {
        continue; // a requirement no scheme reads constrains nothing we can speak for
      }
      if (allowed) continue;
      const by = `${dependent.name} ${dependent.version}`;
      conflicts.set(`${by}\u0000${text}`, { by, requirement: text });
    }
  }
  return [...conflicts.values()];
}

/** The version spec a requirement puts on `pkg`, when it names `pkg` with one and no marker. */
function requirementOn(text: string, pkg: BlockingPackage): string | undefined {
  try {
    if (pkg.ecosystem === 'conda') {
      const spec = parseMatchSpec(text);
      return normalizeCondaName(spec.name) === pkg.normalizedName ? spec.version : undefined;
    }
    const requirement = parsePep508(text);
    if (requirement.normalizedName !== pkg.normalizedName || requirement.marker || requirement.url) return undefined;
    return requirement.specifier || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Declarations of the package in the project's manifests whose upper bounds or exclusions leave
 * the fix out (`numpy <2` declared, 2.0.1 needed): bounds written on purpose, for a person to move.
 */
export function declaredConflicts(
  pkg: BlockingPackage,
  version: string,
  declared: readonly DeclaredDependency[],
): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const dependency of declared) {
    if (dependency.ecosystem !== pkg.ecosystem || dependency.normalizedName !== pkg.normalizedName) continue;
    const change = raisedSpec(dependency.spec, version, pkg.versions, pkg.ecosystem);
    if (!('conflict' in change)) continue;
    const { file, line } = dependency.origin;
    const group = dependency.group ? ` (${dependency.group})` : '';
    conflicts.push({
      by: `${basename(file)}${line ? `:${line}` : ''}${group}`,
      requirement: `${dependency.name} ${dependency.spec}`,
      file,
      ...(line ? { line } : {}),
    });
  }
  return conflicts;
}
