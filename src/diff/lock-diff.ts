/**
 * Lock-to-lock review: what an update changes per environment and platform — added, removed,
 * upgraded, downgraded, rebuilt, moved to another channel or index — and the red flags a reviewer
 * must not miss: a different hash for the same artifact, or a move between public and private
 * sources.
 */
import type { Environment, Inventory } from '../model/inventory.ts';
import { compareText, type Package } from '../model/package.ts';
import { condaChannelVisibility, pypiIndexVisibility } from '../sources/public.ts';
import { condaScheme } from '../versions/conda.ts';
import { pep440Scheme } from '../versions/pep440.ts';

export type ChangeKind =
  | 'added'
  | 'removed'
  | 'upgraded'
  | 'downgraded'
  | 'rebuilt'
  | 'source-changed'
  | 'hash-changed';

export interface ArtifactRef {
  version: string;
  build?: string;
  source?: string;
  sha256?: string;
}

export interface PackageChange {
  kind: ChangeKind;
  ecosystem: Package['ecosystem'];
  name: string;
  environment: string;
  /** Platforms showing exactly this change, sorted. */
  platforms: string[];
  before?: ArtifactRef;
  after?: ArtifactRef;
  redFlag?: string;
  /** The package on the new side (for checks on what is new). */
  afterPackages: Package[];
}

export interface EnvironmentChange {
  environment: string;
  kind: 'added' | 'removed' | 'channels-changed' | 'indexes-changed';
  before: string[];
  after: string[];
}

export interface LockDiff {
  environments: EnvironmentChange[];
  packages: PackageChange[];
  counts: Record<ChangeKind, number>;
  redFlags: number;
}

const KINDS: ChangeKind[] = ['added', 'removed', 'upgraded', 'downgraded', 'rebuilt', 'source-changed', 'hash-changed'];

export function diffInventories(before: Inventory, after: Inventory): LockDiff {
  const environments: EnvironmentChange[] = [];
  const changes: PackageChange[] = [];
  const names = [...new Set([...before.environments, ...after.environments].map((env) => env.name))].sort(compareText);
  for (const name of names) {
    const old = before.environments.find((env) => env.name === name);
    const now = after.environments.find((env) => env.name === name);
    environments.push(...environmentChanges(name, old, now));
    for (const platform of platformsOf(old, now)) {
      changes.push(...platformChanges(name, platform, packagesOn(old, platform), packagesOn(now, platform)));
    }
  }
  const packages = foldPlatforms(changes);
  const counts = Object.fromEntries(
    KINDS.map((kind) => [kind, packages.filter((change) => change.kind === kind).length]),
  ) as Record<ChangeKind, number>;
  return { environments, packages, counts, redFlags: packages.filter((change) => change.redFlag).length };
}

function environmentChanges(
  name: string,
  old: Environment | undefined,
  now: Environment | undefined,
): EnvironmentChange[] {
  if (!old && now) return [{ environment: name, kind: 'added', before: [], after: now.platforms.map((p) => p.name) }];
  if (old && !now) return [{ environment: name, kind: 'removed', before: old.platforms.map((p) => p.name), after: [] }];
  if (!old || !now) return [];
  const changes: EnvironmentChange[] = [];
  if (old.channels.join('\n') !== now.channels.join('\n')) {
    changes.push({ environment: name, kind: 'channels-changed', before: old.channels, after: now.channels });
  }
  if (old.indexes.join('\n') !== now.indexes.join('\n')) {
    changes.push({ environment: name, kind: 'indexes-changed', before: old.indexes, after: now.indexes });
  }
  return changes;
}

function platformsOf(...environments: (Environment | undefined)[]): string[] {
  return [...new Set(environments.flatMap((env) => env?.platforms.map((p) => p.subdir) ?? []))].sort(compareText);
}

function packagesOn(env: Environment | undefined, subdir: string): Map<string, Package> {
  const map = new Map<string, Package>();
  for (const platform of env?.platforms ?? []) {
    if (platform.subdir !== subdir) continue;
    for (const pkg of platform.packages) map.set(`${pkg.ecosystem}\u0000${pkg.normalizedName}`, pkg);
  }
  return map;
}

