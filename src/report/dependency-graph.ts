/**
 * Who depends on whom among the locked packages, for SBOM dependency graphs (CycloneDX and SPDX
 * draw the same one).
 *
 * A requirement resolves per environment and platform: in each environment that installs a package
 * on a platform, its conda `depends` and PyPI `Requires-Dist` names point at the package of that
 * name the same environment installs on the same platform. A lock holds one package per name per
 * environment and platform, so this needs no version matching, and a noarch package placed on three
 * platforms gets three separate sets of edges. Names nothing locked provides (virtual packages,
 * requirements of other platforms) give no edge.
 *
 * PyPI requirements reach conda packages too, through the PyPI purls pixi records on a conda
 * package (`pkg:pypi/numpy`): pixi lets the conda package satisfy them. Requirements gated on an
 * extra (`; extra == 'socks'`) are left out: the lock does not record which extras were asked for,
 * so such an edge would be a guess. Other markers need no evaluation: the lock was solved for this
 * platform, so a requirement whose name is locked here did apply.
 */

import type { Inventory } from '../model/inventory.ts';
import { artifactKey, normalizeCondaName, normalizePypiName, type Package } from '../model/package.ts';
import { parseMatchSpec } from '../versions/matchspec.ts';
import { parsePep508 } from '../versions/pep508.ts';

export interface DependencyGraph {
  /** What each package of `inventory.packages` depends on, in inventory order. Every package has an entry. */
  dependsOn: Map<Package, Package[]>;
  /**
   * What the project itself depends on: the packages its manifests declare, plus every package no
   * other package leads to, so that every package is reachable from the project.
   */
  direct: Package[];
}

export function dependencyGraph(inventory: Inventory): DependencyGraph {
  const canonical = new Map(inventory.packages.map((pkg) => [artifactKey(pkg), pkg]));
  const edges = new Map<Package, Set<Package>>(inventory.packages.map((pkg) => [pkg, new Set()]));
  const requirements = new Map<Package, string[]>();

  for (const environment of inventory.environments) {
    for (const platform of environment.platforms) {
      const members: Package[] = [];
      for (const placed of platform.packages) {
        const pkg = canonical.get(artifactKey(placed));
        if (pkg) members.push(pkg);
      }
      const provides = providersByName(members);
      for (const pkg of members) {
        let keys = requirements.get(pkg);
        if (!keys) {
          keys = requirementKeys(pkg);
          requirements.set(pkg, keys);
        }
        const targets = edges.get(pkg);
        for (const key of keys) {
          for (const target of provides.get(key) ?? []) if (target !== pkg) targets?.add(target);
        }
      }
    }
  }

  const order = new Map(inventory.packages.map((pkg, index) => [pkg, index]));
  const byOrder = (a: Package, b: Package) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  const dependsOn = new Map<Package, Package[]>();
  for (const [pkg, targets] of edges) dependsOn.set(pkg, [...targets].sort(byOrder));
  return { dependsOn, direct: directDependencies(inventory, dependsOn).sort(byOrder) };
}

/** `conda:<name>` for each package, and `pypi:<name>` for PyPI packages and the PyPI names a conda package provides. */
function providersByName(members: Package[]): Map<string, Package[]> {
  const provides = new Map<string, Package[]>();
  const viaConda = new Map<string, Package[]>();
  for (const pkg of members) {
    append(provides, `${pkg.ecosystem}:${pkg.normalizedName}`, pkg);
    if (pkg.ecosystem === 'conda') for (const name of providedPypiNames(pkg)) append(viaConda, `pypi:${name}`, pkg);
  }
  // A PyPI package of the name wins over the conda packages that provide it.
  for (const [key, list] of viaConda) if (!provides.has(key)) provides.set(key, list);
  return provides;
}

function append(map: Map<string, Package[]>, key: string, pkg: Package): void {
  const list = map.get(key);
  if (list) list.push(pkg);
  else map.set(key, [pkg]);
}

function providedPypiNames(pkg: Package): string[] {
  const names: string[] = [];
  for (const purl of pkg.purls) {
    const match = /^pkg:pypi\/([^@?#/]+)/i.exec(purl);
    if (match?.[1]) names.push(normalizePypiName(decodeComponent(match[1])));
  }
  return names;
}

/** The provider keys a package's requirements name; unparsable requirements are skipped. */
function requirementKeys(pkg: Package): string[] {
  const keys = new Set<string>();
  for (const spec of pkg.depends) {
    try {
      const name = normalizeCondaName(parseMatchSpec(spec).name);
      if (!name.startsWith('__')) keys.add(`conda:${name}`);
    } catch {
      // A spec cvebuild cannot read leaves out one edge; the package stays in the graph.
    }
  }
  for (const requirement of pkg.requiresDist) {
    try {
      const parsed = parsePep508(requirement);
      if (parsed.marker && /\bextra\b/.test(parsed.marker)) continue;
      keys.add(`pypi:${parsed.normalizedName}`);
    } catch {
      // as above
    }
  }
  return [...keys];
}

function directDependencies(inventory: Inventory, dependsOn: Map<Package, Package[]>): Package[] {
  const declared = new Set(
    inventory.manifest.dependencies
      .filter((dependency) => dependency.scope !== 'constraint')
      .map((dependency) => `${dependency.ecosystem}:${dependency.normalizedName}`),
  );
  const depended = new Set([...dependsOn.values()].flat());
  const direct = inventory.packages.filter(
    (pkg) => declared.has(`${pkg.ecosystem}:${pkg.normalizedName}`) || !depended.has(pkg),
  );
  const reached = new Set<Package>();
  const visit = (start: Package) => {
    const stack = [start];
    while (stack.length > 0) {
      const pkg = stack.pop() as Package;
      if (reached.has(pkg)) continue;
      reached.add(pkg);
      stack.push(...(dependsOn.get(pkg) ?? []));
    }
  };
  for (const pkg of direct) visit(pkg);
  // Packages only reachable through a cycle: the first of each cycle hangs off the project.
  for (const pkg of inventory.packages) {
    if (reached.has(pkg)) continue;
    direct.push(pkg);
    visit(pkg);
  }
  return direct;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
