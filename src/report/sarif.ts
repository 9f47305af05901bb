/**
 * SARIF 2.1.0 for GitHub code scanning: one run, one rule per distinct finding rule, one result per
 * finding pointing at the lock record it is about.
 *
 * Levels: a finding that blocks the gate, or is high or critical, is an `error`; medium and unknown
 * severity are a `warning`; low and info are a `note`. A waived finding keeps its level and carries
 * an accepted external suppression, which is how GitHub learns it was dismissed on purpose.
 * A finding fixed in this build (its package's recipe applies a patch for it) is a `note` with an
 * accepted external suppression whose justification names the patch: GitHub shows suppressed
 * results as closed alerts, so the CVE and its evidence stay visible and an alert an unpatched
 * build opened closes. `kind: pass` would not do: code scanning drops non-`fail` results, and
 * the evidence with them.
 *
 * Alerts must not churn between runs, so rule ids are the finding rules, paths are relative to the
 * project root with `/`, and each result has a fingerprint of what it is about (rule, package,
 * version, platform) rather than where: lock records move whenever anything is re-locked.
 * `primaryLocationLineHash` is left to upload-sarif, which warns about any value it did not compute.
 *
 * Its strings are shown to people by code-scanning tools, so every one of them is serialised with
 * credentials masked and controls and bidi characters as visible escapes (`sarifString`); result
 * messages escape `[` and `]`, which SARIF reads as embedded links (3.11.6); `helpUri` is only an
 * absolute https URI made of URI characters.
 */
import { pathToFileURL } from 'node:url';
import {
  type AppliedWaiver,
  type Finding,
  isAdvisoryFinding,
  isFixedInBuild,
  type Severity,
} from '../model/finding.ts';
import { showControls } from '../text/controls.ts';
import { maskCredentials } from '../text/credentials.ts';
import { toJson } from '../text/json.ts';
import { text as markdownText } from './markdown-text.ts';
import { pathWithinRoot } from './paths.ts';
import type { ReportInput } from './report.ts';
import { advisoryUrl, describeRule, type RuleInfo } from './rules.ts';
import { sha256 } from './sbom-identity.ts';

type Level = 'error' | 'warning' | 'note';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const FINGERPRINT_KEY = 'cvebuild/v1';
const SHORT_DESCRIPTION_LIMIT = 1024;
const TAG_LIMIT = 10;
const LEVEL_RANK: Record<Level, number> = { note: 0, warning: 1, error: 2 };
/** Checks whose findings are judgements (near-miss names, private/public overlap) rather than facts. */
const MEDIUM_PRECISION = new Set(['typosquat', 'confusion']);

function severityLevel(severity: Severity): Level {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium' || severity === 'unknown') return 'warning';
  return 'note';
}

export function resultLevel(finding: Finding): Level {
  if (isFixedInBuild(finding) && !finding.blocking) return 'note';
  return finding.blocking ? 'error' : severityLevel(finding.severity);
}

interface RuleEntry {
  index: number;
  info: RuleInfo;
  findings: Finding[];
}

export function renderSarif(report: ReportInput): string {
  const fingerprints = fingerprintCounter();
  const rules = new Map<string, RuleEntry>();
  for (const finding of report.findings) {
    let entry = rules.get(finding.rule);
    if (!entry) {
      entry = { index: rules.size, info: describeRule(finding), findings: [] };
      rules.set(finding.rule, entry);
    }
    entry.findings.push(finding);
  }
  const sarif = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            semanticVersion: report.tool.version,
            informationUri: report.tool.informationUri,
            rules: [...rules.values()].map(sarifRule),
          },
        },
        automationDetails: { id: `${report.tool.name}/` },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt.toISOString(),
            ...withNotifications(coverageNotifications(report)),
          },
        ],
        results: report.findings.map((finding) =>
          sarifResult(report, finding, rules.get(finding.rule)?.index ?? 0, fingerprints.next(finding)),
        ),
        properties: {
          verdict: report.verdict.outcome,
          reasons: report.verdict.reasons,
          warnings: report.verdict.warnings,
          failOn: report.policy.failOn,
          ...(report.policy.source ? { policy: relativeOrAbsolute(report.root, report.policy.source) } : {}),
        },
      },
    ],
  };
  return `${toJson(sarif, { text: sarifString })}\n`;
}

/**
 * What the run could not decide, as SARIF tool-execution notifications rather than results: an
 * undecided advisory or a package no advisory source covers is not a finding, but a reader of the
 * log must see that "no result" there means "not looked at" or "could not tell".
 */
