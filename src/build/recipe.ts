/**
 * The recipe as the pre-build stages see it: its file (rattler-build `recipe.yaml` or conda-build
 * `meta.yaml`, read by the same readers as `inventory`) and its build / host / run requirements
 * as packages. A requirement pinned to one version is that release; any other has no version,
 * so the name checks (typosquat, malicious names) still see it while version checks cannot match it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readInventory } from '../engine/read-project.ts';
import { CvebuildError } from '../errors.ts';
import type { DeclaredDependency, Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { inventoryFromPackages } from '../readers/packages.ts';

const RECIPE_FILES = ['recipe.yaml', 'meta.yaml'] as const;

/** Conda package names; a requirement that is still an unrendered template is not one. */
const CONDA_NAME = /^[a-z0-9_][a-z0-9_.+-]*$/i;

export function findRecipe(recipeDir: string): string {
  if (!statSync(recipeDir, { throwIfNoEntry: false })?.isDirectory())
    throw new CvebuildError('INPUT_NOT_FOUND', 'no such recipe directory', { file: recipeDir });
  const found = RECIPE_FILES.map((name) => join(recipeDir, name)).filter((file) => existsSync(file));
  const [file] = found;
  if (!file)
    throw new CvebuildError('INPUT_UNRECOGNIZED', `no ${RECIPE_FILES.join(' or ')} in the recipe directory`, {
      file: recipeDir,
    });
  if (found.length > 1)
    throw new CvebuildError('RECIPE_INVALID', `both ${RECIPE_FILES.join(' and ')}: which one builds is a guess`, {
      file: recipeDir,
    });
  return file;
}

export interface RecipeRequirements {
  inventory: Inventory;
  /** Requirements left out: templates the reader could not render into a name. */
  unnamed: string[];
}

export function recipeRequirements(recipeFile: string, platform: string): RecipeRequirements {
  const read = readInventory(recipeFile);
  const own = new Set(read.manifest.recipeOutputs.map((output) => output.name.toLowerCase()));
  const packages: Package[] = [];
  const unnamed: string[] = [];
  for (const dependency of read.manifest.dependencies) {
    if (dependency.ecosystem !== 'conda' || dependency.scope === 'constraint') continue;
    if (!CONDA_NAME.test(dependency.name)) {
      unnamed.push(dependency.name);
      continue;
    }
    // another output of the same recipe is built here, not fetched
    if (own.has(dependency.normalizedName)) continue;
    packages.push(requirementPackage(dependency, platform));
  }
  const inventory = inventoryFromPackages(packages);
  inventory.sources = read.sources;
  inventory.manifest = read.manifest;
  inventory.warnings.push(...read.warnings);
  return { inventory, unnamed };
}

/** `==1.2`, `1.2` or `1.2 build` (rattler-build reads a bare version as exact): one release. */
export function pinnedVersion(spec: string): string | undefined {
  const match = /^(?:==)?\s*([0-9A-Za-z_.+!-]+)(?:\s+\S+)?$/.exec(spec.trim());
  const version = match?.[1];
  return version && !version.includes('*') ? version : undefined;
}

function requirementPackage(dependency: DeclaredDependency, platform: string): Package {
  const version = pinnedVersion(dependency.spec) ?? '';
  return {
    ecosystem: 'conda',
    name: dependency.name,
    normalizedName: dependency.normalizedName,
    version,
    platform,
    ...(dependency.channel ? { channel: dependency.channel } : {}),
    location: `${dependency.name} ${dependency.spec}`.trim(),
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    // the recipe section the requirement is in: build tools run code as much as run requirements do
    environments: [dependency.scope],
    origin: dependency.origin,
  };
}