function platformChanges(
  environment: string,
  platform: string,
  old: Map<string, Package>,
  now: Map<string, Package>,
): PackageChange[] {
  const changes: PackageChange[] = [];
  for (const key of [...new Set([...old.keys(), ...now.keys()])].sort(compareText)) {
    const a = old.get(key);
    const b = now.get(key);
    const base = { environment, platforms: [platform] };
    if (!a && b)
      changes.push({ ...base, kind: 'added', ecosystem: b.ecosystem, name: b.name, after: ref(b), afterPackages: [b] });
    else if (a && !b)
      changes.push({
        ...base,
        kind: 'removed',
        ecosystem: a.ecosystem,
        name: a.name,
        before: ref(a),
        afterPackages: [],
      });
    else if (a && b) {
      const change = compareArtifacts(a, b);
      if (change)
        changes.push({
          ...base,
          ...change,
          ecosystem: b.ecosystem,
          name: b.name,
          before: ref(a),
          after: ref(b),
          afterPackages: [b],
        });
    }
  }
  return changes;
}

function compareArtifacts(a: Package, b: Package): { kind: ChangeKind; redFlag?: string } | undefined {
  if (a.version !== b.version) {
    return { kind: compareVersions(a, b) < 0 ? 'upgraded' : 'downgraded' };
  }
  const sourceA = sourceOf(a);
  const sourceB = sourceOf(b);
  const visibilityChange = sourceA && sourceB && visibility(a, sourceA) !== visibility(b, sourceB);
  if ((a.build ?? '') !== (b.build ?? '')) {
    return {
      kind: 'rebuilt',
      redFlag: visibilityChange
        ? `moved from a ${visibility(a, sourceA)} to a ${visibility(b, sourceB)} source`
        : undefined,
    };
  }
  if (a.sha256 && b.sha256 && a.sha256 !== b.sha256) {
    return { kind: 'hash-changed', redFlag: 'same version and build, different sha256: the artifact was replaced' };
  }
  if (sourceA !== sourceB) {
    return {
      kind: 'source-changed',
      redFlag: visibilityChange
        ? `moved from a ${visibility(a, sourceA ?? '')} to a ${visibility(b, sourceB ?? '')} source`
        : undefined,
    };
  }
  return undefined;
}

function compareVersions(a: Package, b: Package): number {
  const scheme = a.ecosystem === 'conda' ? condaScheme : pep440Scheme;
  if (scheme.isValid(a.version) && scheme.isValid(b.version)) return scheme.compare(a.version, b.version);
  return compareText(a.version, b.version);
}

function sourceOf(pkg: Package): string | undefined {
  return pkg.ecosystem === 'conda' ? pkg.channel : (pkg.index ?? pkg.url);
}

function visibility(pkg: Package, source: string): string {
  return pkg.ecosystem === 'conda' ? condaChannelVisibility(source) : pypiIndexVisibility(source);
}

function ref(pkg: Package): ArtifactRef {
  return { version: pkg.version, build: pkg.build || undefined, source: sourceOf(pkg), sha256: pkg.sha256 };
}

/** One row per change that reads the same on several platforms. */
function foldPlatforms(changes: PackageChange[]): PackageChange[] {
  const rows = new Map<string, PackageChange>();
  for (const change of changes) {
    const key = [
      change.environment,
      change.kind,
      change.ecosystem,
      change.name,
      change.before?.version,
      change.before?.build,
      change.after?.version,
      change.after?.build,
      change.redFlag,
    ].join('\u0000');
    const row = rows.get(key);
    if (row) {
      row.platforms.push(...change.platforms);
      row.afterPackages.push(...change.afterPackages);
    } else {
      rows.set(key, { ...change, platforms: [...change.platforms], afterPackages: [...change.afterPackages] });
    }
  }
  return [...rows.values()];
}

/** The packages an update brings in (added or changed), as an inventory the checks can run on. */
export function newPackagesInventory(diff: LockDiff, after: Inventory): Inventory {
  const fresh = new Set(
    diff.packages.filter((change) => change.kind !== 'removed').flatMap((change) => change.afterPackages),
  );
  return { ...after, packages: after.packages.filter((pkg) => fresh.has(pkg)) };
}
