/**
 * "Nothing found" must never hide "not looked at": the advisory checks fail closed, per ecosystem
 * and per kind of data, when the store cannot speak for the packages audited.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import { runAudit } from '../../../src/engine/run-checks.ts';
import { openIntelForAudit } from '../../../src/intel/open.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { Finding } from '../../../src/model/finding.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const NOW = new Date('2026-11-22T12:00:00Z');
const LOCK = fixture('audit/project/pixi.lock');
const NPM_ONLY = JSON.stringify({
  id: 'GHSA-aaaa-bbbb-cccc',
  modified: '2026-03-25T00:00:00Z',
  summary: 'an npm advisory',
  affected: [
    {
      package: { ecosystem: 'npm', name: 'left-pad' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }],
    },
  ],
});

/** A directory of threat data: the named audit-fixture files, plus extra files by name. */
function intelWith(files: string[], extra: Record<string, string> = {}): string {
  const dir = tempDirectory();
  for (const file of files) copyFileSync(fixture(`audit/intel/${file}`), join(dir, file));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}

async function audit(intel: string, failOnUnchecked = true) {
  const { store } = await openIntelForAudit({ db: intel, maxAgeMs: 10 * 365 * 86_400_000, now: NOW });
  try {
    return await runAudit(readInventory(LOCK), store, {
      policy: { ...defaultPolicy(), failOnUnchecked },
      now: NOW,
      offline: true,
      checks: ['vulnerability', 'malicious'],
    });
  } finally {
    store.close();
  }
}

const gaps = (findings: Finding[]) =>
  findings
    .filter((finding) => finding.rule.endsWith('/not-checked'))
    .map((finding) => `${finding.rule}: ${String(finding.evidence.reason)}`)
    .sort();

const ALL = ['GHSA-j7hp-h8jx-5ppr.json', 'GHSA-torch-fixture.json', 'MAL-2026-2144.json', 'PYSEC-2026-2.json'];

