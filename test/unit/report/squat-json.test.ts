/**
 * A typosquat finding's reading (its score, every signal with its weight, the evidence about the
 * suspect project) in the audit JSON's finding entry and the SARIF result's properties; every other
 * finding's entry is as it was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, FindingSubject, SquatReading } from '../../../src/model/finding.ts';
import { renderAuditJson } from '../../../src/report/audit-json.ts';
import { renderSarif } from '../../../src/report/sarif.ts';
import { inventoryOf, pypiPackage, ROOT, reportOf } from './sbom-fixtures.ts';

const READING: SquatReading = {
  target: 'pydantic',
  targetRank: 30,
  targetTier: 'top 1,000',
  technique: 'transposition',
  distance: 1,
  detail: 'adjacent characters swapped',
  nameScore: 0.85,
  score: 1,
  onCondaForge: false,
  history: {
    status: 'found',
    index: 'https://pypi.org/simple',
    firstUpload: Date.UTC(2026, 4, 29),
    releases: 1,
    from: 'index',
  },
  signals: [
    { signal: 'technique', weight: 0.9, detail: 'transposition: adjacent characters swapped' },
    { signal: 'target-popularity', weight: 0.05, detail: 'pydantic ranks #30 by PyPI downloads (top 1,000)' },
    { signal: 'short-name', weight: -0.1, detail: '6 characters' },
    { signal: 'conda-forge', weight: 0, detail: 'no conda-forge package of this name' },
    { signal: 'first-upload', weight: 0.2, detail: '2026-05-29, 3 days ago: new (under 90 days)' },
    { signal: 'releases', weight: 0.1, detail: '1 on https://pypi.org/simple: 1–3 releases' },
  ],
};

const SUBJECT: FindingSubject = {
  ecosystem: 'pypi',
  name: 'pydnatic',
  version: '1.0',
  platform: 'linux-64',
  environments: ['default'],
};
const squat: Finding = {
  check: 'typosquat',
  checkVersion: 2,
  rule: 'typosquat/transposition',
  severity: 'high',
  subject: SUBJECT,
  message: 'pydnatic looks like a typosquat of pydantic',
  evidence: { target: 'pydantic', squatScore: 1 },
  flags: { squat: READING },
  location: { file: `${ROOT}/pixi.lock`, line: 12 },
};
const advisory: Finding = {
  check: 'vulnerability',
  checkVersion: 1,
  rule: 'CVE-2024-0001',
  severity: 'high',
  subject: { ...SUBJECT, name: 'requests' },
  message: 'requests 1.0 is affected by CVE-2024-0001',
  evidence: { id: 'CVE-2024-0001' },
  location: { file: `${ROOT}/pixi.lock`, line: 30 },
};

const EXPECTED = {
  target: 'pydantic',
  targetRank: 30,
  targetTier: 'top 1,000',
  technique: 'transposition',
  distance: 1,
  detail: 'adjacent characters swapped',
  nameScore: 0.85,
  score: 1,
  onCondaForge: false,
  knownMalicious: null,
  project: {
    status: 'found',
    index: 'https://pypi.org/simple',
    firstUpload: '2026-05-29T00:00:00.000Z',
    releases: 1,
    from: 'index',
    reason: null,
    offline: false,
  },
  signals: READING.signals,
};

const report = (findings: Finding[]) =>
  reportOf(inventoryOf([pypiPackage('pydnatic', '1.0'), pypiPackage('requests', '1.0')]), { findings });

describe('typosquat signals in JSON and SARIF', () => {
  it('the JSON finding entry of a typosquat finding carries its reading; no other entry gains a key', () => {
    const json = JSON.parse(renderAuditJson(report([squat, advisory])));
    const [squatEntry, advisoryEntry] = json.findings;
    assert.deepEqual(squatEntry.typosquat, EXPECTED);
    assert.equal('typosquat' in advisoryEntry, false);
    const alone = JSON.parse(renderAuditJson(report([advisory])));
    assert.deepEqual(Object.keys(advisoryEntry), Object.keys(alone.findings[0]));
    const { typosquat: _, ...rest } = squatEntry;
    const unflagged = JSON.parse(renderAuditJson(report([{ ...squat, flags: undefined }, advisory])));
    assert.deepEqual(rest, unflagged.findings[0], 'the rest of the entry as before');
  });

  it('the SARIF result of a typosquat finding carries the reading in its property bag', () => {
    const run = JSON.parse(renderSarif(report([squat, advisory]))).runs[0];
    const [squatResult, advisoryResult] = run.results;
    assert.deepEqual(squatResult.properties.typosquat, EXPECTED);
    assert.equal(squatResult.properties.check, 'typosquat');
    assert.equal('typosquat' in advisoryResult.properties, false);
  });

  it('a known-malicious name, and a project the index could not be asked about', () => {
    const reading: SquatReading = {
      ...READING,
      knownMalicious: 'MAL-2026-900',
      history: { status: 'unavailable', reason: 'offline: the index was not asked', offline: true },
    };
    const json = JSON.parse(renderAuditJson(report([{ ...squat, flags: { squat: reading } }])));
    assert.equal(json.findings[0].typosquat.knownMalicious, 'MAL-2026-900');
    assert.deepEqual(json.findings[0].typosquat.project, {
      status: 'unavailable',
      index: null,
      firstUpload: null,
      releases: null,
      from: null,
      reason: 'offline: the index was not asked',
      offline: true,
    });
  });
});
