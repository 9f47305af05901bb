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
 * A typosquat result's properties carry the check's reading (`typosquat`: score, signals with
 * their weights, the suspect project's history), as the JSON's finding entry does.
 *
 * The document, rules, strings, locations and notifications are `sarif-log.ts`'s, shared with the
 * build's log.
 */
import { type AppliedWaiver, type Finding, isFixedInBuild } from '../model/finding.ts';
import { pathWithinRoot } from './paths.ts';
import type { ReportInput } from './report.ts';
import {
  artifactLocation,
  FINGERPRINT_KEY,
  fingerprintCounter,
  type Level,
  messageText,
  type Notification,
  ruleEntries,
  sarifLog,
  sarifTool,
  severityLevel,
  withNotifications,
} from './sarif-log.ts';
import { sha256 } from './sbom-identity.ts';
import { squatJson } from './squat-json.ts';

export function resultLevel(finding: Finding): Level {
  if (isFixedInBuild(finding) && !finding.blocking) return 'note';
  return finding.blocking ? 'error' : severityLevel(finding.severity);
}

export function renderSarif(report: ReportInput): string {
  const fingerprints = fingerprintCounter();
  const rules = ruleEntries(report.findings);
  return sarifLog({
    tool: sarifTool(report.tool, rules),
    automationDetails: { id: `${report.tool.name}/` },
    invocations: [
      {
        executionSuccessful: true,
        endTimeUtc: report.generatedAt.toISOString(),
        ...withNotifications(coverageNotifications(report)),
      },
    ],
    results: report.findings.map((finding) =>
      sarifResult(report, finding, rules.get(finding.rule)?.index ?? 0, fingerprints.next(fingerprint(finding))),
    ),
    properties: {
      verdict: report.verdict.outcome,
      reasons: report.verdict.reasons,
      warnings: report.verdict.warnings,
      failOn: report.policy.failOn,
      ...(report.policy.source ? { policy: relativeOrAbsolute(report.root, report.policy.source) } : {}),
    },
  });
}

/**
 * What the run could not decide, as SARIF tool-execution notifications rather than results: an
 * undecided advisory or a package no advisory source covers is not a finding, but a reader of the
 * log must see that "no result" there means "not looked at" or "could not tell".
 */
function coverageNotifications(report: ReportInput) {
  const notifications: Notification[] = [];
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

function sarifResult(report: ReportInput, finding: Finding, ruleIndex: number, findingFingerprint: string) {
  const { uri, region } = resultLocation(report, finding);
  const subject = finding.subject;
  const squat = squatJson(finding);
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
      ...(squat ? { typosquat: squat } : {}),
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

function relativeOrAbsolute(root: string, file: string): string {
  return pathWithinRoot(root, file) ?? file;
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
