/**
 * The gate's blocking advisory findings, one group per package: the same package on four
 * platforms and two environments is one thing to fix, with its advisories counted once each.
 */
import {
  compareSeverity,
  type Finding,
  isAdvisoryFinding,
  isKnownExploited,
  isMaliciousRelease,
  isUnchecked,
} from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';
import { compareText, type Ecosystem, normalizeName, type Package } from '../model/package.ts';
import { schemeOf } from './candidates.ts';
import type { BlockingAdvisory, BlockingPackage } from './types.ts';

export interface BlockingFindings {
  packages: BlockingPackage[];
  /** Blocking findings about what could not be checked (`vulnerability/not-checked` ...), as messages. */
  notChecked: string[];
}

export function groupBlocking(findings: readonly Finding[], inventory: Inventory): BlockingFindings {
  const byArtifact = new Map<string, Package>();
  for (const pkg of inventory.packages) byArtifact.set(artifactOf(pkg), pkg);
  const groups = new Map<string, BlockingPackage>();
  const notChecked: string[] = [];
  for (const finding of findings) {
    if (!finding.blocking) continue;
    if (isUnchecked(finding) && (finding.check === 'vulnerability' || finding.check === 'malicious')) {
      notChecked.push(finding.message);
      continue;
    }
    const subject = finding.subject;
    if (!isAdvisoryFinding(finding) || !subject) continue;
    const normalizedName = normalizeName(subject.ecosystem, subject.name);
    const key = `${subject.ecosystem}\u0000${normalizedName}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        ecosystem: subject.ecosystem,
        name: subject.name,
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
    addOnce(group.versions, subject.version);
    if (subject.platform) addOnce(group.platforms, subject.platform);
    for (const environment of subject.environments ?? []) addOnce(group.environments, environment);
    const pkg = byArtifact.get(
      [subject.ecosystem, normalizedName, subject.version, subject.platform ?? '', subject.build ?? ''].join('\u0000'),
    );
    if (pkg && !group.packages.includes(pkg)) group.packages.push(pkg);
    addAdvisory(group.advisories, finding);
    if (isMaliciousRelease(finding)) group.malicious = true;
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

/** One entry per advisory: the worst severity any platform gave it, and the highest safe version. */
function addAdvisory(advisories: BlockingAdvisory[], finding: Finding): void {
  const safe = finding.evidence.safeVersion;
  const safeVersion = typeof safe === 'string' && safe !== '' ? safe : undefined;
  const known = advisories.find((advisory) => advisory.id === finding.rule);
  if (!known) {
    advisories.push({
      id: finding.rule,
      severity: finding.severity,
      kev: isKnownExploited(finding),
      malicious: isMaliciousRelease(finding),
      ...(safeVersion ? { safeVersion } : {}),
    });
    return;
  }
  if (compareSeverity(finding.severity, known.severity) > 0) known.severity = finding.severity;
  known.kev ||= isKnownExploited(finding);
  known.malicious ||= isMaliciousRelease(finding);
  if (safeVersion && !known.safeVersion) known.safeVersion = safeVersion;
}

function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}
