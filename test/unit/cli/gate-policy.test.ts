import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { auditProject } from '../../helpers/project.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const intel = fixture('audit/intel');
const NOW = ['--now', '2026-11-22T12:00:00Z', '--offline'];

function project(policy: string | undefined): string {
  return auditProject(policy === undefined ? {} : { 'cvebuild.toml': policy });
}

/** Waivers for everything the vulnerability check finds in the fixture, each by its id. */
const WAIVE_ALL = `
[[waivers]]
id = "GHSA-53q9-r3pm-6pq6"
package = "pytorch"
reason = "torch.load is never called on untrusted files"
by = "alice@example.org"
expires = 2026-12-31

[[waivers]]
id = "CVE-2023-0286"
reason = "no X.400 names in our certificates"
expires = 2026-12-31

[[waivers]]
id = "GHSA-j7hp-h8jx-5ppr"
package = "pillow@10.0.0"
reason = "only trusted images"
expires = 2026-12-01
`;

describe('cvebuild gate with a policy', () => {
  it('exits 0 when every blocking finding is waived, and shows the waivers', () => {
    const dir = project(WAIVE_ALL);
    const { status, stdout, stderr } = runCli(['gate', dir, '--db', intel, '--checks', 'vulnerability', ...NOW]);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, new RegExp(`^policy: ${join(dir, 'cvebuild.toml')}`, 'm'));
    assert.match(stdout, /^waived \(3\):$/m);
    assert.match(stdout, /pytorch 2\.5\.1\s+GHSA-53q9-r3pm-6pq6\s+2026-12-31\s+alice@example\.org\s+torch\.load/);
    assert.match(stdout, /^PASS$/m);
  });

  it('exits 1 when a waiver has expired, naming it', () => {
    const dir = project(WAIVE_ALL);
    const { status, stdout } = runCli([
      'gate',
      dir,
      '--db',
      intel,
      '--checks',
      'vulnerability',
      '--now',
      '2026-12-15T00:00:00Z',
      '--offline',
      '--max-db-age',
      '1y',
    ]);
    assert.equal(status, 1, stdout);
    assert.match(
      stdout,
      /waiver for GHSA-j7hp-h8jx-5ppr in pillow@10\.0\.0 \(.*cvebuild\.toml:14\) expired on 2026-12-01/,
    );
    assert.match(
      stdout,
      /^ {2}Pillow 10\.0\.0: 1 high advisory \(GHSA-j7hp-h8jx-5ppr, known exploited\) on linux-64; /m,
    );
  });

  it('warns about a waiver that matches nothing, without failing', () => {
    const dir = project(`${WAIVE_ALL}\n[[waivers]]\nid = "CVE-1999-0001"\nreason = "old"\nexpires = 2027-01-01\n`);
    const { status, stdout } = runCli(['gate', dir, '--db', intel, '--checks', 'vulnerability', ...NOW]);
    assert.equal(status, 0, stdout);
    assert.match(stdout, /^warning: waiver for CVE-1999-0001 \(.*cvebuild\.toml:20\) matches no finding; remove it$/m);
  });

  it('runs only the checks the policy enables', () => {
    const dir = project('[checks.typosquat]\nenabled = false\n[checks.cooldown]\nenabled = false\n');
    const { stdout } = runCli(['gate', dir, '--db', intel, '--format', 'json', ...NOW]);
    const ids = JSON.parse(stdout).summary.checks.map((check: { id: string }) => check.id);
    assert.ok(!ids.includes('typosquat') && !ids.includes('cooldown') && ids.includes('malicious'), ids.join());
  });

  it('lets flags override the policy threshold', () => {
    const dir = project(`fail-on = "critical"\n${WAIVE_ALL.replace('id = "CVE-2023-0286"', 'id = "CVE-0000-0000"')}`);
    const lenient = runCli(['gate', dir, '--db', intel, '--checks', 'vulnerability', ...NOW]);
    assert.equal(lenient.status, 0, lenient.stdout);
    const strict = runCli(['gate', dir, '--db', intel, '--checks', 'vulnerability', '--fail-on', 'high', ...NOW]);
    assert.equal(strict.status, 1, strict.stdout);
    assert.match(
      strict.stdout,
      /^ {2}openssl 3\.0\.7: 1 high advisory \(CVE-2023-0286\) on linux-64; 3\.0\.8 clears it$/m,
    );
  });

  it('audit reports the same verdict but exits 0', () => {
    const dir = project(undefined);
    const gate = runCli(['gate', dir, '--db', intel, ...NOW]);
    const audit = runCli(['audit', dir, '--db', intel, ...NOW]);
    assert.equal(gate.status, 1);
    assert.equal(audit.status, 0, audit.stderr);
    assert.equal(audit.stdout, gate.stdout);
  });

  it('writes extra reports with --output, format from the name or FORMAT=FILE', () => {
    const dir = project(undefined);
    const out = tempDirectory();
    const { status, stderr } = runCli([
      'gate',
      dir,
      '--db',
      intel,
      '--output',
      join(out, 'report.json'),
      `json=${join(out, 'report.data')}`,
      ...NOW,
    ]);
    assert.equal(status, 1, stderr);
    const named = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.equal(named.summary.verdict, 'fail');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'report.data'), 'utf8')), named);
  });
});

describe('cvebuild gate with a bad policy (exit 2, one line naming the key)', () => {
  const expectBad = (policy: string, ...fragments: string[]) => {
    const { status, stdout, stderr } = runCli(['gate', project(policy), '--db', intel, ...NOW]);
    assert.equal(status, 2, stderr);
    assert.equal(stdout, '');
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    for (const fragment of fragments)
      assert.ok(stderr.includes(fragment), `"${stderr.trim()}" should mention "${fragment}"`);
  };

  it('an unknown key', () => expectBad('fail-on = "high"\nmax-age = "2d"\n', 'cvebuild.toml:2: max-age: unknown key'));
  it('a wrong type', () =>
    expectBad(
      '[checks.vulnerability]\nenabled = "yes"\n',
      'cvebuild.toml:2: checks.vulnerability.enabled: expected boolean',
    ));
  it('malformed TOML', () => expectBad('[[waivers]\nid = "x"\n', 'cvebuild.toml:1: TOML syntax error'));
  it('an unknown output format', () => {
    const { status, stderr } = runCli(['gate', project(undefined), '--db', intel, '--output', 'report.xyz', ...NOW]);
    assert.equal(status, 2);
    assert.match(stderr, /--output report\.xyz: cannot tell the format/);
  });
});
