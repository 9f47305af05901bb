/**
 * `cvebuild inventory --format json`: a public contract (schemaVersion 1). Keys are always present
 * (null when unknown) and in a fixed order, so the output diffs cleanly. Credentials in URLs are
 * masked.
 */
import type { DeclaredDependency, Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { redactUrlCredentials } from '../readers/conda-url.ts';

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
  return `${JSON.stringify(document, null, 2)}\n`;
}

function packageJson(pkg: Package) {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build ?? null,
    platform: pkg.platform,
    environments: pkg.environments,
    channel: masked(pkg.channel),
    index: masked(pkg.index),
    url: masked(pkg.url),
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
    channel: masked(dependency.channel),
    index: masked(dependency.index),
    reference: masked(dependency.reference),
    file: dependency.origin.file,
    line: dependency.origin.line ?? null,
  };
}

function masked(url: string | undefined): string | null {
  return url === undefined ? null : redactUrlCredentials(url);
}
