/**
 * The resolved artifact: one distribution of one package, as installed on one platform.
 * Every reader produces these; every check consumes them.
 */

export type Ecosystem = 'conda' | 'pypi';

/** How the artifact is obtained: from a channel/index, a direct URL, a VCS, a local path, or built from source. */
export type PackageKind = 'registry' | 'url' | 'git' | 'path' | 'editable' | 'source-build';

/** Where in an input file a record was read from, so findings can point at it. */
export interface SourceLocation {
  file: string;
  line?: number;
  /** 1-based; with `endLine` / `endColumn` (exclusive), the span a code finding points at. */
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface Package {
  ecosystem: Ecosystem;
  name: string;
  /** PEP 503 for PyPI, lowercase for conda: the key every lookup uses. */
  normalizedName: string;
  /** The version exactly as written by the producer ("" when a source tree has none yet). */
  version: string;
  build?: string;
  buildNumber?: number;
  /** The conda subdir the artifact was built for (`noarch`, `linux-64`, ...). */
  subdir?: string;
  /** The platform (conda subdir) of the environment the artifact is installed into. */
  platform: string;
  /** Conda channel URL (or name when only a name is known), without trailing slash. */
  channel?: string;
  /** PyPI index URL the artifact came from. */
  index?: string;
  /** Download URL of the artifact; absent for local paths and source trees. */
  url?: string;
  /** The location string as written by the producer (URL, relative path, git URL). */
  location: string;
  sha256?: string;
  md5?: string;
  size?: number;
  /**
   * When the artifact was published, in ms since the epoch, when the producer knew it: a conda
   * artifact's build time (CEP 47 `indexed_timestamp` or `timestamp`); a PyPI file's PEP 700
   * upload time (the proxy reads it from the index page). The cooldown check uses it as is and
   * looks a PyPI file's upload time up on its index only when it is absent.
   */
  timestamp?: number;
  license?: string;
  /** Conda MatchSpec strings. */
  depends: string[];
  /** PEP 508 requirement strings (PyPI). */
  requiresDist: string[];
  /** Package URLs the producer associated with the record (e.g. conda → PyPI mappings). */
  purls: string[];
  /**
   * True when the producer wrote the purls field: then `purls: []` means "known not to be a PyPI
   * package" (pixi's meaning); otherwise an empty list only means "not recorded".
   */
  purlsKnown?: boolean;
  kind: PackageKind;
  noarch?: 'python' | 'generic';
  /** Names of the environments that contain this artifact on this platform, sorted. */
  environments: string[];
  /**
   * True when the artifact is only needed to build a source package (v7 `build_packages` /
   * `host_packages`), not installed into any environment. Build tools still run code.
   */
  buildOnly?: boolean;
  /** First place the record was read from. */
  origin: SourceLocation;
  /**
   * What the record claimed when its artifact's file name says otherwise. `name`, `version` and
   * `build` above are then the artifact's: what is installed is what gets audited.
   */
  claimed?: { name: string; version: string; build?: string };
}

/** PEP 503 normalization: runs of `-`, `_`, `.` collapse to `-`, lowercase. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** Conda package names are case-insensitive; conda and rattler compare them lowercased. */
export function normalizeCondaName(name: string): string {
  return name.toLowerCase();
}

export function normalizeName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? normalizePypiName(name) : normalizeCondaName(name);
}

/** Identity of a distinct artifact on a platform: the unit of the inventory's package list. */
export function artifactKey(
  pkg: Pick<Package, 'ecosystem' | 'location' | 'name' | 'version' | 'build' | 'platform'>,
): string {
  return [pkg.ecosystem, pkg.platform, pkg.location, pkg.name, pkg.version, pkg.build ?? ''].join('\u0000');
}

/** Deterministic order: ecosystem, normalized name, version, platform, build, location. */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareText(a.ecosystem, b.ecosystem) ||
    compareText(a.normalizedName, b.normalizedName) ||
    compareText(a.version, b.version) ||
    compareText(a.platform, b.platform) ||
    compareText(a.build ?? '', b.build ?? '') ||
    compareText(a.location, b.location)
  );
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
