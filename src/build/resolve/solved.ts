/**
 * Solved environments as the rest of the pipeline sees them: each record a conda `Package` of
 * its environment (`build`, `host`, `run`) and platform, all of them one inventory. The stage's
 * record keeps the records themselves, so a resumed run rebuilds the same packages from it.
 */
import { channelAndSubdirOf, normalizeChannel } from '../../conda/url.ts';
import type { DeclaredDependency, Inventory } from '../../model/inventory.ts';
import { artifactKey, normalizeCondaName, type Package, type SourceLocation } from '../../model/package.ts';
import { inventoryFromPackages } from '../../readers/packages.ts';
import { ENVIRONMENT_NAMES, type EnvironmentName } from './requests.ts';
import type { SolvedRecord } from './solver.ts';

export interface SolvedEnvironment {
  name: EnvironmentName;
  /** The subdir it was solved for. */
  platform: string;
  records: SolvedRecord[];
}

/**
 * A record is placed at the requirement that asked for it (its file and line) when the recipe
 * names it in that environment, else at the recipe: a transitive dependency has no line of its own.
 */
export function solvedInventory(
  environments: readonly SolvedEnvironment[],
  declared: readonly DeclaredDependency[],
  recipeFile: string,
): Inventory {
  const byKey = new Map<string, Package>();
  for (const environment of environments) {
    for (const record of environment.records) {
      const pkg = packageOf(record, environment, originOf(record, environment.name, declared, recipeFile));
      const key = artifactKey(pkg);
      const seen = byKey.get(key);
      if (seen) seen.environments = [...new Set([...seen.environments, environment.name])];
      else byKey.set(key, pkg);
    }
  }
  return inventoryFromPackages([...byKey.values()]);
}

function originOf(
  record: SolvedRecord,
  environment: EnvironmentName,
  declared: readonly DeclaredDependency[],
  recipeFile: string,
): SourceLocation {
  const name = normalizeCondaName(record.name);
  const requirement = declared.find(
    (dependency) =>
      dependency.ecosystem === 'conda' && dependency.scope === environment && dependency.normalizedName === name,
  );
  return requirement ? requirement.origin : { file: recipeFile };
}

function packageOf(record: SolvedRecord, environment: SolvedEnvironment, origin: SourceLocation): Package {
  const channel = record.channel ?? channelAndSubdirOf(record.url).channel;
  const pkg: Package = {
    ecosystem: 'conda',
    name: record.name,
    normalizedName: normalizeCondaName(record.name),
    version: record.version,
    build: record.build,
    platform: environment.platform,
    url: record.url,
    location: record.url,
    depends: [...record.depends],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [environment.name],
    origin,
  };
  if (record.buildNumber !== undefined) pkg.buildNumber = record.buildNumber;
  if (record.subdir !== undefined) pkg.subdir = record.subdir;
  if (channel !== undefined) pkg.channel = normalizeChannel(channel);
  if (record.sha256 !== undefined) pkg.sha256 = record.sha256;
  if (record.md5 !== undefined) pkg.md5 = record.md5;
  if (record.size !== undefined) pkg.size = record.size;
  return pkg;
}

/** The environments a stage record holds, or undefined when it does not hold them in this shape. */
export function recordedEnvironments(value: unknown): SolvedEnvironment[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const environments: SolvedEnvironment[] = [];
  for (const item of value) {
    const { name, platform, records } = (item ?? {}) as Partial<SolvedEnvironment>;
    if (!ENVIRONMENT_NAMES.includes(name as EnvironmentName) || typeof platform !== 'string') return undefined;
    if (!Array.isArray(records) || !records.every(isRecord)) return undefined;
    environments.push({ name: name as EnvironmentName, platform, records });
  }
  return environments;
}

function isRecord(value: unknown): value is SolvedRecord {
  const record = value as Partial<SolvedRecord> | null;
  return (
    typeof record?.name === 'string' &&
    typeof record.version === 'string' &&
    typeof record.build === 'string' &&
    typeof record.url === 'string' &&
    Array.isArray(record.depends) &&
    record.depends.every((spec) => typeof spec === 'string')
  );
}
