/**
 * The inventory: everything cvebuild knows about a project after reading its files —
 * the resolved packages per environment and platform, and the settings its manifests declare.
 */
import type { Ecosystem, Package, SourceLocation } from './package.ts';

/** Formats the readers understand. */
export type InputFormat =
  | 'pixi-lock'
  | 'conda-lock'
  | 'pixi-manifest'
  | 'pyproject'
  | 'environment-yml'
  | 'explicit'
  | 'conda-meta'
  | 'conda-archive'
  | 'rattler-recipe'
  | 'conda-build-recipe';

/** One file (or prefix directory) that was read. */
export interface InputSource {
  path: string;
  format: InputFormat;
  /** Format version where the format has one (pixi.lock 4..7, conda-lock 1). */
  formatVersion?: number;
  /** Entries in the file's package list by kind, as written (before de-duplication). */
  records: { conda: number; pypi: number; condaSource: number };
}

/**
 * A cooldown cutoff as written in a manifest: an absolute RFC 3339 time / `YYYY-MM-DD` date, or a
 * duration such as `7d` that is relative to the time of the check. Interpretation belongs to the
 * cooldown check; readers keep the text and where it came from.
 */
export interface ExcludeNewerSetting {
  value: string;
  origin: SourceLocation;
}

export interface ExcludeNewer {
  workspace?: ExcludeNewerSetting;
  /** PyPI-only workspace cutoff (pixi ≥ 0.84 `[workspace.pypi-exclude-newer] cutoff`). */
  pypiWorkspace?: ExcludeNewerSetting;
  /** Channel URL or name → cutoff. */
  channels: Map<string, ExcludeNewerSetting>;
  /** Conda package name → cutoff. */
  packages: Map<string, ExcludeNewerSetting>;
  /** PyPI package name (normalized) → cutoff. */
  pypiPackages: Map<string, ExcludeNewerSetting>;
  /** Conda package name → exempted spec (`*` or a version spec). */
  exemptions: Map<string, string>;
  pypiExemptions: Map<string, string>;
}

/** Where a declared dependency belongs: runtime, a recipe's build or host section, a feature, ... */
export type DependencyScope = 'run' | 'build' | 'host' | 'dev' | 'optional' | 'constraint';

/** A dependency as a human declared it (not yet resolved). */
export interface DeclaredDependency {
  ecosystem: Ecosystem;
  name: string;
  normalizedName: string;
  /** Version requirement as written (conda MatchSpec version part or PEP 440 specifier); "" = any. */
  spec: string;
  /** Build string glob of a conda MatchSpec (`py312*`), when it names one. */
  build?: string;
  /** Explicit channel (`conda-forge::numpy`, `{ channel = ... }`). */
  channel?: string;
  /** Explicit PyPI index (`{ index = ... }` in pixi.toml). */
  index?: string;
  /** Direct reference: URL, git, or path. */
  reference?: string;
  scope: DependencyScope;
  /** Feature / environment / output / category the declaration belongs to. */
  group?: string;
  /** The selector / `if:` condition a recipe declares it under (`win`, `not (unix)`), as written. */
  condition?: string;
  origin: SourceLocation;
}

/** Upstream sources a recipe builds from. */
export interface RecipeSource {
  kind: 'url' | 'git' | 'path';
  location: string;
  sha256?: string;
  md5?: string;
  rev?: string;
  origin: SourceLocation;
}

export interface ManifestSettings {
  /** Channels in priority order (URLs or names as written). */
  channels: string[];
  /** PyPI indexes; the first is the default index. */
  indexes: string[];
  excludeNewer: ExcludeNewer;
  dependencies: DeclaredDependency[];
  recipeSources: RecipeSource[];
  /** Names of the packages a recipe produces. */
  recipeOutputs: { name: string; version: string }[];
}

export interface PlatformPackages {
  /** The platform's name in the lock (v7 may rename platforms, e.g. `p1`). */
  name: string;
  /** The conda subdir the name resolves to. */
  subdir: string;
  /** Virtual packages the platform declares (`__cuda=12.9`). */
  virtualPackages: string[];
  packages: Package[];
}

export interface Environment {
  name: string;
  channels: string[];
  indexes: string[];
  platforms: PlatformPackages[];
  /** Solver options the lock recorded (`strategy`, `channel-priority`, ...). */
  options: Record<string, string>;
  /** Cutoff recorded in the lock itself (pixi.lock v6 `options.exclude-newer`). */
  excludeNewer?: ExcludeNewerSetting;
}

export interface InventoryWarning {
  message: string;
  origin?: SourceLocation;
}

export interface Inventory {
  sources: InputSource[];
  environments: Environment[];
  /** Distinct artifacts per platform, sorted, each with the environments containing it. */
  packages: Package[];
  manifest: ManifestSettings;
  warnings: InventoryWarning[];
}

export function emptyExcludeNewer(): ExcludeNewer {
  return {
    channels: new Map(),
    packages: new Map(),
    pypiPackages: new Map(),
    exemptions: new Map(),
    pypiExemptions: new Map(),
  };
}

export function emptyManifest(): ManifestSettings {
  return {
    channels: [],
    indexes: [],
    excludeNewer: emptyExcludeNewer(),
    dependencies: [],
    recipeSources: [],
    recipeOutputs: [],
  };
}

/** An inventory with nothing in it: what `scan-code` audits (its checks read the tree, not a lock). */
export function emptyInventory(): Inventory {
  return { sources: [], environments: [], packages: [], manifest: emptyManifest(), warnings: [] };
}
