/**
 * The policy applied to the checks' findings: map severities, apply waivers, mark what blocks,
 * and add the policy's own failures (an expired waiver; a requirement no running check enforces).
 * The result is the one verdict every front door prints and every report draws.
 */
import type { Check, CheckRules, PolicyRequirement } from '../checks/check.ts';
import {
  atLeast,
  type Finding,
  isFixedInBuild,
  isKnownExploited,
  isMaliciousRelease,
  isUnchecked,
  type Verdict,
  withFlags,
} from '../model/finding.ts';
import type { Policy, Waiver } from './policy.ts';
import { describeWaiver, waiverExpired, waiverMatches } from './waivers.ts';

export interface PolicyOutcome {
  findings: Finding[];
  verdict: Verdict;
}

export const POLICY_CHECK_VERSION = 1;

/** The policy's own findings (check `policy`), described like a check's. */
export const POLICY_RULES: CheckRules = {
  check: {
    title: 'Policy requirement not met',
    help: 'The policy itself could not be satisfied: a waiver has expired, or the policy requires a verification that no check could perform. Renew or remove the waiver (with a new reason and expiry), or relax the requirement explicitly.',
    cwes: [],
    tags: ['security', 'policy'],
  },
};

export function applyPolicy(
  findings: readonly Finding[],
  policy: Policy,
  context: { now: Date; checks: readonly Check[] },
): PolicyOutcome {
  const active = policy.waivers.filter((waiver) => !waiverExpired(waiver, context.now));
  const used = new Set<Waiver>();
  const decided = findings.map((raw) => {
    const finding = mapSeverity(raw, policy);
    // A check may have accepted the finding itself (an inline suppression comment in scanned code).
    if (finding.waiver) return { ...finding, blocking: false };
    const waiver = active.find((candidate) => waiverMatches(candidate, finding));
    if (waiver) {
      used.add(waiver);
      const { origin, reason, by, expires, id, package: pkg } = waiver;
      return { ...finding, waiver: { id, package: pkg, reason, by, expires, origin }, blocking: false };
    }
    return { ...finding, blocking: blocks(finding, policy) };
  });
  const policyFindings = [
    ...policy.waivers.filter((waiver) => waiverExpired(waiver, context.now)).map(expiredFinding),
    ...unenforced(policy, context.checks),
  ];
  const all = [...policyFindings, ...decided];
  const reasons = all.filter((finding) => finding.blocking).map(reasonFor);
  const warnings = active
    .filter((waiver) => !used.has(waiver))
    .map((waiver) => `${describeWaiver(waiver)} matches no finding; remove it`);
  return {
    findings: all,
    verdict: { outcome: reasons.length > 0 ? 'fail' : 'pass', reasons: [...new Set(reasons)], warnings },
  };
}

function mapSeverity(finding: Finding, policy: Policy): Finding {
  const checkPolicy = policy.checks.get(finding.check);
  const mapped = checkPolicy?.rules.get(finding.rule) ?? checkPolicy?.severity;
  if (!mapped || mapped === finding.severity) return finding;
  return { ...finding, severity: mapped, originalSeverity: finding.severity };
}

function blocks(finding: Finding, policy: Policy): boolean {
  // The build carries the fix: what its version says no longer applies, KEV or not.
  if (isFixedInBuild(finding)) return false;
  if (policy.failOnMalicious && isMaliciousRelease(finding)) return true;
  if (policy.failOnKev && isKnownExploited(finding)) return true;
  if (policy.failOnUnchecked && isUnchecked(finding)) return true;
  return atLeast(finding.severity, policy.failOn);
}

function reasonFor(finding: Finding): string {
  if (finding.check === 'policy') return finding.message;
  const why = isMaliciousRelease(finding)
    ? 'malicious'
    : isKnownExploited(finding)
      ? 'known exploited (KEV)'
      : isUnchecked(finding)
        ? 'not checked'
        : finding.severity;
  const subject = finding.subject;
  if (!subject) return `${why}: ${finding.message}`;
  const platform = subject?.platform ? ` (${subject.platform})` : '';
  return `${why}: ${subject.name} ${subject.version}${platform} ${finding.rule}`;
}

function expiredFinding(waiver: Waiver): Finding {
  return {
    check: 'policy',
    checkVersion: POLICY_CHECK_VERSION,
    rule: 'policy/waiver-expired',
    severity: 'high',
    message: `${describeWaiver(waiver)} expired on ${waiver.expires}${waiver.by ? ` (accepted by ${waiver.by})` : ''}: review the risk again and renew or remove it`,
    evidence: { waiver: { id: waiver.id, package: waiver.package, reason: waiver.reason, expires: waiver.expires } },
    remedy: 'renew the waiver with a new expiry and reason, or remove it and fix the finding',
    location: waiver.origin,
    blocking: true,
  };
}

const REQUIREMENTS: { requirement: PolicyRequirement; configured: (policy: Policy) => boolean; what: string }[] = [
  {
    requirement: 'attestation',
    configured: (policy) => policy.settings.attestationRequirements.length > 0,
    what: 'attestations ([attestations] require)',
  },
  {
    requirement: 'trusted-sources',
    configured: (policy) => policy.settings.trustedChannels.length > 0 || policy.settings.trustedIndexes.length > 0,
    what: 'trusted sources ([sources] channels / indexes)',
  },
];

/** Fail closed: a requirement the policy states but no running check enforces is not met. */
function unenforced(policy: Policy, checks: readonly Check[]): Finding[] {
  return REQUIREMENTS.filter(
    ({ requirement, configured }) =>
      configured(policy) && !checks.some((check) => check.enforces?.includes(requirement)),
  ).map(({ requirement, what }) =>
    withFlags(
      {
        check: 'policy',
        checkVersion: POLICY_CHECK_VERSION,
        rule: 'policy/requirement-not-enforced',
        severity: 'high',
        message: `the policy requires ${what}, but no check that enforces it ran`,
        evidence: { requirement },
        remedy:
          requirement === 'attestation'
            ? 'run a cvebuild version with the attestation check, or remove the requirement'
            : 'enable the sources check, or remove the requirement',
        location: policy.source ? { file: policy.source } : undefined,
        blocking: true,
      } satisfies Finding,
      { unchecked: true },
    ),
  );
}
