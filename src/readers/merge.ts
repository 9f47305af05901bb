/**
 * Merging reader outputs into one `Inventory` — one package entry per distinct artifact per
 * platform, listing the environments that contain it — and narrowing it to an environment or platform.
 */
import { CvebuildError } from '../errors.ts';
import type { Environment, Inventory, ManifestSettings, PlatformPackages } from '../model/inventory.ts';
import { emptyManifest } from '../model/inventory.ts';
import { artifactKey, comparePackages, compareText, type Package } from '../model/package.ts';
import { reconcileArtifactIdentities } from './artifact-identity.ts';
import type { ReaderOutput } from './types.ts';

export function mergeOutputs(outputs: ReaderOutput[]): Inventory {
  const identityWarnings = outputs.map((output) => reconcileArtifactIdentities(packagesOf(output)));
  const manifest = emptyManifest();
  for (const output of outputs) if (output.manifest) mergeManifest(manifest, output.manifest);
  const withPackages = outputs.filter((output) => output.environments.length > 0);
  const only = withPackages.length === 1 ? withPackages[0] : undefined;
  // One reader with packages: its environments are the inventory's, no merge needed.
  const { environments, packages } = only?.packages
    ? { environments: [...only.environments], packages: only.packages }
    : mergeEnvironments(withPackages, withPackages.length > 1);

  for (const pkg of packages) pkg.environments.sort(compareText);
  environments.sort((a, b) => compareText(a.name, b.name));
  for (const environment of environments) environment.platforms.sort((a, b) => compareText(a.name, b.name));
  return {
    sources: outputs.map((output) => output.source),
    environments,
    packages: [...packages].sort(comparePackages),
    manifest,
    warnings: outputs.flatMap((output, index) => [...output.warnings, ...(identityWarnings[index] ?? [])]),
  };
}

function packagesOf(output: ReaderOutput): Iterable<Package> {
  // The reader's own list as it is: a generator over thousands of packages costs more than it saves.
  return output.packages ?? environmentPackages(output);
}

function* environmentPackages(output: ReaderOutput): Iterable<Package> {
  for (const environment of output.environments) {
    for (const platform of environment.platforms) yield* platform.packages;
  }
}

function mergeEnvironments(
  outputs: ReaderOutput[],
  needsKeys: boolean,
): { environments: Environment[]; packages: Package[] } {
  const environments = new Map<string, Environment>();
  // Keys are only needed to find the same artifact in the outputs of several readers.
  const packages = new Map<unknown, Package>();
  for (const output of outputs) {
    // readers may share one Package between their environments: merge each object once
    const mergedOf = new Map<Package, Package>();
    for (const environment of output.environments) {
      let target = environments.get(environment.name);
      if (!target) {
        target = { ...environment, channels: [], indexes: [], platforms: [] };
        environments.set(environment.name, target);
      }
      appendUnique(target.channels, environment.channels);
      appendUnique(target.indexes, environment.indexes);
      for (const platform of environment.platforms) {
        let targetPlatform = target.platforms.find((candidate) => candidate.name === platform.name);
        if (!targetPlatform) {
          targetPlatform = { ...platform, packages: [] };
          target.platforms.push(targetPlatform);
        }
        const present = new Set(targetPlatform.packages);
        for (const pkg of platform.packages) {
          let merged = mergedOf.get(pkg);
          if (!merged) {
            merged = needsKeys ? mergePackage(packages, pkg) : adopt(packages, pkg);
            mergedOf.set(pkg, merged);
          }
          if (!present.has(merged)) {
            present.add(merged);
            targetPlatform.packages.push(merged);
          }
        }
      }
    }
  }
  return { environments: [...environments.values()], packages: [...packages.values()] };
}

function adopt(packages: Map<unknown, Package>, pkg: Package): Package {
  const copy: Package = { ...pkg, environments: [...pkg.environments] };
  packages.set(copy, copy);
  return copy;
}

function mergePackage(packages: Map<unknown, Package>, pkg: Package): Package {
  const key = artifactKey(pkg);
  const existing = packages.get(key);
  if (!existing) {
    const copy: Package = { ...pkg, environments: [...pkg.environments] };
    packages.set(key, copy);
    return copy;
  }
  for (const environment of pkg.environments) {
    if (!existing.environments.includes(environment)) existing.environments.push(environment);
  }
  if (!pkg.buildOnly && existing.buildOnly !== undefined) delete existing.buildOnly;
  if (existing.purls.length === 0 && pkg.purls.length > 0) existing.purls = pkg.purls;
  return existing;
}

function mergeManifest(target: ManifestSettings, source: Partial<ManifestSettings>): void {
  appendUnique(target.channels, source.channels ?? []);
  appendUnique(target.indexes, source.indexes ?? []);
  target.dependencies.push(...(source.dependencies ?? []));
  target.recipeSources.push(...(source.recipeSources ?? []));
  target.recipeOutputs.push(...(source.recipeOutputs ?? []));
  const from = source.excludeNewer;
  if (from) {
    const into = target.excludeNewer;
    into.workspace ??= from.workspace;
    into.pypiWorkspace ??= from.pypiWorkspace;
    into.channels = new Map([...from.channels, ...into.channels]);
    into.packages = new Map([...from.packages, ...into.packages]);
    into.pypiPackages = new Map([...from.pypiPackages, ...into.pypiPackages]);
    into.exemptions = new Map([...from.exemptions, ...into.exemptions]);
    into.pypiExemptions = new Map([...from.pypiExemptions, ...into.pypiExemptions]);
  }
}

function appendUnique(target: string[], values: readonly string[]): void {
  for (const value of values) if (!target.includes(value)) target.push(value);
}

export interface InventoryFilter {
  environment?: string;
  platform?: string;
}

/** Restrict an inventory to one environment and/or platform (by subdir or by lock platform name). */
export function filterInventory(inventory: Inventory, filter: InventoryFilter): Inventory {
  const { environment, platform } = filter;
  if (environment && !inventory.environments.some((env) => env.name === environment)) {
    throw new CvebuildError(
      'USAGE',
      `no environment named ${JSON.stringify(environment)} (have: ${inventory.environments.map((env) => env.name).join(', ') || 'none'})`,
    );
  }
  const platformMatches = (candidate: PlatformPackages) =>
    !platform || candidate.subdir === platform || candidate.name === platform;
  if (platform && !inventory.environments.some((env) => env.platforms.some(platformMatches))) {
    const known = new Set(inventory.environments.flatMap((env) => env.platforms.flatMap((p) => [p.name, p.subdir])));
    throw new CvebuildError(
      'USAGE',
      `no platform ${JSON.stringify(platform)} (have: ${[...known].sort().join(', ') || 'none'})`,
    );
  }
  const environments = inventory.environments
    .filter((env) => !environment || env.name === environment)
    .map((env) => ({ ...env, platforms: env.platforms.filter(platformMatches) }));
  // loops, not flatMaps: this runs on every audit, over every placement of every package
  const kept = new Set<Package>();
  for (const env of environments) for (const { packages } of env.platforms) for (const pkg of packages) kept.add(pkg);
  const packages =
    !environment && kept.size === inventory.packages.length && inventory.packages.every((pkg) => kept.has(pkg))
      ? inventory.packages
      : inventory.packages
          .filter((pkg) => kept.has(pkg))
          .map((pkg) =>
            environment ? { ...pkg, environments: pkg.environments.filter((name) => name === environment) } : pkg,
          );
  return { ...inventory, environments, packages };
}
