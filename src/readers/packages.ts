/**
 * An inventory of packages already in memory (read from artifacts, received by a proxy, built by
 * a pipeline) rather than from project files: the same shape, order and artifact-identity rules
 * as a lock's, so every check treats them alike.
 */
import type { Environment, Inventory } from '../model/inventory.ts';
import { emptyManifest } from '../model/inventory.ts';
import { comparePackages, compareText, type Package } from '../model/package.ts';
import { reconcileArtifactIdentities } from './artifact-identity.ts';

export interface PackagesInventoryOptions {
  /** The environment of packages that name none (default: `default`). */
  environment?: string;
}

/** The packages are copied, not changed. */
export function inventoryFromPackages(packages: readonly Package[], options: PackagesInventoryOptions = {}): Inventory {
  const fallback = options.environment ?? 'default';
  const copies = packages.map((pkg) => ({
    ...pkg,
    environments: pkg.environments.length > 0 ? [...new Set(pkg.environments)].sort(compareText) : [fallback],
  }));
  const warnings = reconcileArtifactIdentities(copies);
  const environments = new Map<string, Environment>();
  for (const pkg of copies) {
    for (const name of pkg.environments) {
      let environment = environments.get(name);
      if (!environment) {
        environment = { name, channels: [], indexes: [], platforms: [], options: {} };
        environments.set(name, environment);
      }
      if (pkg.channel && !environment.channels.includes(pkg.channel)) environment.channels.push(pkg.channel);
      if (pkg.index && !environment.indexes.includes(pkg.index)) environment.indexes.push(pkg.index);
      let platform = environment.platforms.find((candidate) => candidate.name === pkg.platform);
      if (!platform) {
        platform = { name: pkg.platform, subdir: pkg.platform, virtualPackages: [], packages: [] };
        environment.platforms.push(platform);
      }
      platform.packages.push(pkg);
    }
  }
  const sorted = [...environments.values()].sort((a, b) => compareText(a.name, b.name));
  for (const environment of sorted) {
    environment.channels.sort(compareText);
    environment.indexes.sort(compareText);
    environment.platforms.sort((a, b) => compareText(a.name, b.name));
    for (const platform of environment.platforms) platform.packages.sort(comparePackages);
  }
  return {
    sources: [],
    environments: sorted,
    packages: copies.sort(comparePackages),
    manifest: emptyManifest(),
    warnings,
  };
}
