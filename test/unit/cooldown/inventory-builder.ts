/** Small in-memory inventories for the cooldown tests: packages with just the fields the check reads. */
import type { CheckContext } from '../../../src/checks/check.ts';
import { defaultCheckSettings } from '../../../src/checks/registry.ts';
import { type ExcludeNewer, emptyManifest, type Inventory } from '../../../src/model/inventory.ts';
import { normalizeName, type Package } from '../../../src/model/package.ts';
import { tempDirectory } from '../../helpers/temp.ts';

export const MANIFEST = '/project/pixi.toml';

export function condaPackage(name: string, version: string, fields: Partial<Package> = {}): Package {
  const channel = fields.channel ?? 'https://conda.anaconda.org/conda-forge';
  const location = `${channel}/linux-64/${name}-${version}-h0_0.conda`;
  return {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeName('conda', name),
    version,
    build: 'h0_0',
    subdir: 'linux-64',
    platform: 'linux-64',
    channel,
    url: location,
    location,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: '/project/pixi.lock', line: 10 },
    ...fields,
  };
}

export function pypiPackage(name: string, version: string, index: string, fields: Partial<Package> = {}): Package {
  const filename = `${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  const url = `https://files.pythonhosted.org/packages/ab/cd/ef/${filename}`;
  return {
    ecosystem: 'pypi',
    name,
    normalizedName: normalizeName('pypi', name),
    version,
    platform: 'linux-64',
    index,
    url,
    location: url,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: '/project/pixi.lock', line: 20 },
    ...fields,
  };
}

/** `excludeNewer` entries are given as values; each gets a distinct line in the manifest. */
export interface CutoffConfig {
  workspace?: string;
  pypiWorkspace?: string;
  channels?: Record<string, string>;
  packages?: Record<string, string>;
  pypiPackages?: Record<string, string>;
  exemptions?: Record<string, string>;
  pypiExemptions?: Record<string, string>;
}

export function inventory(packages: Package[], config: CutoffConfig = {}): Inventory {
  let line = 1;
  const setting = (value: string) => ({ value, origin: { file: MANIFEST, line: line++ } });
  const settings = (record: Record<string, string> = {}) =>
    new Map(Object.entries(record).map(([key, value]) => [key, setting(value)]));
  const excludeNewer: ExcludeNewer = {
    workspace: config.workspace === undefined ? undefined : setting(config.workspace),
    pypiWorkspace: config.pypiWorkspace === undefined ? undefined : setting(config.pypiWorkspace),
    channels: settings(config.channels),
    packages: settings(config.packages),
    pypiPackages: settings(config.pypiPackages),
    exemptions: new Map(Object.entries(config.exemptions ?? {})),
    pypiExemptions: new Map(Object.entries(config.pypiExemptions ?? {})),
  };
  const environments = [...new Set(packages.flatMap((pkg) => pkg.environments))].map((name) => ({
    name,
    channels: [],
    indexes: [],
    platforms: [],
    options: {},
  }));
  return {
    sources: [],
    environments,
    packages,
    manifest: { ...emptyManifest(), excludeNewer },
    warnings: [],
  };
}

export function context(now: string, extra: Partial<CheckContext> = {}): CheckContext {
  return { now: new Date(now), offline: false, cacheDir: tempDirectory(), settings: defaultCheckSettings(), ...extra };
}
