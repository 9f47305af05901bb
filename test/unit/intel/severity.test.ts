import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  levelFromScore,
  levelFromText,
  nvdSeverity,
  osvSeverity,
  scoreCvssVector,
  severityFromVectors,
} from '../../../src/intel/severity.ts';

const V31_CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const V31_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N';
const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('CVSS scores', () => {
  it('computes base scores for 4.0, 3.1, 3.0 and 2.0 vectors', () => {
    assert.deepEqual(scoreCvssVector(V31_CRITICAL), { vector: V31_CRITICAL, version: '3.1', score: 9.8 });
    assert.equal(scoreCvssVector(V31_HIGH)?.score, 7.5);
    assert.equal(scoreCvssVector('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')?.score, 9.8);
    assert.deepEqual(scoreCvssVector(V40), { vector: V40, version: '4.0', score: 9.3 });
    assert.deepEqual(scoreCvssVector('AV:A/AC:L/Au:S/C:P/I:P/A:P'), {
      vector: 'AV:A/AC:L/Au:S/C:P/I:P/A:P',
      version: '2.0',
      score: 5.2,
    });
  });

  it('skips vectors it cannot score instead of throwing (or scoring a truncated vector as 0)', () => {
    for (const bad of ['', 'nonsense', 'CVSS:3.1/AV:N/garbage', 'CVSS:3.1/AV:N', 'CVSS:4.0/AV:N', 'CVSS:9.9/AV:N']) {
      assert.equal(scoreCvssVector(bad), undefined, bad);
    }
    assert.equal(severityFromVectors(['CVSS:3.1/AV:N']), undefined);
  });

  it('maps scores to levels: 0 info, < 4 low, < 7 medium, < 9 high, else critical', () => {
    assert.deepEqual([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(levelFromScore), [
      'info',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });

  it('prefers CVSS 4.0 over 3.x, keeping every vector as published', () => {
    assert.deepEqual(severityFromVectors([V31_HIGH, V40, 'CVSS:3.1/AV:N']), {
      level: 'critical',
      score: 9.3,
      vectors: [V31_HIGH, V40, 'CVSS:3.1/AV:N'],
      basis: 'cvss',
    });
  });
});

describe('textual levels', () => {
  it('reads GHSA, OpenSSL and curl spellings; unknown levels give nothing', () => {
    assert.deepEqual(
      ['LOW', 'MODERATE', 'Moderate', 'medium', 'HIGH', 'Critical', 'unknown', 42, undefined].map(levelFromText),
      ['low', 'medium', 'medium', 'medium', 'high', 'critical', undefined, undefined, undefined],
    );
  });
});

describe('osvSeverity', () => {
  it('scores the vectors first', () => {
    const record = {
      severity: [{ type: 'CVSS_V3', score: V31_HIGH }],
      database_specific: { severity: 'LOW' },
    };
    assert.deepEqual(osvSeverity(record, false), { level: 'high', score: 7.5, vectors: [V31_HIGH], basis: 'cvss' });
  });

  it("falls back to GHSA's level when severity[] is empty, then to OSS-Fuzz's", () => {
    assert.deepEqual(osvSeverity({ severity: [], database_specific: { severity: 'MODERATE' } }, false), {
      level: 'medium',
      vectors: [],
      basis: 'ghsa',
    });
    assert.deepEqual(osvSeverity({ affected: [{ ecosystem_specific: { severity: 'HIGH' } }] }, false), {
      level: 'high',
      vectors: [],
      basis: 'oss-fuzz',
    });
    assert.deepEqual(osvSeverity({ severity: [{ type: 'CVSS_V3', score: 'broken' }] }, false), { vectors: ['broken'] });
  });

  it('makes a malicious package critical', () => {
    assert.deepEqual(osvSeverity({}, true), { level: 'critical', vectors: [], basis: 'malicious' });
  });
});

describe('nvdSeverity', () => {
  const metric = (type: string, version: string, vectorString: string) => ({
    source: type === 'Primary' ? 'nvd@nist.gov' : 'cna@example.org',
    type,
    cvssData: { version, vectorString, baseScore: 0 },
  });

  it("prefers NVD's Primary metric over the CNA's, and recomputes its score", () => {
    const severity = nvdSeverity({
      cvssMetricV31: [metric('Secondary', '3.1', V31_CRITICAL), metric('Primary', '3.1', V31_HIGH)],
    });
    assert.deepEqual(severity, { level: 'high', score: 7.5, vectors: [V31_HIGH, V31_CRITICAL], basis: 'nvd' });
  });

  it('uses CVSS 2.0 only when nothing newer exists', () => {
    const v2 = 'AV:N/AC:L/Au:N/C:P/I:N/A:N';
    assert.equal(
      nvdSeverity({
        cvssMetricV2: [metric('Primary', '2.0', v2)],
        cvssMetricV31: [metric('Secondary', '3.1', V31_HIGH)],
      }).score,
      7.5,
    );
    assert.equal(nvdSeverity({ cvssMetricV2: [metric('Primary', '2.0', v2)] }).score, 5);
    assert.deepEqual(nvdSeverity({}), { vectors: [] });
  });
});