describe('advisory checks fail closed on missing kinds of threat data', () => {
  it('a store with only npm advisories and KEV does not pass a PyPI lock with litellm 1.82.7', async () => {
    const result = await audit(intelWith(['kev.json', 'parselmouth.json'], { 'npm.json': NPM_ONLY }));
    assert.equal(result.verdict.outcome, 'fail');
    assert.deepEqual(gaps(result.findings), [
      'malicious/not-checked: the store holds no PyPI malicious-package reports',
      'vulnerability/not-checked: the store holds no PyPI vulnerability advisories',
      'vulnerability/not-checked: the store holds no upstream C/C++ library vulnerability advisories',
    ]);
    for (const finding of result.findings.filter((item) => item.rule.endsWith('/not-checked'))) {
      assert.equal(finding.blocking, true, finding.message);
      assert.equal(finding.evidence.unchecked, true);
      assert.match(finding.message, /litellm 1\.82\.7|openssl 3\.0\.7/);
    }
    assert.ok(result.verdict.reasons.some((reason) => reason.startsWith('not checked: ')));
    assert.equal(result.summary.malicious, 0, 'a check that could not look is not a malicious finding');
  });

  it('each missing kind is named on its own: malicious reports, KEV, the name map', async () => {
    const noMalicious = await audit(
      intelWith([
        'GHSA-j7hp-h8jx-5ppr.json',
        'GHSA-torch-fixture.json',
        'kev.json',
        'parselmouth.json',
        'openssl-cve5.jsonl',
      ]),
    );
    assert.deepEqual(gaps(noMalicious.findings), [
      'malicious/not-checked: the store holds no PyPI malicious-package reports',
    ]);
    const noKev = await audit(intelWith([...ALL, 'parselmouth.json', 'openssl-cve5.jsonl']));
    assert.deepEqual(gaps(noKev.findings), [
      'vulnerability/not-checked: the store holds no CISA KEV catalogue, so known-exploited vulnerabilities cannot be told apart',
    ]);
  });

  it('a complete store reports no gap', async () => {
    const result = await audit(intelWith([...ALL, 'kev.json', 'parselmouth.json', 'openssl-cve5.jsonl']));
    assert.deepEqual(gaps(result.findings), []);
  });

  it('conda packages without purls need the name map', async () => {
    const dir = tempDirectory();
    const lock = join(dir, 'pixi.lock');
    writeFileSync(
      lock,
      'version: 6\nenvironments:\n  default:\n    channels:\n    - url: https://conda.anaconda.org/conda-forge/\n    packages:\n      linux-64:\n      - conda: https://conda.anaconda.org/conda-forge/noarch/requests-2.31.0-pyhd8ed1ab_0.conda\npackages:\n- conda: https://conda.anaconda.org/conda-forge/noarch/requests-2.31.0-pyhd8ed1ab_0.conda\n  sha256: 9f629d6fd3c8ac5f2a198639fe7af87c4db2ac9235279164bfe0fcb49d8c4bad\n',
    );
    const intel = intelWith([...ALL, 'kev.json', 'openssl-cve5.jsonl']);
    const { store } = await openIntelForAudit({ db: intel, maxAgeMs: 10 * 365 * 86_400_000, now: NOW });
    try {
      const result = await runAudit(readInventory(lock), store, {
        now: NOW,
        offline: true,
        checks: ['vulnerability'],
      });
      assert.deepEqual(gaps(result.findings), [
        'vulnerability/not-checked: the lock gives them no PyPI purls and the store holds no conda→PyPI name map (parselmouth) to find their PyPI advisories',
      ]);
      assert.equal(result.verdict.outcome, 'fail');
    } finally {
      store.close();
    }
  });

  it('fail-on-unchecked = false relaxes the gaps to the threshold, and they stay reported', async () => {
    const result = await audit(intelWith(['kev.json', 'parselmouth.json'], { 'npm.json': NPM_ONLY }), false);
    assert.equal(gaps(result.findings).length, 3);
    assert.ok(result.findings.filter((item) => item.rule.endsWith('/not-checked')).every((item) => item.blocking));
  });

  it('an advisory or KEV feed that recorded no records stops the audit (exit 2)', async () => {
    const path = join(tempDirectory(), 'intel.sqlite');
    const imported = runCli(['db', 'import', '--db', path, intelWith([...ALL, 'kev.json', 'parselmouth.json'])]);
    assert.equal(imported.status, 0, imported.stderr);
    const store = openStore(path);
    store.recordFeed({
      name: 'kev',
      url: 'https://mirror.example/kev.json',
      fetchedAt: new Date().toISOString(),
      count: 0,
      checksum: '0',
    });
    store.close();
    await assert.rejects(
      openIntelForAudit({ db: path, maxAgeMs: 48 * 3_600_000, now: new Date() }),
      (error: Error & { code?: string }) =>
        error.code === 'DB_MISSING' &&
        /feed kev \(https:\/\/mirror\.example\/kev\.json\) imported no records/.test(error.message),
    );
  });

  it('the gate exits 1 on the npm-only store, in every format', () => {
    const dir = tempDirectory();
    copyFileSync(LOCK, join(dir, 'pixi.lock'));
    writeFileSync(join(dir, 'cvebuild.toml'), '[checks.typosquat]\nenabled = false\n');
    const store = join(tempDirectory(), 'intel.sqlite');
    const imported = runCli(['db', 'import', '--db', store, intelWith(['kev.json'], { 'npm.json': NPM_ONLY })]);
    assert.equal(imported.status, 0, imported.stderr);
    for (const format of ['table', 'json', 'sarif', 'markdown', 'html']) {
      const result = runCli(['gate', dir, '--db', store, '--offline', '--format', format]);
      assert.equal(result.status, 1, `${format}: ${result.stdout}${result.stderr}`);
    }
  });
});