function coverageNotifications(report: ReportInput) {
  const notifications: { level: Level; message: { text: string }; descriptor: { id: string } }[] = [];
  const unmapped = report.notCheckedForCves;
  if (unmapped && unmapped.packages > 0) {
    const reasons = unmapped.reasons.map(({ reason, packages }) => `${packages} ${reason}`).join('; ');
    notifications.push({
      level: 'warning',
      message: {
        text: `Not checked for CVEs: ${unmapped.packages} of ${report.inventory.packages.length} packages map to no advisory source (${reasons}); \`cvebuild coverage\` lists them.`,
      },
      descriptor: { id: 'cvebuild/not-checked-for-cves' },
    });
  }
  for (const item of report.undecided) {
    notifications.push({
      level: 'note',
      message: { text: `Undecided advisory (not a finding): ${item}` },
      descriptor: { id: 'cvebuild/undecided-advisory' },
    });
  }
  return notifications;
}

function withNotifications(notifications: ReturnType<typeof coverageNotifications>) {
  return notifications.length > 0 ? { toolExecutionNotifications: notifications } : {};
}

/** Every string of the log: credentials masked, controls and bidi characters visible; line breaks kept. */
function sarifString(value: string): string {
  return showControls(maskCredentials(value), '\n');
}

function sarifRule({ info, findings }: RuleEntry) {
  const [first] = findings as [Finding, ...Finding[]];
  const link = helpUri(info.id);
  const remedies = [
    ...new Set(findings.map((finding) => finding.remedy).filter((remedy): remedy is string => remedy !== undefined)),
  ];
  const level = findings.map((finding) => severityLevel(finding.severity)).reduce(higherLevel);
  const securitySeverity = Math.max(...findings.map((finding) => describeRule(finding).securitySeverity));
  const cweTags = info.cwes.map((cwe) => `external/cwe/${cwe.toLowerCase()}`);
  return {
    id: info.id,
    name: ruleName(first),
    shortDescription: { text: truncate(info.title, SHORT_DESCRIPTION_LIMIT) },
    fullDescription: { text: `${info.title}\n\n${info.help}` },
    ...(link ? { helpUri: link } : {}),
    help: { text: helpText(info, remedies, link), markdown: helpMarkdown(info, remedies, link) },
    defaultConfiguration: { level },
    properties: {
      tags: [...new Set([...info.tags, ...cweTags])].slice(0, TAG_LIMIT),
      precision: MEDIUM_PRECISION.has(first.check) ? 'medium' : 'high',
      'security-severity': securitySeverity.toFixed(1),
      check: first.check,
    },
  };
}

/** Advisory ids name themselves (`CVE-2022-3602`); check rules become `CooldownNotChecked` (masked first: the words hide a URL). */
function ruleName(finding: Finding): string {
  if (isAdvisoryFinding(finding)) return finding.rule;
  return maskCredentials(finding.rule)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}

function helpText(info: RuleInfo, remedies: string[], link: string | undefined): string {
  const lines = [info.help];
  if (remedies.length > 0) lines.push(`Fix: ${remedies.join('; ')}`);
  if (info.cwes.length > 0) lines.push(`Weaknesses: ${info.cwes.join(', ')}`);
  if (link) lines.push(`Advisory: ${link}`);
  return lines.join('\n\n');
}

/** The help as Markdown: titles, remedies, CWE ids and the advisory id come from feeds, so they pass through `markdownText`. */
function helpMarkdown(info: RuleInfo, remedies: string[], link: string | undefined): string {
  const parts = [`**${outside(info.title)}**`, ownMarkdown(info.help)];
  if (remedies.length > 0) parts.push(`**Fix**\n\n${remedies.map((remedy) => `- ${outside(remedy)}`).join('\n')}`);
  if (info.cwes.length > 0) {
    const cwes = info.cwes.map((cwe) => {
      const number = /^CWE-(\d+)$/i.exec(cwe)?.[1];
      return number ? `[${cwe}](https://cwe.mitre.org/data/definitions/${number}.html)` : outside(cwe);
    });
    parts.push(`Weaknesses: ${cwes.join(', ')}`);
  }
  if (link) parts.push(`Advisory: [${outside(info.id)}](${link})`);
  return parts.join('\n\n');
}

function outside(value: string): string {
  return markdownText(value, Number.POSITIVE_INFINITY);
}

/**
 * `helpUri` must be an absolute URI (the schema's `format: uri`): the advisory page when its URL is
 * https and made only of URI characters (ids are percent-encoded into it), else none.
 */
function helpUri(id: string): string | undefined {
  const url = advisoryUrl(id);
  return url && /^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/.test(url) ? url : undefined;
}

/**
 * A plain-text result message: SARIF reads `[text](target)` in it as an embedded link (3.11.6), so
 * literal brackets are escaped, and backslashes too, so that no `\` from the text can undo one.
 */
function messageText(value: string): string {
  return value.replace(/[[\]\\]/g, '\\$&');
}

