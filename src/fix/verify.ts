/**
 * Whether a candidate version would itself be blocked: the engine audits the package as it would
 * be at that version, on each platform it is installed on, with the same advisory checks and
 * policy as the gate. The fix never judges a version itself; it asks the gate.
 */
import type { Engine } from '../engine/engine.ts';
import { isAdvisoryFinding } from '../model/finding.ts';
import { normalizeName, type Package } from '../model/package.ts';
import type { Policy } from '../policy/policy.ts';
import { inventoryFromPackages } from '../readers/packages.ts';
import type { BlockingPackage } from './types.ts';

export interface CandidateRun {
  engine: Engine;
  policy: Policy;
  /** The advisory checks the gate runs. */
  checks: readonly string[];
}

/** Per package, per candidate version: the advisory ids that would block it (empty: clean). */
export type CandidateVerdicts = Map<BlockingPackage, Map<string, string[]>>;

export async function judgeCandidates(
  run: CandidateRun,
  work: ReadonlyMap<BlockingPackage, readonly string[]>,
): Promise<CandidateVerdicts> {
  const verdicts: CandidateVerdicts = new Map();
  const owners = new Map<string, BlockingPackage>();
  const packages: Package[] = [];
  for (const [pkg, versions] of work) {
    const perVersion = new Map<string, string[]>();
    for (const version of versions) perVersion.set(version, []);
    verdicts.set(pkg, perVersion);
    owners.set(`${pkg.ecosystem}\u0000${pkg.normalizedName}`, pkg);
    for (const representative of onePerPlatform(pkg.packages)) {
      for (const version of versions) packages.push(atVersion(representative, version));
    }
  }
  if (packages.length === 0) return verdicts;
  // offline: a candidate has no archive whose recipe could be read, so nothing is looked up for it
  const result = await run.engine.audit({
    inventory: inventoryFromPackages(packages),
    policy: run.policy,
    checks: run.checks,
    offline: true,
  });
  for (const finding of result.findings) {
    const subject = finding.subject;
    if (!finding.blocking || !isAdvisoryFinding(finding) || !subject) continue;
    const owner = owners.get(`${subject.ecosystem}\u0000${normalizeName(subject.ecosystem, subject.name)}`);
    const ids = owner && verdicts.get(owner)?.get(subject.version);
    if (ids && !ids.includes(finding.rule)) ids.push(finding.rule);
  }
  return verdicts;
}

function onePerPlatform(packages: readonly Package[]): Package[] {
  const seen = new Map<string, Package>();
  for (const pkg of packages) if (!seen.has(pkg.platform)) seen.set(pkg.platform, pkg);
  return [...seen.values()];
}

/**
 * The package as it would be locked at `version`: same name, platform, channel or index and purls
 * (which decide what its advisories are filed under), no artifact yet.
 */
function atVersion(pkg: Package, version: string): Package {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    normalizedName: pkg.normalizedName,
    version,
    platform: pkg.platform,
    ...(pkg.subdir ? { subdir: pkg.subdir } : {}),
    ...(pkg.channel ? { channel: pkg.channel } : {}),
    ...(pkg.index ? { index: pkg.index } : {}),
    ...(pkg.noarch ? { noarch: pkg.noarch } : {}),
    location: `${pkg.normalizedName} ${version} (candidate)`,
    depends: [],
    requiresDist: [],
    purls: pkg.purls,
    ...(pkg.purlsKnown === undefined ? {} : { purlsKnown: pkg.purlsKnown }),
    kind: 'registry',
    environments: pkg.environments,
    origin: pkg.origin,
  };
}
