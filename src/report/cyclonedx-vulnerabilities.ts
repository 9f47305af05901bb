/**
 * The `vulnerability` and `malicious` findings as CycloneDX vulnerabilities: one entry per advisory
 * and analysis, whose `affects` lists every component the advisory hits, so the BOM doubles as a
 * VEX document.
 *
 * The analysis state says what cvebuild and the policy know, and no more:
 * - A waived finding is `exploitable` with response `will_not_fix`, and the waiver (reason, who,
 *   until when) as detail. A waiver accepts a risk; it does not establish that the package is
 *   unaffected. `not_affected` (or `false_positive`) would make VEX consumers such as
 *   Dependency-Track or Grype drop the vulnerability as if it did not apply, including after the
 *   waiver expires; `exploitable` + `will_not_fix` keeps it visible as a known, accepted risk.
 * - An open vulnerability is `in_triage`: the locked version is inside the advisory's affected
 *   range, and nobody has yet judged whether the flaw can be reached here.
 * - An open malicious-package finding is `exploitable`: the release runs attacker code on install.
 * - A finding fixed in this build (its package's own recipe applies a patch naming the advisory)
 *   is `resolved`, CycloneDX's counterpart of VEX `fixed`, with the patch as detail, and the
 *   component's version is listed as `unaffected`. Not `not_affected`: the code was affected and
 *   was patched, which is what `resolved` says.
 *
 * Findings of one advisory with different waivers, or fixed in some builds and not others, become
 * separate entries, since each entry has one analysis.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import { levelFromScore, scoreCvssVector } from '../intel/severity.ts';
import { type Finding, isFixedInBuild, isKnownExploited, isMaliciousRelease, type Severity } from '../model/finding.ts';
import { normalizeName, type Package } from '../model/package.ts';
import type { ReportInput } from './report.ts';
import { advisoryUrl } from './rules.ts';

const { Enums, Models } = CDX;
const V = Models.Vulnerability;
const ADVISORY_CHECKS = new Set(['vulnerability', 'malicious']);

interface Group {
  findings: Finding[];
  components: CDX.Models.Component[];
}

export function addVulnerabilities(
  bom: CDX.Models.Bom,
  report: ReportInput,
  components: ReadonlyMap<Package, CDX.Models.Component>,
): void {
  const bySubject = indexBySubject(components);
  const groups = new Map<string, Group>();
  for (const finding of report.findings) {
    if (!ADVISORY_CHECKS.has(finding.check) || !finding.subject) continue;
    const { subject } = finding;
    const key = [subject.ecosystem, normalizeName(subject.ecosystem, subject.name), subject.version, subject.platform];
    const hit = (bySubject.get(key.join('\u0000')) ?? []).filter(
      ([pkg]) => subject.build === undefined || pkg.build === subject.build,
    );
    if (hit.length === 0) continue;
    const groupKey = [finding.rule, finding.check, waiverKey(finding), fixedKey(finding)].join('\u0000');
    let group = groups.get(groupKey);
    if (!group) {
      group = { findings: [], components: [] };
      groups.set(groupKey, group);
    }
    group.findings.push(finding);
    for (const [, component] of hit) if (!group.components.includes(component)) group.components.push(component);
  }
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key);
    if (group) bom.vulnerabilities.add(vulnerability(group));
  }
}

function indexBySubject(
  components: ReadonlyMap<Package, CDX.Models.Component>,
): Map<string, [Package, CDX.Models.Component][]> {
  const index = new Map<string, [Package, CDX.Models.Component][]>();
  for (const [pkg, component] of components) {
    const key = [pkg.ecosystem, pkg.normalizedName, pkg.version, pkg.platform].join('\u0000');
    const list = index.get(key);
    if (list) list.push([pkg, component]);
    else index.set(key, [[pkg, component]]);
  }
  return index;
}

function waiverKey(finding: Finding): string {
  const waiver = finding.waiver;
  return waiver ? JSON.stringify([waiver.reason, waiver.by ?? '', waiver.expires ?? '']) : '';
}

function fixedKey(finding: Finding): string {
  return isFixedInBuild(finding) ? JSON.stringify(finding.flags?.fixedInBuild?.patches.map(({ patch }) => patch)) : '';
}

function vulnerability(group: Group): CDX.Models.Vulnerability.Vulnerability {
  const [first] = group.findings as [Finding, ...Finding[]];
  const evidence = first.evidence;
  const source = advisorySource(first.rule);
  const vulnerability = new V.Vulnerability({
    id: first.rule,
    source,
    description: text(evidence.summary) ?? first.message,
    recommendation: distinct(group.findings.map((finding) => finding.remedy)).join('; ') || undefined,
    analysis: analysis(first),
  });
  for (const alias of distinct(group.findings.flatMap((finding) => texts(finding.flags?.aliases)))) {
    if (alias === first.rule) continue;
    vulnerability.references.add(new V.Reference(alias, advisorySource(alias) ?? new V.Source({})));
  }
  for (const rating of ratings(first)) vulnerability.ratings.add(rating);
  for (const cwe of distinct(group.findings.flatMap((finding) => texts(finding.evidence.cwes)))) {
    const number = Number(/^CWE-(\d+)$/i.exec(cwe)?.[1]);
    if (Number.isSafeInteger(number) && number > 0) vulnerability.cwes.add(number as CDX.Types.CWE);
  }
  const links = distinct([source?.url?.toString(), ...group.findings.flatMap((f) => texts(f.evidence.references))]);
  for (const url of links) if (!/\s/.test(url)) vulnerability.advisories.add(new V.Advisory(url));
  for (const component of group.components) {
    const versions = component.version
      ? new V.AffectedVersionRepository([
          new V.AffectedSingleVersion(component.version, {
            status: isFixedInBuild(first)
              ? Enums.Vulnerability.AffectStatus.Unaffected
              : Enums.Vulnerability.AffectStatus.Affected,
          }),
        ])
      : undefined;
    vulnerability.affects.add(new V.Affect(component.bomRef, { versions }));
  }
  for (const [name, value] of vulnerabilityProperties(group.findings)) {
    vulnerability.properties.add(new Models.Property(name, value));
  }
  return vulnerability;
}

function analysis(finding: Finding): CDX.Models.Vulnerability.Analysis {
  const { AnalysisResponse, AnalysisState } = Enums.Vulnerability;
  const waiver = finding.waiver;
  if (waiver) {
    const by = waiver.by ? ` by ${waiver.by}` : '';
    const until = waiver.expires ? ` until ${waiver.expires}` : '';
    return new V.Analysis({
      state: AnalysisState.Exploitable,
      response: new Enums.Vulnerability.AnalysisResponseRepository([AnalysisResponse.WillNotFix]),
      detail: `Risk accepted${by}${until}: ${waiver.reason}`,
    });
  }
  const fixed = finding.flags?.fixedInBuild;
  if (fixed && isFixedInBuild(finding)) {
    const patches = fixed.patches.map(({ patch, how, line }) => `${patch} (${how}: ${line})`);
    return new V.Analysis({
      state: AnalysisState.Resolved,
      detail: `Fixed in this build: the package's own recipe applies ${[...new Set(patches)].join('; ')}. The version is inside the advisory's affected range; the patch is the evidence that this build is not.`,
    });
  }
  if (isMaliciousRelease(finding)) {
    return new V.Analysis({
      state: AnalysisState.Exploitable,
      detail: 'A malicious-package report names this release: installing it runs attacker code.',
    });
  }
  const via = text(finding.evidence.mappedBy);
  return new V.Analysis({
    state: AnalysisState.InTriage,
    detail: `The locked version is inside the advisory's affected range${via ? ` (package mapped by ${via})` : ''}; whether the flaw can be reached has not been assessed.`,
  });
}

const CVSS_METHODS: [RegExp, CDX.Enums.Vulnerability.RatingMethod][] = [
  [/^CVSS:4\.0\//, Enums.Vulnerability.RatingMethod.CVSSv4],
  [/^CVSS:3\.1\//, Enums.Vulnerability.RatingMethod.CVSSv31],
  [/^CVSS:3\.0\//, Enums.Vulnerability.RatingMethod.CVSSv3],
  [/^(CVSS:2\.0\/)?AV:/, Enums.Vulnerability.RatingMethod.CVSSv2],
];

/** One rating per published CVSS vector, scored; else the source's level; plus the policy's level when it mapped one. */
function ratings(finding: Finding): CDX.Models.Vulnerability.Rating[] {
  const source = ratingSource(finding.evidence.source);
  const out: CDX.Models.Vulnerability.Rating[] = [];
  for (const vector of texts(finding.evidence.vectors)) {
    const scored = scoreCvssVector(vector);
    out.push(
      new V.Rating({
        source,
        score: scored?.score,
        severity: scored ? severity(levelFromScore(scored.score)) : undefined,
        method: CVSS_METHODS.find(([prefix]) => prefix.test(vector))?.[1] ?? Enums.Vulnerability.RatingMethod.Other,
        vector,
      }),
    );
  }
  const sourceLevel = finding.originalSeverity ?? finding.severity;
  if (out.length === 0) {
    const score = typeof finding.evidence.score === 'number' ? finding.evidence.score : undefined;
    out.push(new V.Rating({ source, score, severity: severity(sourceLevel) }));
  }
  if (finding.originalSeverity && finding.originalSeverity !== finding.severity) {
    out.push(
      new V.Rating({
        source: new V.Source({ name: 'cvebuild policy' }),
        severity: severity(finding.severity),
        method: Enums.Vulnerability.RatingMethod.Other,
        justification: `The policy maps this finding from ${finding.originalSeverity} to ${finding.severity}.`,
      }),
    );
  }
  return out;
}

