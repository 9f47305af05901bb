/**
 * What every cvebuild SARIF 2.1.0 log shares (the gate's, `sarif.ts`, and the build's,
 * `build/report-sarif.ts`): the document and its string rules, the tool's driver with one rule per
 * distinct finding rule, result levels, artifact locations relative to the root, tool-execution
 * notifications, and fingerprints numbered when two results share one.
 *
 * Its strings are shown to people by code-scanning tools, so every one of them is serialised with
 * credentials masked and controls and bidi characters as visible escapes (`sarifString`); result
 * messages escape `[` and `]`, which SARIF reads as embedded links (3.11.6); `helpUri` is only an
 * absolute https URI made of URI characters.
 */
import { pathToFileURL } from 'node:url';
import { type Finding, isAdvisoryFinding, type Severity } from '../model/finding.ts';
import { showControls } from '../text/controls.ts';
import { maskCredentials } from '../text/credentials.ts';
import { toJson } from '../text/json.ts';
import { text as markdownText } from './markdown-text.ts';
import { pathWithinRoot } from './paths.ts';
import { advisoryUrl, describeRule, type RuleInfo } from './rules.ts';
import { sha256 } from './sbom-identity.ts';

export type Level = 'error' | 'warning' | 'note';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'cvebuild/v1';
const SHORT_DESCRIPTION_LIMIT = 1024;
const TAG_LIMIT = 10;
const LEVEL_RANK: Record<Level, number> = { note: 0, warning: 1, error: 2 };
/** Checks whose findings are judgements (near-miss names, private/public overlap) rather than facts. */
const MEDIUM_PRECISION = new Set(['typosquat', 'confusion']);

/** High and critical are errors; medium and unknown warnings; low and info notes. */
export function severityLevel(severity: Severity): Level {
  if (severity === 'critical' || severity === 'high') return 'error';
  if (severity === 'medium' || severity === 'unknown') return 'warning';
  return 'note';
}

/** The whole log: one run, every string made safe to show. */
export function sarifLog(run: Record<string, unknown>): string {
  return `${toJson({ $schema: SCHEMA, version: '2.1.0', runs: [run] }, { text: sarifString })}\n`;
}

/** Every string of the log: credentials masked, controls and bidi characters visible; line breaks kept. */
function sarifString(value: string): string {
  return showControls(maskCredentials(value), '\n');
}

export interface RuleEntry {
  index: number;
  info: RuleInfo;
  findings: Finding[];
}

/** One entry per distinct rule, in the order the findings first name them. */
export function ruleEntries(findings: readonly Finding[]): Map<string, RuleEntry> {
  const rules = new Map<string, RuleEntry>();
  for (const finding of findings) {
    let entry = rules.get(finding.rule);
    if (!entry) {
      entry = { index: rules.size, info: describeRule(finding), findings: [] };
      rules.set(finding.rule, entry);
    }
    entry.findings.push(finding);
  }
  return rules;
}

export function sarifTool(
  tool: { name: string; version: string; informationUri: string },
  rules: Map<string, RuleEntry>,
) {
  return {
    driver: {
      name: tool.name,
      semanticVersion: tool.version,
      informationUri: tool.informationUri,
      rules: [...rules.values()].map(sarifRule),
    },
  };
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
export function messageText(value: string): string {
  return value.replace(/[[\]\\]/g, '\\$&');
}

/** A path relative to the root (`%SRCROOT%`) when it lies inside it, else a `file:` URI. */
export function artifactLocation(root: string, path: string): { uri: string; uriBaseId?: string } {
  // Masked before percent-encoding, which would hide a URL's credentials from the masking of the log's strings.
  const file = maskCredentials(path);
  const relative = pathWithinRoot(root, file);
  if (relative === undefined) return { uri: pathToFileURL(file).href };
  return { uri: relative.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** A tool-execution notification: about the run (what it could not look at, how a stage ended), not a finding. */
export interface Notification {
  level: Level;
  message: { text: string };
  descriptor: { id: string };
  properties?: Record<string, unknown>;
}

export function withNotifications(notifications: readonly Notification[]) {
  return notifications.length > 0 ? { toolExecutionNotifications: notifications } : {};
}

/**
 * Fingerprints, numbered when two results share one (the same code twice in a file): GitHub
 * merges results with equal fingerprints into one alert. Results arrive in a stable order, so the
 * numbering survives lines added above them.
 */
export function fingerprintCounter() {
  const seen = new Map<string, number>();
  return {
    next(base: string): string {
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      return count === 0 ? base : sha256(`${base}\u0000${count}`);
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
