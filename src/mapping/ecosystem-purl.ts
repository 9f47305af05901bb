/**
 * The ecosystem-purl map (data/conda-ecosystems.json) at run time: which OSV package a conda-forge
 * command-line tool is, and its conda version in that ecosystem's terms.
 */
import { toolPackageKey } from '../intel/ecosystem-names.ts';
import type { ToolEcosystem } from '../intel/model.ts';
import { readPackageFile } from '../package-files.ts';
import { ECOSYSTEM_MAP_FILE, type EcosystemTool, parseEcosystemMap } from './ecosystem-purl-file.ts';

export type { EcosystemTool };

let byConda: Map<string, EcosystemTool> | undefined;

function load(): Map<string, EcosystemTool> {
  byConda ??= new Map(parseEcosystemMap(readPackageFile(ECOSYSTEM_MAP_FILE)).map((tool) => [tool.conda, tool]));
  return byConda;
}

export function ecosystemTools(): readonly EcosystemTool[] {
  return [...load().values()];
}

export function ecosystemToolForConda(condaName: string): EcosystemTool | undefined {
  return load().get(condaName);
}

/** The lookup keys of the packages the map names in one ecosystem (what an npm import keeps). */
export function mappedPackageKeys(ecosystem: ToolEcosystem): Set<string> {
  const keys = new Set<string>();
  for (const tool of load().values()) {
    if (tool.ecosystem !== ecosystem) continue;
    keys.add(toolPackageKey(ecosystem, tool.name));
    // a Go module's major-version paths are all the same tool (see goModulePath)
    if (ecosystem === 'Go') keys.add(toolPackageKey(ecosystem, withoutMajorSuffix(tool.name)));
  }
  return keys;
}

export interface ToolTarget {
  ecosystem: ToolEcosystem;
  /** Lookup key of the OSV package (for Go, the module path of this version's major). */
  normalizedName: string;
  /** The conda version in the ecosystem's SemVer spelling; unreadable ones stay as given (never guessed). */
  version: string;
}

export function toolTarget(tool: EcosystemTool, condaVersion: string): ToolTarget {
  const version = tool.version === 'release-timestamp' ? pseudoVersion(condaVersion) : semverOf(condaVersion);
  const name = tool.ecosystem === 'Go' ? goModulePath(tool.name, version) : tool.name;
  return { ecosystem: tool.ecosystem, normalizedName: toolPackageKey(tool.ecosystem, name), version };
}

/**
 * conda-forge writes a release's `-` as `_` (prettier `3.0.0_alpha.1`); SemVer needs three numbers,
 * which a two-number conda version (`1.2`) means. Anything else is left for the scheme to refuse.
 */
function semverOf(condaVersion: string): string {
  const version = condaVersion.replace(/_/g, '-');
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(version);
  if (!match || match[3] !== undefined) return version;
  return `${match[1]}.${match[2] ?? '0'}.0${match[4] ?? ''}`;
}

/**
 * Go's semantic import versioning: from v2 on, a module's path ends in `/vN`. The map names one path;
 * the version decides which major's path the advisories are filed under (gh 2.x is
 * `github.com/cli/cli/v2`, git-lfs 3.x `github.com/git-lfs/git-lfs/v3`, buf 1.x the bare path).
 */
function goModulePath(path: string, version: string): string {
  const base = withoutMajorSuffix(path);
  const major = /^(\d+)\./.exec(version)?.[1];
  return major !== undefined && Number(major) >= 2 ? `${base}/v${major}` : base;
}

function withoutMajorSuffix(path: string): string {
  return path.replace(/\/v\d+$/, '');
}

/**
 * `2025.01.20.14.49.07` (MinIO's release `2025-01-20T14-49-07Z`) → `0.0.0-20250120144907-000000000000`,
 * the pseudo-version of a commit at that time. Go orders pseudo-versions by their UTC timestamp
 * first; the zero hash sorts below any real one, so a fix committed in the same second as the
 * release counts as not in it: in doubt, affected.
 */
function pseudoVersion(condaVersion: string): string {
  const match = /^(\d{4})\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2})\.(\d{2})$/.exec(condaVersion);
  return match ? `0.0.0-${match.slice(1).join('')}-000000000000` : condaVersion;
}