function sarifResult(report: ReportInput, finding: Finding, ruleIndex: number, findingFingerprint: string) {
  const { uri, region } = resultLocation(report, finding);
  const subject = finding.subject;
  const message = finding.remedy ? `${finding.message.replace(/\.$/, '')}. Fix: ${finding.remedy}.` : finding.message;
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: resultLevel(finding),
    message: { text: messageText(message) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: uri,
          region,
        },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: findingFingerprint },
    ...(finding.waiver
      ? { suppressions: [suppression(report.root, finding.waiver)] }
      : isFixedInBuild(finding)
        ? { suppressions: [fixedSuppression(finding)] }
        : {}),
    properties: {
      check: finding.check,
      severity: finding.severity,
      ...(finding.originalSeverity ? { originalSeverity: finding.originalSeverity } : {}),
      blocking: finding.blocking === true,
      ...(subject
        ? {
            ecosystem: subject.ecosystem,
            package: subject.name,
            version: subject.version,
            ...(subject.platform ? { platform: subject.platform } : {}),
            ...(subject.environments ? { environments: subject.environments } : {}),
          }
        : {}),
    },
  };
}

/**
 * The lock record the finding is about; a finding about no record (a check that could not run)
 * points at the first input file, since GitHub needs a location for every result.
 */
function resultLocation(report: ReportInput, finding: Finding) {
  const location = finding.location;
  const file = location?.file ?? report.inventory.sources[0]?.path ?? report.target;
  const line = location?.file && location.line ? location.line : 1;
  const region: Record<string, number> = { startLine: line, startColumn: location?.line ? (location.column ?? 1) : 1 };
  // A code finding's span (SARIF's end column is exclusive, like ours).
  if (location?.line && location.endLine !== undefined && location.endColumn !== undefined) {
    region.endLine = location.endLine;
    region.endColumn = location.endColumn;
  }
  return { uri: artifactLocation(report.root, file), region };
}

function artifactLocation(root: string, path: string): { uri: string; uriBaseId?: string } {
  // Masked before percent-encoding, which would hide a URL's credentials from the masking of the log's strings.
  const file = maskCredentials(path);
  const relative = pathWithinRoot(root, file);
  if (relative === undefined) return { uri: pathToFileURL(file).href };
  return { uri: relative.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

function relativeOrAbsolute(root: string, file: string): string {
  return pathWithinRoot(root, file) ?? file;
}

/**
 * Fingerprints, numbered when two findings share one (the same code twice in a file): GitHub
 * merges results with equal fingerprints into one alert. Findings arrive in file order, so the
 * numbering survives lines added above them.
 */
function fingerprintCounter() {
  const seen = new Map<string, number>();
  return {
    next(finding: Finding): string {
      const base = fingerprint(finding);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      return count === 0 ? base : sha256(`${base}\u0000${count}`);
    },
  };
}

function fingerprint(finding: Finding): string {
  const subject = finding.subject;
  // Code findings are identified by what matched where, not by line, so they survive edits above them.
  const code = finding.location?.column !== undefined ? codeIdentity(finding) : undefined;
  const about = subject
    ? [subject.ecosystem, subject.name, subject.version, subject.platform ?? '']
    : (code ?? [finding.check, finding.message]);
  return sha256([finding.rule, ...about].join('\u0000'));
}

function codeIdentity(finding: Finding): string[] {
  const { path, fingerprint: secret, snippet } = finding.evidence;
  return [finding.check, String(path ?? finding.location?.file ?? ''), String(secret ?? snippet ?? finding.message)];
}

/** The waiver as an accepted suppression, located at the waiver in the policy file. */
function suppression(root: string, waiver: AppliedWaiver) {
  const justification = [
    waiver.reason.trim().replace(/\.$/, ''),
    waiver.by ? `Accepted by ${waiver.by}` : '',
    waiver.expires ? `Expires ${waiver.expires}` : '',
  ].filter(Boolean);
  return {
    kind: waiver.inline ? 'inSource' : 'external',
    status: 'accepted',
    justification: `${justification.join('. ')}.`,
    location: {
      physicalLocation: {
        artifactLocation: artifactLocation(root, waiver.origin.file),
        region: { startLine: waiver.origin.line ?? 1, startColumn: 1 },
      },
    },
    properties: {
      ...(waiver.by ? { by: waiver.by } : {}),
      ...(waiver.expires ? { expires: waiver.expires } : {}),
      ...(waiver.id ? { id: waiver.id } : {}),
      ...(waiver.package ? { package: waiver.package } : {}),
    },
  };
}

/** A fix the build carries, as an accepted suppression justified by the patch. */
function fixedSuppression(finding: Finding) {
  const fixed = finding.flags?.fixedInBuild;
  const patches = [...new Set((fixed?.patches ?? []).map(({ patch, how }) => `${patch} (${how})`))];
  return {
    kind: 'external',
    status: 'accepted',
    justification: `Fixed in this build: its recipe applies ${patches.join(', ')}.`,
    properties: {
      fixedInBuild: true,
      source: fixed?.source ?? '',
      patches: (fixed?.patches ?? []).map(({ id, how, patch, line }) => ({ id, how, patch, line })),
    },
  };
}

function higherLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[b] > LEVEL_RANK[a] ? b : a;
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Our own rule help: plain text whose code spans stay code spans. */
function ownMarkdown(text: string): string {
  return text.replace(/[\\*_[\]<>|#]/g, (char) => `\\${char}`);
}
