/** Hand-made packages, inventories and ReportInputs for the SBOM and SARIF renderer tests. */
import { type Environment, emptyManifest, type Inventory } from '../../../src/model/inventory.ts';
import { comparePackages, normalizeName, type Package } from '../../../src/model/package.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { reportPolicy } from '../../../src/report/from-audit.ts';
import { type ReportInput, TOOL } from '../../../src/report/report.ts';

export const ROOT = '/project';
export const NOW = new Date('2026-11-20T12:00:00Z');

export function condaPackage(name: string, version: string, fields: Partial<Package> = {}): Package {
  const channel = fields.channel ?? 'https://conda.anaconda.org/conda-forge';
  const subdir = fields.subdir ?? 'linux-64';
  const build = fields.build ?? 'h0_0';
  const location = `${channel}/${subdir}/${name}-${version}-${build}.conda`;
  return {
    ecosystem: 'conda',
    name,
    normalizedName: normalizeName('conda', name),
    version,
    build,
    subdir,
    platform: 'linux-64',
    channel,
    url: location,
    location,
    sha256: 'a'.repeat(64),
    md5: 'b'.repeat(32),
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: `${ROOT}/pixi.lock`, line: 10 },
    ...fields,
  };
}

export function pypiPackage(name: string, version: string, fields: Partial<Package> = {}): Package {
  const url = `https://files.pythonhosted.org/packages/ab/cd/${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`;
  return {
    ecosystem: 'pypi',
    name,
    normalizedName: normalizeName('pypi', name),
    version,
    platform: 'linux-64',
    index: 'https://pypi.org/simple',
    url,
    location: url,
    sha256: 'c'.repeat(64),
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: `${ROOT}/pixi.lock`, line: 20 },
    ...fields,
  };
}

/** An inventory whose environments place each package on its platform, as a lock reader would. */
export function inventoryOf(packages: Package[], manifest: Partial<Inventory['manifest']> = {}): Inventory {
  const environments: Environment[] = [];
  for (const name of [...new Set(packages.flatMap((pkg) => pkg.environments))].sort()) {
    const members = packages.filter((pkg) => pkg.environments.includes(name));
    const platforms = [...new Set(members.map((pkg) => pkg.platform))].sort();
    environments.push({
      name,
      channels: [],
      indexes: [],
      options: {},
      platforms: platforms.map((platform) => ({
        name: platform,
        subdir: platform,
        virtualPackages: [],
        packages: members.filter((pkg) => pkg.platform === platform),
      })),
    });
  }
  return {
    sources: [
      {
        path: `${ROOT}/pixi.lock`,
        format: 'pixi-lock',
        formatVersion: 6,
        records: { conda: 0, pypi: 0, condaSource: 0 },
      },
    ],
    environments,
    packages: [...packages].sort(comparePackages),
    manifest: { ...emptyManifest(), ...manifest },
    warnings: [],
  };
}

export function reportOf(inventory: Inventory, fields: Partial<ReportInput> = {}): ReportInput {
  return {
    tool: TOOL,
    generatedAt: NOW,
    target: ROOT,
    root: ROOT,
    inventory,
    findings: [],
    verdict: { outcome: 'pass', reasons: [], warnings: [] },
    checks: [],
    policy: reportPolicy(defaultPolicy()),
    undecided: [],
    ...fields,
  };
}
