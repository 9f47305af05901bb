/**
 * Why a verdict fails, as few lines as say it: one per package version with blocking advisories
 * (`pillow 10.4.0: 12 advisories (3 critical, 5 high, 4 medium) on 4 platforms; 11.3.0 clears
 * them all`), and one per rule for everything else (code findings, checks that could not look,
 * the policy's own findings), its packages or places listed on it. The table, Markdown and HTML
 * verdicts draw these lines; the findings stay one click or one flag away (the HTML details, the
 * findings tables, `--format json`), and `Verdict.reasons` keeps one line per finding for JSON
 * and SARIF readers.
 */
import { isCodeFinding } from '../code/types.ts';
import {
  compareSeverity,
  type Finding,
  isAdvisoryFinding,
  isKnownExploited,
  isMaliciousRelease,
  isUnchecked,
  type Severity,
} from '../model/finding.ts';
import type { Tone } from '../terminal/colour.ts';
import { type BlockingAdvisory, blockingPackages, fixOf, type PackageBlock } from './remediation.ts';
import type { ReportInput } from './report.ts';
import { compareFindings, locationText, SEVERITIES_DESCENDING } from './report-view.ts';

/** What a line is about, as its label says it: the class that fails regardless, or a severity. */
export type ReasonKind = 'malicious' | 'known exploited (KEV)' | 'not checked' | Severity;

/** A piece of a line, with the tone it is painted in when it has one. */
export interface Segment {
  text: string;
  tone?: Tone;
}

export interface VerdictLine {
  /** Undefined only for a reason no finding stands behind (a verdict made by hand). */
  kind: ReasonKind | undefined;
  /** The colour of the line's subject or label. */
  tone: Tone;
  /** `pillow 10.4.0` on a package line; a rule line starts with its kind instead. */
  subject?: string;
  parts: Segment[];
  /** Every finding behind the line, in report order. */
  findings: Finding[];
  /** The package version a package line is about. */
  block?: PackageBlock;
}

/** The verdicts show this many lines and count the rest. */
export const MAX_VERDICT_LINES = 30;

/** Names listed on a rule line before "and N more". */
const LISTED = 5;

export function verdictLines(report: ReportInput): VerdictLine[] {
  // reading order, whatever order the report holds them in: the lines are the same for the same findings
  const blocking = report.findings.filter((finding) => finding.blocking).sort(compareFindings);
  if (blocking.length === 0) {
    return report.verdict.reasons.map((reason) => ({
      kind: undefined,
      tone: 'fail',
      parts: [{ text: reason }],
      findings: [],
    }));
  }
  const blocks = blockingPackages(blocking);
  const sameName = ecosystemsPerName(blocks);
  const ranked: { line: VerdictLine; rank: number; order: number }[] = blocks.map((block, order) => {
    const line = packageLine(block, sameName.has(block.name.toLowerCase()));
    return { line, rank: rankOf(line.kind), order };
  });
  const rules = new Map<string, VerdictLine>();
  for (const finding of blocking) {
    if (finding.subject && isAdvisoryFinding(finding)) continue;
    const kind = reasonKind(finding);
    // a package's or a file's rule is one line for all of them; other findings (a check that could
    // not look, the policy's own) say something different each, and keep a line each
    const apart = finding.subject || isCodeFinding(finding) ? '' : finding.message;
    const key = `${kind}\u0000${finding.check}\u0000${finding.rule}\u0000${apart}`;
    const line = rules.get(key);
    if (line) line.findings.push(finding);
    else rules.set(key, { kind, tone: toneOf(kind), parts: [], findings: [finding] });
  }
  for (const line of rules.values()) {
    line.parts = ruleParts(report, line.findings);
    ranked.push({ line, rank: rankOf(line.kind) + 0.5, order: ranked.length });
  }
  return ranked.sort((a, b) => a.rank - b.rank || a.order - b.order).map(({ line }) => line);
}

/** The line as plain text: `pillow 10.4.0: 12 advisories …`, or `high: …` for a rule. */
export function lineText(line: VerdictLine): string {
  const rest = line.parts.map((part) => part.text).join('');
  if (line.subject !== undefined) return `${line.subject}: ${rest}`;
  return line.kind ? `${line.kind}: ${rest}` : rest;
}

function packageLine(block: PackageBlock, tagEcosystem: boolean): VerdictLine {
  const malicious = block.advisories.filter((advisory) => advisory.malicious);
  const vulnerabilities = block.advisories.filter((advisory) => !advisory.malicious);
  const kev = vulnerabilities.filter((advisory) => advisory.kev);
  const kind: ReasonKind =
    malicious.length > 0 ? 'malicious' : kev.length > 0 ? 'known exploited (KEV)' : worstSeverity(vulnerabilities);
  const parts: Segment[] = [];
  const what: Segment[][] = [];
  if (malicious.length > 0) what.push([{ text: `malicious release (${listIds(malicious)})`, tone: 'critical' }]);
  if (vulnerabilities.length === 1) {
    const [only] = vulnerabilities as [BlockingAdvisory];
    what.push([
      { text: '1 ' },
      { text: only.severity, tone: only.severity },
      { text: ` advisory (${only.id}${only.kev ? ', known exploited' : ''})` },
    ]);
  } else if (vulnerabilities.length > 1) {
    what.push([{ text: `${vulnerabilities.length} advisories (` }, ...severityCounts(vulnerabilities), { text: ')' }]);
    if (kev.length > 0) what.push([{ text: `${kev.length} known exploited (${listIds(kev)})`, tone: 'critical' }]);
  }
  what.forEach((segments, index) => {
    if (index > 0) parts.push({ text: ', ' });
    parts.push(...segments);
  });
  parts.push({ text: where(block.platforms) }, { text: '; ' }, ...fixParts(block));
  const subject = `${block.name} ${block.version}${tagEcosystem ? ` (${block.ecosystem})` : ''}`;
  return { kind, tone: toneOf(kind), subject, parts, findings: block.findings, block };
}

