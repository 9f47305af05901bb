/**
 * The gate's blocking advisory findings, one group per package: the same package on four
 * platforms and two environments is one thing to fix, with its advisories counted once each.
 */
import { compareSeverity, type Finding, isUnchecked } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import { compareText, type Ecosystem, normalizeName, type Package } from '../model/package.ts';
import { blockingPackages, mergeAdvisory } from '../report/remediation.ts';
import { schemeOf } from './candidates.ts';
import type { BlockingPackage } from './types.ts';

export interface BlockingFindings {
  packages: BlockingPackage[];
  /** Blocking findings about what could not be checked (`vulnerability/not-checked` ...), as messages. */
  notChecked: string[];
}

export function groupBlocking(findings: readonly Finding[], inventory: Inventory): BlockingFindings {
  const byArtifact = new Map<string, Package>();
  for (const pkg of inventory.packages) byArtifact.set(artifactOf(pkg), pkg);
  const notChecked = findings
    .filter((f) => f.blocking && isUnchecked(f) && (f.check === 'vulnerability' || f.check === 'malicious'))
    .map((f) => f.message);
  // the verdict's fold (one block per package version), folded once more across the versions
  const groups = new Map<string, BlockingPackage>();
  for (const block of blockingPackages(findings)) {
    const normalizedName = normalizeName(block.ecosystem, block.name);
    const key = `${block.ecosystem}\u0000${normalizedName}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        ecosystem: block.ecosystem,
        name: block.name,
        normalizedName,
        versions: [],
        platforms: [],
        environments: [],
        packages: [],
        advisories: [],
        malicious: false,
      };
      groups.set(key, group);
    }
    addOnce(group.versions, block.version);
    for (const platform of block.platforms) addOnce(group.platforms, platform);
    for (const environment of block.environments) addOnce(group.environments, environment);
    for (const { subject } of block.findings) {
      if (!subject) continue;
      const key = [subject.ecosystem, normalizedName, subject.version, subject.platform ?? '', subject.build ?? ''];
      const pkg = byArtifact.get(key.join('\u0000'));
      if (pkg && !group.packages.includes(pkg)) group.packages.push(pkg);
    }
    for (const advisory of block.advisories) {
      const known = group.advisories.find((candidate) => candidate.id === advisory.id);
      if (known) mergeAdvisory(known, advisory, group.ecosystem);
      else group.advisories.push({ ...advisory });
    }
    group.malicious ||= block.advisories.some((advisory) => advisory.malicious);
  }
  const packages = [...groups.values()];
  for (const group of packages) {
    group.versions.sort(byScheme(group.ecosystem));
    group.platforms.sort(compareText);
    group.environments.sort(compareText);
    group.advisories.sort((a, b) => compareSeverity(b.severity, a.severity) || compareText(a.id, b.id));
  }
  packages.sort((a, b) => compareText(a.normalizedName, b.normalizedName) || compareText(a.ecosystem, b.ecosystem));
  return { packages, notChecked: [...new Set(notChecked)].sort(compareText) };
}

/** Lowest first in the package's own scheme; text order for what the scheme cannot read. */
function byScheme(ecosystem: Ecosystem): (a: string, b: string) => number {
  const scheme = schemeOf(ecosystem);
  return (a, b) => {
    const valid = scheme.isValid(a) && scheme.isValid(b);
    return (valid ? scheme.compare(a, b) : 0) || compareText(a, b);
  };
}

function artifactOf(pkg: Package): string {
  return [pkg.ecosystem, pkg.normalizedName, pkg.version, pkg.platform, pkg.build ?? ''].join('\u0000');
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}
