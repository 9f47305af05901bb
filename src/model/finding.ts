/**
 * Findings and verdicts: what checks say about an inventory, and what the policy makes of it.
 * Plain data; every renderer works from `Finding[]` + `Verdict` alone.
 */
import type { Ecosystem, Package, SourceLocation } from './package.ts';

/**
 * `unknown`: the source gives no severity (2,794 of 7,080 PyPA records). It is shown as unknown but
 * ranks with `medium` for thresholds, so `--fail-on medium` (or lower) still fails on it.
 */
export type Severity = 'info' | 'low' | 'unknown' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'unknown', 'medium', 'high', 'critical'];

const RANK = new Map<string, number>([
  ['info', 0],
  ['low', 1],
  ['unknown', 2],
  ['medium', 2],
  ['high', 3],
  ['critical', 4],
]);
/** A value that is not a severity (data from outside gone wrong) ranks as critical: fail closed. */
const rankOf = (severity: Severity): number => RANK.get(severity) ?? 4;

/** Orders by rank; `unknown` ranks with `medium`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return rankOf(a) - rankOf(b);
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return rankOf(severity) >= rankOf(threshold);
}

/**
 * What the policy and the reports decide on, typed and set by the check that knows. Decisions read
 * these, never `evidence`: a finding whose evidence merely says `kev: true` is not known-exploited.
 */
export interface FindingFlags {
  /** A malicious-package report names this release (the malicious check saying what it could not check is not one). */
  malicious?: true;
  /** In CISA's Known Exploited Vulnerabilities catalogue; `dateAdded` (`YYYY-MM-DD`) when the catalogue gives it. */
  kev?: { dateAdded?: string };
  /** The check could not look (offline, data missing, an input unreadable): the finding says what went unchecked. */
  unchecked?: true;
  /** The advisory's other ids (CVE, GHSA, PYSEC ...); a waiver naming any of them matches. */
  aliases?: readonly string[];
  /**
   * The package's own recipe applies a patch naming this advisory (or one of its aliases): the
   * flaw is fixed in this build whatever its version says (conda-forge backports without a new
   * version). The finding stays in every report; the policy does not let it block.
   */
  fixedInBuild?: FixedInBuild;
  /**
   * Set by the typosquat check on a name it judged: what it weighed, each signal with its weight.
   * The check writes the same into `evidence` (`squatScore`, `signals`, `history` ...), which the
   * table, Markdown and HTML print; JSON and SARIF carry this.
   */
  squat?: SquatReading;
}

/** How the typosquat check read a suspect name: the popular name it imitates, and the evidence weighed. */
export interface SquatReading {
  /** The popular name imitated, its rank by PyPI downloads, and that rank's tier (`top 1,000`). */
  target: string;
  targetRank: number;
  targetTier: string;
  technique: string;
  /** Edit distance between the two names. */
  distance: number;
  /** The change in words (`"e" → "3"`). */
  detail: string;
  /** What the name alone scores (0..1). */
  nameScore: number;
  /** The name and the evidence together (0..1); 1 for a name a malicious-package report names. */
  score: number;
  /** A PyPI name conda-forge packages: a reviewed recipe, which counts as legitimacy. */
  onCondaForge: boolean;
  /** Id of a malicious-package report naming the suspect. */
  knownMalicious?: string;
  /** What the suspect's index says about its project, or why it was not asked. */
  history: ProjectHistory;
  /** Every term of the score with its weight; they sum to `score` (clamped to 0..1) unless `knownMalicious`. */
  signals: readonly ScoreSignal[];
}

/** One term of a score: what was seen, and how much it adds (or takes away). */
export interface ScoreSignal {
  signal: string;
  weight: number;
  detail: string;
}

/** What the suspect project's index page says about it, or why nothing was asked. */
export type ProjectHistory =
  | {
      status: 'found';
      /** Display form of the index (no credentials). */
      index: string;
      /** ms since the epoch of the oldest file; absent when the index gives no upload times (no PEP 700). */
      firstUpload?: number;
      /** Distinct versions among the listed files. */
      releases: number;
      from: 'cache' | 'index';
    }
  /** The index has no such project, or lists no file of it: removed, or never there. */
  | { status: 'absent'; index: string }
  | { status: 'unavailable'; reason: string; offline: boolean }
  /** Nothing to ask: a conda package (channels publish no project history), or not needed. */
  | { status: 'not-asked'; reason: string };

/** Where a build's recipe says it carries the fix. */
export interface FixedInBuild {
  /** The archive or package directory whose `info/recipe/` was read. */
  source: string;
  patches: readonly PatchEvidence[];
}

/** One statement in a recipe that a patch fixes a CVE. */
export interface PatchEvidence {
  /** The CVE id named. */
  id: string;
  /** Where it is named: the patch's file name, its header (before the first diff), or a comment on its entry in the recipe's patches list. */
  how: 'file-name' | 'patch-header' | 'recipe-comment';
  /** The patch, as a path inside the package (`info/recipe/patches/CVE-2018-25032.patch`). */
  patch: string;
  /** The file holding the line: the patch itself, or the recipe. */
  file: string;
  /** The line that names it (the patch path for `file-name`), whitespace folded and cut to 200 characters. */
  line: string;
  lineNumber?: number;
}

