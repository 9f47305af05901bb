/**
 * What blocks, per package: the blocking advisory findings (vulnerabilities and malicious
 * releases) folded across platforms and environments, counted by severity, with the version that
 * clears them. The verdicts of the table, Markdown and HTML reports print one line per package
 * version from it; the JSON report's `remediation` block is it per package; `safe_version_pin`
 * asks it for one package.
 *
 * The fix is the highest of the findings' safe versions. Each safe version is the lowest release
 * no known advisory of the finding's target affects (`intel/safe-version.ts`), so the highest of
 * them clears every advisory that has a fix. An advisory without one (no `fixed` event, or a
 * version the scheme cannot read) keeps its finding's safe version empty: the plan says so
 * rather than propose an upgrade that would not clear it.
 */
import {
  compareSeverity,
  type Finding,
  isAdvisoryFinding,
  isKnownExploited,
  isMaliciousRelease,
  SEVERITIES,
  type Severity,
} from '../model/finding.ts';
import { compareText, type Ecosystem } from '../model/package.ts';
import { schemeFor } from '../versions/index.ts';

/** One advisory of a package version, once across the platforms it was found on. */
export interface BlockingAdvisory {
  id: string;
  /** The most severe the policy made it on any platform. */
  severity: Severity;
  malicious: boolean;
  kev: boolean;
  /** The version that clears it (and every other advisory of its target), when one is known. */
  safeVersion?: string;
}

/** A package version's blocking advisories, across its platforms and environments. */
export interface PackageBlock {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  platforms: string[];
  environments: string[];
  /** Most serious first: malicious, known exploited, then by severity and id. */
  advisories: BlockingAdvisory[];
  /** Every finding folded in (one per advisory and platform). */
  findings: Finding[];
}

/** What to do about a set of advisories. */
export interface Fix {
  /** `remove`: a malicious release; `upgrade` to `version`; `none`: no release is known to clear any of them. */
  action: 'remove' | 'upgrade' | 'none';
  version?: string;
  /** Advisories no known release clears (never the malicious ones: removing clears those). */
  unfixed: string[];
}

/** Blocking advisory findings, one block per package version, most serious first. */
export function blockingPackages(findings: readonly Finding[]): PackageBlock[] {
  const blocks = new Map<string, PackageBlock>();
  const advisories = new Map<PackageBlock, Map<string, BlockingAdvisory>>();
  for (const finding of findings) {
    const subject = finding.subject;
    if (!finding.blocking || !subject || !isAdvisoryFinding(finding)) continue;
    const key = `${subject.ecosystem}\u0000${subject.name}\u0000${subject.version}`;
    let block = blocks.get(key);
    if (!block) {
      block = {
        ecosystem: subject.ecosystem,
        name: subject.name,
        version: subject.version,
        platforms: [],
        environments: [],
        advisories: [],
        findings: [],
      };
      blocks.set(key, block);
      advisories.set(block, new Map());
    }
    block.findings.push(finding);
    addOnce(block.platforms, subject.platform);
    for (const environment of subject.environments ?? []) addOnce(block.environments, environment);
    const byId = advisories.get(block) as Map<string, BlockingAdvisory>;
    const seen = byId.get(finding.rule);
    const safe = typeof finding.evidence.safeVersion === 'string' ? finding.evidence.safeVersion : undefined;
    if (!seen) {
      byId.set(finding.rule, {
        id: finding.rule,
        severity: finding.severity,
        malicious: isMaliciousRelease(finding),
        kev: isKnownExploited(finding),
        ...(safe ? { safeVersion: safe } : {}),
      });
      continue;
    }
    mergeAdvisory(
      seen,
      {
        severity: finding.severity,
        malicious: isMaliciousRelease(finding),
        kev: isKnownExploited(finding),
        safeVersion: safe,
      },
      subject.ecosystem,
    );
  }
  for (const [block, byId] of advisories) {
    block.advisories = [...byId.values()].sort(compareAdvisories);
    block.platforms.sort(compareText);
    block.environments.sort(compareText);
  }
  return [...blocks.values()].sort(comparePackages);
}