function fixParts(block: PackageBlock): Segment[] {
  const fix = fixOf(block.advisories, block.ecosystem);
  const total = block.advisories.filter((advisory) => !advisory.malicious).length;
  if (fix.action === 'remove') return [{ text: 'remove it', tone: 'fail' }];
  if (fix.action === 'none') return [{ text: 'no fixed release', tone: 'medium' }];
  const version: Segment = { text: fix.version ?? '', tone: 'pass' };
  if (fix.unfixed.length === 0) return [version, { text: total === 1 ? ' clears it' : ' clears them all' }];
  const rest = fix.unfixed.length === 1 ? (fix.unfixed[0] ?? '') : `the other ${fix.unfixed.length}`;
  return [
    version,
    { text: ` clears ${total - fix.unfixed.length} of them; ` },
    { text: `no fixed release for ${rest}`, tone: 'medium' },
  ];
}

/** `3 critical, 5 high, 4 medium`, each count in its severity's colour. */
function severityCounts(advisories: readonly BlockingAdvisory[]): Segment[] {
  const out: Segment[] = [];
  for (const severity of SEVERITIES_DESCENDING) {
    const count = advisories.filter((advisory) => advisory.severity === severity).length;
    if (count === 0) continue;
    if (out.length > 0) out.push({ text: ', ' });
    out.push({ text: `${count} ${severity}`, tone: severity });
  }
  return out;
}

function where(platforms: readonly string[]): string {
  if (platforms.length === 0) return '';
  return platforms.length === 1 ? ` on ${platforms[0]}` : ` on ${platforms.length} platforms`;
}

function listIds(advisories: readonly BlockingAdvisory[]): string {
  const ids = advisories.slice(0, 3).map((advisory) => advisory.id);
  return advisories.length > 3 ? `${ids.join(', ')}, …` : ids.join(', ');
}

/**
 * A rule's line: the reason as it always read when one package or place has it
 * (`high: .env:3: Secret in a committed .env file …`), else the rule and the packages or places.
 */
function ruleParts(report: ReportInput, findings: readonly Finding[]): Segment[] {
  const [first] = findings as [Finding];
  if (first.subject) {
    const subjects = distinct(findings.map(subjectText));
    const platforms = distinct(findings.flatMap((finding) => finding.subject?.platform ?? []));
    if (subjects.length === 1) return [{ text: `${subjects[0]}${platformNote(platforms)} ${first.rule}` }];
    return [{ text: `${first.rule} on ${subjects.length} packages${platformNote(platforms)}: ${listed(subjects)}` }];
  }
  const places = distinct(findings.map((finding) => locationText(report.root, finding.location)));
  if (findings.length === 1 || places.length <= 1) return [{ text: first.message }];
  return [{ text: `${first.rule} in ${places.length} places: ${listed(places)}` }];
}

function subjectText(finding: Finding): string {
  return `${finding.subject?.name} ${finding.subject?.version}`;
}

function platformNote(platforms: readonly string[]): string {
  if (platforms.length === 0) return '';
  return platforms.length === 1 ? ` (${platforms[0]})` : ` (${platforms.length} platforms)`;
}

function listed(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

function distinct(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** The label a blocking finding's reason has always carried (`policy/evaluate.ts`). */
function reasonKind(finding: Finding): ReasonKind {
  if (isMaliciousRelease(finding)) return 'malicious';
  if (isKnownExploited(finding)) return 'known exploited (KEV)';
  if (isUnchecked(finding)) return 'not checked';
  return finding.severity;
}

function worstSeverity(advisories: readonly BlockingAdvisory[]): Severity {
  let worst: Severity = 'info';
  for (const advisory of advisories) if (compareSeverity(advisory.severity, worst) > 0) worst = advisory.severity;
  return worst;
}

/** Lines in this order: malicious, known exploited, then by severity (`not checked` beside high). */
function rankOf(kind: ReasonKind | undefined): number {
  if (kind === 'malicious') return 0;
  if (kind === 'known exploited (KEV)') return 1;
  if (kind === 'not checked') return 3;
  if (kind === undefined) return 10;
  return 2 + SEVERITIES_DESCENDING.indexOf(kind);
}

function toneOf(kind: ReasonKind): Tone {
  if (kind === 'malicious' || kind === 'known exploited (KEV)') return 'critical';
  if (kind === 'not checked') return 'high';
  return kind;
}

/** Names that have blocking advisories in both ecosystems: their lines say which one. */
function ecosystemsPerName(blocks: readonly PackageBlock[]): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const block of blocks) {
    const name = block.name.toLowerCase();
    const ecosystems = seen.get(name) ?? new Set<string>();
    ecosystems.add(block.ecosystem);
    seen.set(name, ecosystems);
  }
  return new Set([...seen].filter(([, ecosystems]) => ecosystems.size > 1).map(([name]) => name));
}
