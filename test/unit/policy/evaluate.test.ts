import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../src/checks/registry.ts';
import type { Finding, Severity } from '../../../src/model/finding.ts';
import { applyPolicy } from '../../../src/policy/evaluate.ts';
import { defaultPolicy, type Policy, type Waiver } from '../../../src/policy/policy.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const ALL = { now: NOW, checks: CHECKS };

function finding(check: string, rule: string, severity: Severity, extra: Partial<Finding> = {}): Finding {
  return {
    check,
    checkVersion: 1,
    rule,
    severity,
    subject: { ecosystem: 'pypi', name: 'Pillow', version: '10.0.0', platform: 'linux-64' },
    message: `${rule} message`,
    evidence: {},
    ...extra,
  };
}

function waiver(fields: Partial<Waiver>): Waiver {
  return { reason: 'accepted', expires: '2026-12-31', origin: { file: 'cvebuild.toml', line: 3 }, ...fields };
}

function policyWith(change: Partial<Policy>): Policy {
  return { ...defaultPolicy(), ...change };
}

describe('applying the policy', () => {
  it('fails at the threshold and passes below it', () => {
    const high = applyPolicy([finding('vulnerability', 'GHSA-1', 'high')], defaultPolicy(), ALL);
    assert.equal(high.verdict.outcome, 'fail');
    assert.deepEqual(high.verdict.reasons, ['high: Pillow 10.0.0 (linux-64) GHSA-1']);
    assert.equal(high.findings[0]?.blocking, true);
    const medium = applyPolicy([finding('vulnerability', 'GHSA-1', 'medium')], defaultPolicy(), ALL);
    assert.equal(medium.verdict.outcome, 'pass');
    assert.equal(medium.findings[0]?.blocking, false);
    const stricter = applyPolicy([finding('vulnerability', 'GHSA-1', 'medium')], policyWith({ failOn: 'medium' }), ALL);
    assert.equal(stricter.verdict.outcome, 'fail');
  });

  it('always fails on malicious, KEV and unchecked findings unless relaxed', () => {
    const findings = [
      finding('malicious', 'MAL-1', 'low', { flags: { malicious: true } }),
      finding('vulnerability', 'CVE-1', 'low', { flags: { kev: {} } }),
      finding('cooldown', 'cooldown/not-checked', 'low', { flags: { unchecked: true } }),
    ];
    const strict = applyPolicy(findings, defaultPolicy(), ALL);
    assert.deepEqual(
      strict.findings.map((item) => item.blocking),
      [true, true, true],
    );
    assert.match(strict.verdict.reasons.join('\n'), /^malicious: .*MAL-1$/m);
    assert.match(strict.verdict.reasons.join('\n'), /^known exploited \(KEV\): .*CVE-1$/m);
    assert.match(strict.verdict.reasons.join('\n'), /^not checked: .*cooldown\/not-checked$/m);
    const relaxed = applyPolicy(
      findings,
      policyWith({ failOnMalicious: false, failOnKev: false, failOnUnchecked: false }),
      ALL,
    );
    assert.equal(relaxed.verdict.outcome, 'pass');
  });

  it('does not let a finding fixed in this build block, whatever its severity or KEV, but keeps it', () => {
    const fixedInBuild = {
      source: 'libzlib-1.2.11-0.conda',
      patches: [
        {
          id: 'CVE-2018-25032',
          how: 'file-name' as const,
          patch: 'info/recipe/patches/CVE-2018-25032.patch',
          file: 'info/recipe/patches/CVE-2018-25032.patch',
          line: 'patches/CVE-2018-25032.patch',
        },
      ],
    };
    const findings = [
      finding('vulnerability', 'CVE-2018-25032', 'critical', { flags: { fixedInBuild, kev: {} } }),
      finding('vulnerability', 'CVE-2022-37434', 'critical'),
    ];
    const outcome = applyPolicy(findings, defaultPolicy(), ALL);
    assert.deepEqual(
      outcome.findings.map((item) => [item.rule, item.blocking]),
      [
        ['CVE-2018-25032', false],
        ['CVE-2022-37434', true],
      ],
    );
    assert.deepEqual(outcome.verdict.reasons, ['critical: Pillow 10.0.0 (linux-64) CVE-2022-37434']);
    // Only the flag decides: the same words in the evidence are not a fix.
    const claimed = applyPolicy(
      [finding('vulnerability', 'CVE-2018-25032', 'critical', { evidence: { fixedInBuild } })],
      defaultPolicy(),
      ALL,
    );
    assert.equal(claimed.verdict.outcome, 'fail');
    // A malicious release is never fixed by a patch.
    const malicious = applyPolicy(
      [finding('malicious', 'MAL-1', 'critical', { flags: { malicious: true, fixedInBuild } })],
      defaultPolicy(),
      ALL,
    );
    assert.equal(malicious.verdict.outcome, 'fail');
  });

  it('maps severities per check and per rule, keeping the original', () => {
    const policy = policyWith({
      checks: new Map([
        ['typosquat', { enabled: true, severity: 'high', rules: new Map([['typosquat/affix', 'info']]) }],
      ]),
    });
    const { findings, verdict } = applyPolicy(
      [finding('typosquat', 'typosquat/edit', 'medium'), finding('typosquat', 'typosquat/affix', 'medium')],
      policy,
      ALL,
    );
    assert.deepEqual(
      findings.map((item) => [item.rule, item.severity, item.originalSeverity]),
      [
        ['typosquat/edit', 'high', 'medium'],
        ['typosquat/affix', 'info', 'medium'],
      ],
    );
    assert.equal(verdict.outcome, 'fail');
  });

  it('applies an active waiver by id, alias or package, and records it on the finding', () => {
    const byAlias = finding('vulnerability', 'GHSA-1', 'critical', { flags: { aliases: ['CVE-2024-1'] } });
    const policy = policyWith({ waivers: [waiver({ id: 'cve-2024-1', package: 'pillow@10.0.0', by: 'alice' })] });
    const { findings, verdict } = applyPolicy([byAlias], policy, ALL);
    assert.equal(verdict.outcome, 'pass');
    assert.deepEqual(verdict.warnings, []);
    assert.equal(findings[0]?.blocking, false);
    assert.equal(findings[0]?.waiver?.by, 'alice');
    assert.equal(findings[0]?.waiver?.origin.line, 3);
    const otherVersion = applyPolicy([byAlias], policyWith({ waivers: [waiver({ package: 'pillow@9.0.0' })] }), ALL);
    assert.equal(otherVersion.verdict.outcome, 'fail');
  });

  it('does not let a package-only waiver cover a malicious or KEV finding', () => {
    const malicious = finding('malicious', 'MAL-1', 'critical', { flags: { malicious: true } });
    const kev = finding('vulnerability', 'CVE-1', 'high', { flags: { kev: {} } });
    const broad = applyPolicy([malicious, kev], policyWith({ waivers: [waiver({ package: 'Pillow' })] }), ALL);
    assert.equal(broad.verdict.outcome, 'fail');
    assert.equal(broad.findings.filter((item) => item.waiver).length, 0);
    const exact = applyPolicy(
      [malicious, kev],
      policyWith({ waivers: [waiver({ id: 'MAL-1' }), waiver({ id: 'CVE-1', package: 'Pillow' })] }),
      ALL,
    );
    assert.equal(exact.verdict.outcome, 'pass');
  });

  it('fails on an expired waiver and does not apply it', () => {
    const expired = waiver({ id: 'GHSA-1', expires: '2026-11-21', by: 'bob' });
    const { findings, verdict } = applyPolicy(
      [finding('vulnerability', 'GHSA-1', 'low')],
      policyWith({ waivers: [expired] }),
      ALL,
    );
    assert.equal(verdict.outcome, 'fail');
    assert.equal(findings[0]?.rule, 'policy/waiver-expired');
    assert.equal(findings[0]?.location?.line, 3);
    assert.match(
      verdict.reasons[0] ?? '',
      /waiver for GHSA-1 \(cvebuild\.toml:3\) expired on 2026-11-21 \(accepted by bob\)/,
    );
    assert.equal(findings[1]?.waiver, undefined);
  });

  it('holds a waiver through its expiry day', () => {
    const lastDay = waiver({ id: 'GHSA-1', expires: '2026-11-22' });
    const { verdict } = applyPolicy(
      [finding('vulnerability', 'GHSA-1', 'high')],
      policyWith({ waivers: [lastDay] }),
      ALL,
    );
    assert.equal(verdict.outcome, 'pass');
  });

  it('warns about a waiver that matches nothing', () => {
    const { verdict } = applyPolicy([], policyWith({ waivers: [waiver({ id: 'CVE-2000-1' })] }), ALL);
    assert.equal(verdict.outcome, 'pass');
    assert.deepEqual(verdict.warnings, ['waiver for CVE-2000-1 (cvebuild.toml:3) matches no finding; remove it']);
  });

  it('fails closed when a requirement has no check to enforce it', () => {
    const policy = defaultPolicy();
    policy.settings.attestationRequirements = [
      { channel: 'conda-forge', publishers: [{ identity: 'x', issuer: 'y' }], origin: { file: 'cvebuild.toml' } },
    ];
    const withoutAttestation = CHECKS.filter((check) => check.id !== 'attestation');
    const { verdict, findings } = applyPolicy([], policy, { now: NOW, checks: withoutAttestation });
    assert.equal(verdict.outcome, 'fail');
    assert.equal(findings[0]?.rule, 'policy/requirement-not-enforced');
    assert.equal(applyPolicy([], policy, ALL).verdict.outcome, 'pass');
    const trusted = defaultPolicy();
    trusted.settings.trustedChannels = ['conda-forge'];
    assert.equal(applyPolicy([], trusted, ALL).verdict.outcome, 'pass');
    const withoutSources = CHECKS.filter((check) => check.id !== 'sources');
    assert.equal(applyPolicy([], trusted, { now: NOW, checks: withoutSources }).verdict.outcome, 'fail');
  });
});