/**
 * One advisory seen again (on another platform, or in another version of the package): the most
 * severe reading wins, and it stays unfixed if any sighting has no safe version, since the upgrade
 * would not clear it there.
 */
export function mergeAdvisory(into: BlockingAdvisory, other: Omit<BlockingAdvisory, 'id'>, ecosystem: Ecosystem): void {
  if (compareSeverity(other.severity, into.severity) > 0) into.severity = other.severity;
  into.malicious ||= other.malicious;
  into.kev ||= other.kev;
  const safe =
    into.safeVersion && other.safeVersion
      ? highestVersion([into.safeVersion, other.safeVersion], ecosystem)
      : undefined;
  if (safe) into.safeVersion = safe;
  else delete into.safeVersion;
}

/** The fix for a package's advisories: remove a malicious release, else the highest safe version. */
export function fixOf(advisories: readonly BlockingAdvisory[], ecosystem: Ecosystem): Fix {
  const vulnerabilities = advisories.filter((advisory) => !advisory.malicious);
  const unfixed = vulnerabilities.filter((advisory) => !advisory.safeVersion).map((advisory) => advisory.id);
  const version = highestVersion(
    vulnerabilities.map((advisory) => advisory.safeVersion),
    ecosystem,
  );
  if (advisories.some((advisory) => advisory.malicious)) return { action: 'remove', unfixed };
  return version ? { action: 'upgrade', version, unfixed } : { action: 'none', unfixed };
}

/** Counts per severity, every severity present (zero when none). */
export function countBySeverity(advisories: readonly BlockingAdvisory[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const advisory of advisories) counts[advisory.severity]++;
  return counts;
}

/**
 * The highest of some versions of one package, in its ecosystem's ordering (conda's or PEP 440).
 * A version the scheme cannot read is passed over: it cannot be proposed as a fix.
 */
export function highestVersion(versions: readonly (string | undefined)[], ecosystem: Ecosystem): string | undefined {
  const distinct = [...new Set(versions.filter((version): version is string => Boolean(version)))];
  // one safe version per target, and most packages have one target: the scheme is seldom needed
  if (distinct.length <= 1) return distinct[0];
  const scheme = schemeFor(ecosystem === 'pypi' ? 'pep440' : 'conda');
  let best: string | undefined;
  for (const version of distinct) {
    try {
      if (!scheme.isValid(version)) continue;
      if (best === undefined || scheme.compare(version, best) > 0) best = version;
    } catch {
      // not comparable in this scheme: not a fix to propose
    }
  }
  return best;
}

/** Malicious first, then known exploited, then most severe, then by id. */
function compareAdvisories(a: BlockingAdvisory, b: BlockingAdvisory): number {
  return compareWorst(a, b) || compareText(a.id, b.id);
}

/** The most serious package first: its worst advisory, then how many it has, then its name. */
function comparePackages(a: PackageBlock, b: PackageBlock): number {
  const [worstA, worstB] = [a.advisories[0], b.advisories[0]];
  return (
    (worstA && worstB ? compareWorst(worstA, worstB) : 0) ||
    b.advisories.length - a.advisories.length ||
    compareText(a.name.toLowerCase(), b.name.toLowerCase()) ||
    compareText(a.version, b.version) ||
    compareText(a.ecosystem, b.ecosystem)
  );
}

/** Orders by how serious the worst advisory is, ignoring its id. */
function compareWorst(a: BlockingAdvisory, b: BlockingAdvisory): number {
  return (
    Number(b.malicious) - Number(a.malicious) ||
    Number(b.kev) - Number(a.kev) ||
    compareSeverity(b.severity, a.severity)
  );
}

function addOnce(list: string[], value: string | undefined): void {
  if (value && !list.includes(value)) list.push(value);
}