/**
 * A finding with its flags set. The flags are also written into `evidence` under the keys reports
 * have always printed there (`aliases`, `kev`, `kevDateAdded`, `unchecked`, `fixedInBuild`), here and only here, so
 * the printed record cannot say other than the flags do.
 */
export function withFlags<T extends { evidence: Record<string, unknown> }>(
  fields: T,
  flags: FindingFlags,
): T & { flags: FindingFlags } {
  const evidence: Record<string, unknown> = { ...fields.evidence };
  if (flags.aliases) evidence.aliases = flags.aliases;
  if (flags.kev) {
    evidence.kev = true;
    if (flags.kev.dateAdded !== undefined) evidence.kevDateAdded = flags.kev.dateAdded;
  }
  if (flags.unchecked) evidence.unchecked = true;
  if (flags.fixedInBuild) evidence.fixedInBuild = flags.fixedInBuild;
  return { ...fields, evidence, flags };
}

/** A release a malicious-package report names. */
export function isMaliciousRelease(finding: Finding): boolean {
  return finding.flags?.malicious === true;
}

/** A known-exploited vulnerability (CISA KEV). */
export function isKnownExploited(finding: Finding): boolean {
  return finding.flags?.kev !== undefined;
}

/** An advisory the package's own recipe patches: fixed in this build. */
export function isFixedInBuild(finding: Finding): boolean {
  return finding.flags?.fixedInBuild !== undefined && !isMaliciousRelease(finding);
}

/** A check saying what it could not look at, rather than something it found. */
export function isUnchecked(finding: Finding): boolean {
  return finding.flags?.unchecked === true;
}

/** A finding that names an advisory: its rule is the advisory id. */
export function isAdvisoryFinding(finding: Finding): boolean {
  return (finding.check === 'vulnerability' || finding.check === 'malicious') && !isUnchecked(finding);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && RANK.has(value);
}

/** A rule as a reader meets it (SARIF rule metadata, HTML, Markdown); each check describes its own. */
export interface RuleText {
  /** Short title (one line). */
  title: string;
  /** What the rule detects and why it matters (plain text, a few sentences). */
  help: string;
  /** `CWE-1395` style ids. */
  cwes: string[];
  tags: string[];
}

export interface FindingSubject {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  build?: string;
  platform?: string;
  environments?: string[];
}

/** The subject of a finding about one package on one platform. */
export function subjectOf(pkg: Package, environments: string[] = pkg.environments): FindingSubject {
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.name,
    version: pkg.version,
    build: pkg.build,
    platform: pkg.platform,
    environments,
  };
}

/** What a check says about one package; `packageFinding` adds who said it, the subject and the lock location. */
export interface PackageFindingFields {
  rule: string;
  severity: Severity;
  message: string;
  evidence: Record<string, unknown>;
  remedy?: string;
  flags?: FindingFlags;
}

/** A finding about one package on one platform, pointing at the package's record in its input. */
export function packageFinding(
  check: { id: string; version: number },
  pkg: Package,
  { flags, ...fields }: PackageFindingFields,
): Finding {
  const finding = {
    check: check.id,
    checkVersion: check.version,
    subject: subjectOf(pkg),
    location: pkg.origin,
    ...fields,
  };
  return flags ? withFlags(finding, flags) : finding;
}

/** `openssl 3.0.7 (h0b41bf4_1)`: a package as a person names it in a message. */
export function describePackage(pkg: Package): string {
  return `${pkg.name} ${pkg.version}${pkg.build ? ` (${pkg.build})` : ''}`;
}

export interface Finding {
  /** Id of the check that produced it, and the check's logic version. */
  check: string;
  checkVersion: number;
  /** Stable rule id within the check (advisory id, `typosquat`, `cooldown-window` ...). */
  rule: string;
  severity: Severity;
  subject?: FindingSubject;
  message: string;
  /** Facts behind the finding: advisory ids, aliases, CVSS, distances, timestamps, data source and age. */
  evidence: Record<string, unknown>;
  /** What the policy and the reports decide on (malicious, KEV, unchecked, aliases); see `withFlags`. */
  flags?: FindingFlags;
  remedy?: string;
  location?: SourceLocation;
  /** Set by the policy when it mapped the check's severity to another (`severity` is then the mapped one). */
  originalSeverity?: Severity;
  /** Set by the policy: the waiver that accepts this finding (it no longer decides the verdict). */
  waiver?: AppliedWaiver;
  /** Set by the policy: this finding, on its own, makes the verdict fail. */
  blocking?: boolean;
}

/** A waiver as it applied to a finding: who accepted the risk, why, and until when. */
export interface AppliedWaiver {
  /** Advisory / rule id the waiver names, if any. */
  id?: string;
  /** `name` or `name@version` the waiver names, if any. */
  package?: string;
  reason: string;
  by?: string;
  /** `YYYY-MM-DD` (the waiver holds through that day, UTC). */
  expires?: string;
  origin: SourceLocation;
  /** `inline`: a suppression comment next to the code, not a policy waiver. */
  inline?: boolean;
}

export type VerdictOutcome = 'pass' | 'fail';

export interface Verdict {
  outcome: VerdictOutcome;
  /** One line per finding or rule that decided the outcome. */
  reasons: string[];
  /** Things the policy wants a person to see that do not fail the gate (a waiver that matched nothing). */
  warnings: string[];
}
