/**
 * `cvebuild inventory --format json`: a public contract (schemaVersion 1). Keys are always present
 * (null when unknown) and in a fixed order, so the output diffs cleanly. Credentials in URLs are
 * masked by `toJson`, in every string.
 */
import type { DeclaredDependency, Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { toJson } from '../text/json.ts';

export const INVENTORY_SCHEMA_VERSION = 1;

export function renderInventoryJson(inventory: Inventory): string {
  const document = {
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    sources: inventory.sources.map((source) => ({
      path: source.path,
      format: source.format,
      formatVersion: source.formatVersion ?? null,
      records: source.records,
    })),
    packages: inventory.packages.map(packageJson),
    declared: inventory.manifest.dependencies.map(declaredJson),
    warnings: inventory.warnings.map((warning) => ({
      message: warning.message,
      file: warning.origin?.file ?? null,
      line: warning.origin?.line ?? null,
    })),
  };
  return `${toJson(document)}\n`;
}

function packageJson(pkg: Package) {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build ?? null,
    platform: pkg.platform,
    environments: pkg.environments,
    channel: pkg.channel ?? null,
    index: pkg.index ?? null,
    url: pkg.url ?? null,
    sha256: pkg.sha256 ?? null,
    timestamp: pkg.timestamp ?? null,
    purls: pkg.purls,
    kind: pkg.kind,
  };
}

function declaredJson(dependency: DeclaredDependency) {
  return {
    ecosystem: dependency.ecosystem,
    name: dependency.name,
    spec: dependency.spec,
    scope: dependency.scope,
    group: dependency.group ?? null,
    channel: dependency.channel ?? null,
    index: dependency.index ?? null,
    reference: dependency.reference ?? null,
    file: dependency.origin.file,
    line: dependency.origin.line ?? null,
  };
}
