/**
 * The typed flags decide (malicious, KEV, unchecked, aliases), the evidence only shows: a finding
 * whose evidence merely says `kev: true` is not known-exploited to the policy or the counts.
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CHECKS } from '../../../src/checks/registry.ts';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import {
  type Finding,
  isAdvisoryFinding,
  isKnownExploited,
  isMaliciousRelease,
  isUnchecked,
  withFlags,
} from '../../../src/model/finding.ts';
import { applyPolicy } from '../../../src/policy/evaluate.ts';
import { defaultPolicy, type Policy } from '../../../src/policy/policy.ts';
import { renderAuditJson } from '../../../src/report/audit-json.ts';
import { auditReport } from '../../../src/report/from-audit.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const LOCK = fixture('audit/project/pixi.lock');

async function audit(intel: string, policy: Policy = defaultPolicy()) {
  const { store } = await openIntelForAudit({ db: intel, maxAgeMs: 10 * 365 * 86_400_000, now: NOW });
  try {
    const inventory = readInventory(LOCK);
    const result = await runAudit(inventory, store, {
      policy,
      now: NOW,
      offline: true,
      checks: ['vulnerability', 'malicious'],
    });
    return {
      ...result,
      report: auditReport({ inventory, result, intel: undefined, target: LOCK, root: fixture('audit'), now: NOW }),
    };
  } finally {
    store.close();
  }
}

/** The audit fixture's threat data without its malicious-package reports. */
function intelWithoutMalicious(): string {
  const dir = tempDirectory();
  for (const file of ['GHSA-j7hp-h8jx-5ppr.json', 'GHSA-torch-fixture.json', 'kev.json', 'parselmouth.json']) {
    copyFileSync(fixture(`audit/intel/${file}`), join(dir, file));
  }
  return dir;
}

function bare(fields: Partial<Finding>): Finding {
  return {
    check: 'vulnerability',
    checkVersion: 1,
    rule: 'GHSA-1',
    severity: 'low',
    subject: { ecosystem: 'pypi', name: 'Pillow', version: '10.0.0', platform: 'linux-64' },
    message: 'Pillow 10.0.0 is affected by GHSA-1',
    evidence: {},
    ...fields,
  };
}

describe('finding flags', () => {
  it('a KEV advisory finding carries flags.kev, and the policy, the summary and the JSON count it', async () => {
    const result = await audit(fixture('audit/intel'), { ...defaultPolicy(), failOn: 'critical' });
    const pillow = result.findings.filter((finding) => finding.subject?.name === 'Pillow');
    assert.ok(pillow.length > 0);
    for (const finding of pillow) {
      assert.deepEqual(finding.flags, { aliases: ['CVE-2023-4863'], kev: { dateAdded: '2023-09-13' } });
      // the printed record says the same, written from the flags
      assert.equal(finding.evidence.kev, true);
      assert.equal(finding.evidence.kevDateAdded, '2023-09-13');
      assert.equal(finding.severity, 'high');
      assert.equal(finding.blocking, true, 'KEV fails whatever the threshold');
    }
    assert.equal(result.summary.kev, pillow.length);
    assert.ok(result.verdict.reasons.some((reason) => reason.startsWith('known exploited (KEV): Pillow 10.0.0')));
    const summary = JSON.parse(renderAuditJson(result.report)).summary;
    assert.equal(summary.kev, pillow.length);
  });

  it('a malicious release is flagged malicious; the malicious check saying it could not look is only unchecked', async () => {
    const found = await audit(fixture('audit/intel'));
    const litellm = found.findings.filter((finding) => finding.check === 'malicious');
    assert.ok(litellm.length > 0);
    for (const finding of litellm) {
      assert.equal(finding.flags?.malicious, true);
      assert.ok(isMaliciousRelease(finding) && isAdvisoryFinding(finding) && !isUnchecked(finding));
    }
    assert.equal(found.summary.malicious, litellm.length);
    assert.ok(found.verdict.reasons.some((reason) => reason.startsWith('malicious: litellm 1.82.7')));

    const blind = await audit(intelWithoutMalicious());
    const gap = blind.findings.find((finding) => finding.rule === 'malicious/not-checked');
    assert.ok(gap);
    assert.deepEqual(gap.flags, { unchecked: true });
    assert.equal(gap.evidence.unchecked, true);
    assert.ok(!isMaliciousRelease(gap) && !isAdvisoryFinding(gap) && isUnchecked(gap));
    assert.equal(blind.summary.malicious, 0);
    assert.equal(gap.blocking, true);
    assert.ok(
      blind.verdict.reasons.some((reason) => reason.startsWith('not checked: ') && reason.includes('malicious')),
    );
  });

  it('evidence that only says kev, unchecked or aliases decides nothing: the flags do', () => {
    const pretender = bare({
      evidence: { kev: true, kevDateAdded: '2023-09-13', unchecked: true, aliases: ['CVE-2024-1'] },
    });
    const maliciousByName = bare({ check: 'malicious', rule: 'MAL-1', evidence: { aliases: [] } });
    for (const finding of [pretender, maliciousByName]) {
      assert.ok(!isKnownExploited(finding) && !isUnchecked(finding) && !isMaliciousRelease(finding));
    }
    const policy: Policy = {
      ...defaultPolicy(),
      waivers: [
        { package: 'pillow', reason: 'sandboxed', expires: '2026-12-31', origin: { file: 'cvebuild.toml', line: 1 } },
        { id: 'CVE-2024-1', reason: 'by alias', expires: '2026-12-31', origin: { file: 'cvebuild.toml', line: 5 } },
      ],
    };
    const { findings, verdict } = applyPolicy([pretender], policy, { now: NOW, checks: CHECKS });
    // a package-only waiver may cover it (it is not KEV), and the alias in evidence is not an alias
    assert.equal(findings[0]?.waiver?.reason, 'sandboxed');
    assert.deepEqual(verdict.warnings, ['waiver for CVE-2024-1 (cvebuild.toml:5) matches no finding; remove it']);
    const unwaived = applyPolicy([pretender, maliciousByName], defaultPolicy(), { now: NOW, checks: CHECKS });
    assert.equal(unwaived.verdict.outcome, 'pass', 'low findings below the threshold, whatever the evidence says');

    const flagged = withFlags(pretender, { kev: { dateAdded: '2023-09-13' } });
    assert.ok(isKnownExploited(flagged));
    assert.equal(applyPolicy([flagged], defaultPolicy(), { now: NOW, checks: CHECKS }).verdict.outcome, 'fail');
  });

  it('withFlags writes the flags into the evidence under the keys reports print, without touching the input', () => {
    const fields = { evidence: { reason: 'offline' } };
    const finding = withFlags(fields, { aliases: ['CVE-1'], kev: { dateAdded: '2024-01-02' }, unchecked: true });
    assert.deepEqual(finding.evidence, {
      reason: 'offline',
      aliases: ['CVE-1'],
      kev: true,
      kevDateAdded: '2024-01-02',
      unchecked: true,
    });
    assert.deepEqual(fields, { evidence: { reason: 'offline' } });
    assert.deepEqual(withFlags({ evidence: {} }, { malicious: true }).evidence, {}, 'malicious has no evidence key');
    assert.deepEqual(withFlags({ evidence: {} }, { kev: {} }).evidence, { kev: true });
  });
});
