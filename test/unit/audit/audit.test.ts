import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { fixture } from '../../helpers/paths.ts';

const NOW = new Date('2026-11-22T12:00:00Z');

async function audit(failOn: 'low' | 'medium' | 'high' | 'critical' = 'high') {
  const { store } = await openIntelForAudit({ db: fixture('audit/intel'), maxAgeMs: 48 * 3_600_000, now: NOW });
  try {
    return await runAudit(readInventory(fixture('audit/project/pixi.lock')), store, {
      failOn,
      now: NOW,
      offline: true,
      checks: ['vulnerability', 'malicious'],
    });
  } finally {
    store.close();
  }
}

const about = (findings: Finding[], name: string, version?: string) =>
  findings.filter((f) => f.subject?.name === name && (version === undefined || f.subject.version === version));

describe('audit: malicious releases', async () => {
  const { findings } = await audit();

  it('flags litellm 1.82.7 and 1.82.8 as malicious (MAL-2026-2144), merged with PYSEC-2026-2', () => {
    for (const version of ['1.82.7', '1.82.8']) {
      const hits = about(findings, 'litellm', version);
      assert.ok(hits.length > 0, version);
      for (const finding of hits) {
        assert.equal(finding.check, 'malicious');
        assert.equal(finding.rule, 'MAL-2026-2144');
        assert.equal(finding.severity, 'critical');
        assert.deepEqual(finding.evidence.aliases, ['GHSA-5mg7-485q-xm76', 'PYSEC-2026-2']);
      }
    }
    assert.deepEqual(
      about(findings, 'litellm', '1.82.7').map((f) => f.subject?.platform),
      ['linux-64', 'osx-arm64'],
    );
  });

  it('does not flag litellm 1.82.6', () => {
    assert.deepEqual(about(findings, 'litellm', '1.82.6'), []);
  });
});

describe('audit: vulnerabilities', async () => {
  const { findings } = await audit();

  it('maps conda openssl to OpenSSL advisories: 3.0.7 has CVE-2023-0286, 3.0.8 does not', () => {
    const [finding] = about(findings, 'openssl', '3.0.7');
    assert.equal(finding?.rule, 'CVE-2023-0286');
    assert.equal(finding?.severity, 'high');
    assert.equal(finding?.evidence.mappedBy, 'native');
    assert.equal(finding?.evidence.source, 'openssl');
    assert.equal(finding?.evidence.safeVersion, '3.0.8');
    assert.deepEqual(about(findings, 'openssl', '3.0.8'), []);
  });

  it('flags pillow 10.0.0 with CVE-2023-4863 as known exploited (KEV)', () => {
    const [finding] = about(findings, 'Pillow', '10.0.0');
    assert.equal(finding?.rule, 'GHSA-j7hp-h8jx-5ppr');
    assert.deepEqual(finding?.evidence.aliases, ['CVE-2023-4863']);
    assert.equal(finding?.evidence.kev, true);
    assert.equal(finding?.evidence.kevDateAdded, '2023-09-13');
    assert.equal(finding?.severity, 'high');
    assert.equal(finding?.evidence.score, 8.8);
    assert.equal(finding?.evidence.safeVersion, '10.0.1');
  });

  it('maps conda pytorch to PyPI torch through the name map', () => {
    const [finding] = about(findings, 'pytorch', '2.5.1');
    assert.equal(finding?.rule, 'GHSA-53q9-r3pm-6pq6');
    assert.equal(finding?.evidence.mappedBy, 'name-map');
    assert.equal(finding?.evidence.target, 'PyPI:torch');
    assert.equal(finding?.severity, 'critical');
  });
});

describe('audit: verdict and determinism', () => {
  it('fails on malicious and KEV findings whatever the threshold', async () => {
    const { verdict } = await audit('critical');
    assert.equal(verdict.outcome, 'fail');
    assert.ok(verdict.reasons.some((reason) => reason.startsWith('malicious: litellm 1.82.7')));
    assert.ok(verdict.reasons.some((reason) => reason.startsWith('known exploited (KEV): Pillow 10.0.0')));
  });

  it('sorts findings most severe first and is deterministic', async () => {
    const first = (await audit()).findings;
    assert.deepEqual((await audit()).findings, first);
    assert.equal(first[0]?.severity, 'critical');
    assert.equal(first.at(-1)?.severity, 'high');
  });

  it('summarises by severity and check', async () => {
    const { summary } = await audit();
    assert.equal(summary.malicious, 3);
    assert.equal(summary.kev, 1);
    assert.equal(summary.byCheck.vulnerability, 3);
  });
});
