import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture, projectRoot } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const intel = fixture('audit/intel');
const NOW = ['--now', '2026-11-22T12:00:00Z', '--offline'];

describe('cvebuild gate', () => {
  it('exits 1 on failing findings and prints the stable JSON contract', () => {
    const { status, stdout, stderr } = runCli([
      'gate',
      fixture('audit/project'),
      '--db',
      intel,
      '--format',
      'json',
      ...NOW,
    ]);
    assert.equal(status, 1, stderr);
    const document = JSON.parse(stdout);
    assert.equal(document.schemaVersion, 1);
    assert.deepEqual(Object.keys(document), ['schemaVersion', 'findings', 'summary', 'remediation', 'db']);
    const [first] = document.findings;
    assert.deepEqual(Object.keys(first).slice(0, 12), [
      'check',
      'severity',
      'package',
      'id',
      'aliases',
      'kev',
      'fixed',
      'safeVersion',
      'mappedBy',
      'source',
      'statedBy',
      'score',
    ]);
    assert.deepEqual(Object.keys(first.package), ['ecosystem', 'name', 'version', 'platform', 'environments']);
    assert.equal(document.summary.verdict, 'fail');
    assert.ok(document.db.feeds.length > 0);
  });

  it('exits 0 when nothing fails', () => {
    const { status, stdout } = runCli([
      'gate',
      join(projectRoot, 'examples/ml-service'),
      '--db',
      intel,
      '--checks',
      'vulnerability,malicious',
      ...NOW,
    ]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^PASS$/m);
  });

  it('prints a table folding platforms, with the verdict', () => {
    const { stdout } = runCli(['gate', fixture('audit/project'), '--db', intel, ...NOW]);
    assert.match(stdout, /^CRITICAL\s+malicious\s+litellm 1\.82\.7\s+linux-64,osx-arm64\s+MAL-2026-2144/m);
    assert.match(stdout, /^HIGH\s+vulnerability\s+openssl 3\.0\.7\s+linux-64\s+CVE-2023-0286\s+native\s+3\.0\.8$/m);
    assert.match(stdout, /^FAIL — \d+ reason\(s\):$/m);
  });

  it('runs only the selected checks', () => {
    const { stdout } = runCli([
      'gate',
      fixture('audit/project'),
      '--db',
      intel,
      '--checks',
      'malicious',
      '--format',
      'json',
      ...NOW,
    ]);
    const checks = new Set(JSON.parse(stdout).findings.map((f: { check: string }) => f.check));
    assert.deepEqual([...checks], ['malicious']);
  });
});

describe('cvebuild gate fails closed (exit 2, one line)', () => {
  const expectClosed = (args: string[], ...fragments: string[]) => {
    const { status, stdout, stderr } = runCli(args);
    assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    for (const fragment of fragments)
      assert.ok(stderr.includes(fragment), `"${stderr.trim()}" should mention "${fragment}"`);
  };

  it('without a store', () => {
    expectClosed(
      ['gate', fixture('audit/project'), '--db', join(tempDirectory(), 'none.sqlite')],
      'no threat-intel store',
      'cvebuild db update',
    );
  });

  it('with a corrupt store', () => {
    expectClosed(
      [
        'audit',
        fixture('audit/project'),
        '--db',
        writeTemp('broken.sqlite', 'this is not a database at all '.repeat(200)),
      ],
      'broken.sqlite',
    );
  });

  it('with stale data', () => {
    const store = join(tempDirectory(), 'intel.sqlite');
    const imported = runCli(['db', 'import', intel, '--db', store]);
    assert.equal(imported.status, 0, imported.stderr);
    expectClosed(
      ['gate', fixture('audit/project'), '--db', store, '--now', '2031-01-01T00:00:00Z'],
      'older than 2.0 d',
      'cvebuild db update',
    );
    const relaxed = runCli([
      'gate',
      fixture('audit/project'),
      '--db',
      store,
      '--now',
      '2031-01-01T00:00:00Z',
      '--max-db-age',
      '10y',
    ]);
    assert.equal(relaxed.status, 1, relaxed.stderr);
  });

  it('with a bad --max-db-age or --fail-on', () => {
    expectClosed(['gate', fixture('audit/project'), '--db', intel, '--max-db-age', 'soon'], 'not a duration');
    expectClosed(['gate', fixture('audit/project'), '--db', intel, '--fail-on', 'severe'], 'severe');
  });
});