function severity(level: Severity): CDX.Enums.Vulnerability.Severity {
  return level as CDX.Enums.Vulnerability.Severity;
}

const FEED_NAMES = new Map([
  ['nvd', 'NVD'],
  ['osv-pypi', 'OSV'],
  ['openssl', 'OpenSSL'],
  ['curl', 'curl'],
  ['nodejs', 'Node.js security-wg'],
  ['oss-fuzz', 'OSS-Fuzz'],
]);

/** The feed the rating came from, when the finding names a single one. */
function ratingSource(feed: unknown): CDX.Models.Vulnerability.Source | undefined {
  const name = text(feed);
  if (!name || name.includes(',')) return undefined;
  return new V.Source({ name: FEED_NAMES.get(name) ?? name });
}

/** Who publishes an advisory id, with its page. */
function advisorySource(id: string): CDX.Models.Vulnerability.Source | undefined {
  if (/^CVE-\d{4}-\d+$/.test(id)) return new V.Source({ name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` });
  // Only ids made of id characters get a page: encoding anything else would hide it from the masking.
  if (/^GHSA-[A-Za-z0-9-]+$/.test(id))
    return new V.Source({ name: 'GitHub', url: `https://github.com/advisories/${encodeURIComponent(id)}` });
  const url = advisoryUrl(id);
  return url ? new V.Source({ name: 'OSV', url }) : undefined;
}

function vulnerabilityProperties(findings: Finding[]): [string, string][] {
  const [first] = findings as [Finding, ...Finding[]];
  const evidence = first.evidence;
  const properties: [string, string][] = [['cvebuild:check', first.check]];
  const feed = text(evidence.source);
  if (feed) properties.push(['cvebuild:feed', feed]);
  if (isKnownExploited(first)) {
    properties.push(['cvebuild:kev', 'true']);
    const added = text(first.flags?.kev?.dateAdded);
    if (added) properties.push(['cvebuild:kev-date-added', added]);
  }
  const fixed = texts(evidence.fixed);
  if (fixed.length > 0) properties.push(['cvebuild:fixed', fixed.join(',')]);
  const safe = text(evidence.safeVersion);
  if (safe) properties.push(['cvebuild:safe-version', safe]);
  properties.push(['cvebuild:severity', first.severity]);
  if (findings.some((finding) => finding.blocking)) properties.push(['cvebuild:blocking', 'true']);
  const fixedInBuild = isFixedInBuild(first) ? first.flags?.fixedInBuild : undefined;
  if (fixedInBuild) {
    for (const patch of new Set(fixedInBuild.patches.map(({ patch }) => patch))) {
      properties.push(['cvebuild:fixed-in-build-patch', patch]);
    }
  }
  const waiver = first.waiver;
  if (waiver?.by) properties.push(['cvebuild:waiver-by', waiver.by]);
  if (waiver?.expires) properties.push(['cvebuild:waiver-expires', waiver.expires]);
  return properties;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}

function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
}
