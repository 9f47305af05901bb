import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadPolicy } from '../../../src/policy/load.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { auditProject } from '../../helpers/project.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const project = auditProject;

const FULL = `
fail-on = "medium"
fail-on-kev = false
max-db-age = "7d"

[checks.typosquat]
allow = ["reqeusts"]
severity = "low"

[checks.cooldown]
exclude-newer = "14d"
unknown-timestamp = "ignore"

[checks.link-scripts]
enabled = false
package-dirs = ["pkgs"]

[checks.vulnerability.rules]
"CVE-2023-0286" = "critical"

[sources]
channels = ["conda-forge"]
indexes = ["https://pypi.org/simple"]
private = ["https://repo.example.org/"]
private-names = ["acme-core"]

[[attestations.require]]
channel = "https://repo.example.org/acme"
publishers = [{ identity-regexp = "^https://github.com/acme/", issuer = "https://token.actions.githubusercontent.com" }]

[[waivers]]
id = "CVE-2023-0286"
package = "openssl@3.0.7"
reason = "not reachable: we never parse X.400 addresses"
by = "alice@example.org"
expires = 2026-12-31

[[waivers]]
package = "pillow"
reason = "image code runs in a sandbox"
expires = "2027-01-15"
`;

describe('policy loading', () => {
  it('has safe defaults when the project has no policy', () => {
    const policy = loadPolicy(project({}));
    assert.equal(policy.source, null);
    assert.equal(policy.failOn, 'high');
    assert.equal(policy.failOnMalicious, true);
    assert.equal(policy.failOnKev, true);
    assert.equal(policy.failOnUnchecked, true);
    assert.deepEqual(policy.waivers, []);
  });

  it('reads every key of cvebuild.toml into the policy and the check settings', () => {
    const dir = project({ 'cvebuild.toml': FULL });
    const policy = loadPolicy(dir);
    assert.equal(policy.source, join(dir, 'cvebuild.toml'));
    assert.equal(policy.failOn, 'medium');
    assert.equal(policy.failOnKev, false);
    assert.equal(policy.maxDbAgeMs, 7 * 86_400_000);
    assert.deepEqual(policy.checks.get('typosquat'), { enabled: true, severity: 'low', rules: new Map() });
    assert.equal(policy.checks.get('link-scripts')?.enabled, false);
    assert.deepEqual(policy.checks.get('vulnerability')?.rules, new Map([['CVE-2023-0286', 'critical']]));
    assert.deepEqual(policy.settings.typosquatAllow, ['reqeusts']);
    assert.equal(policy.settings.cooldown, '14d');
    assert.equal(policy.settings.cooldownUnknownTimestamp, 'ignore');
    assert.deepEqual(policy.settings.packageDirs, [join(dir, 'pkgs')]);
    assert.deepEqual(policy.settings.trustedChannels, ['conda-forge']);
    assert.deepEqual(policy.settings.privateNames, ['acme-core']);
    assert.deepEqual(policy.settings.attestationRequirements[0]?.publishers, [
      {
        identity: undefined,
        identityRegexp: '^https://github.com/acme/',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    ]);
    assert.equal(policy.waivers.length, 2);
    assert.deepEqual(policy.waivers[0], {
      id: 'CVE-2023-0286',
      package: 'openssl@3.0.7',
      check: undefined,
      reason: 'not reachable: we never parse X.400 addresses',
      by: 'alice@example.org',
      expires: '2026-12-31',
      origin: { file: join(dir, 'cvebuild.toml'), line: 31 },
    });
    assert.equal(policy.waivers[1]?.expires, '2027-01-15');
    assert.equal(policy.waivers[1]?.origin.line, 38);
  });

  it('reads [tool.cvebuild] from pyproject.toml and from pixi.toml', () => {
    const table =
      '[tool.cvebuild]\nfail-on = "critical"\n\n[[tool.cvebuild.waivers]]\nid = "X-1"\nreason = "r"\nexpires = 2030-01-01\n';
    const pyproject = project({ 'pyproject.toml': `[project]\nname = "demo"\n\n${table}` });
    const fromPyproject = loadPolicy(pyproject);
    assert.equal(fromPyproject.failOn, 'critical');
    assert.equal(fromPyproject.waivers[0]?.origin.line, 7);
    const pixi = project({
      'pixi.toml': `[workspace]\nname = "demo"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n${table}`,
    });
    assert.equal(loadPolicy(pixi).source, join(pixi, 'pixi.toml'));
    const noTable = project({ 'pyproject.toml': '[project]\nname = "demo"\n[tool.ruff]\nline-length = 100\n' });
    assert.equal(loadPolicy(noTable).source, null);
  });

  it('finds the policy beside an input file, and takes --policy over discovery', () => {
    const dir = project({ 'cvebuild.toml': 'fail-on = "low"\n' });
    assert.equal(loadPolicy(join(dir, 'pixi.lock')).failOn, 'low');
    const other = join(tempDirectory(), 'strict.toml');
    writeFileSync(other, 'fail-on = "critical"\n');
    assert.equal(loadPolicy(dir, other).failOn, 'critical');
  });

  it('refuses two policies for one project', () => {
    const dir = project({
      'cvebuild.toml': 'fail-on = "low"\n',
      'pyproject.toml': '[tool.cvebuild]\nfail-on = "critical"\n',
    });
    assertCvebuildError(() => loadPolicy(dir), 'USAGE', 'two policies', 'cvebuild.toml', 'pyproject.toml');
  });

  it('names the key path and line of an unknown key', () => {
    const dir = project({ 'cvebuild.toml': 'fail-on = "high"\n\n[checks.typosquat]\nallow = []\nalow = ["x"]\n' });
    assertCvebuildError(
      () => loadPolicy(dir),
      'MANIFEST_INVALID',
      'cvebuild.toml:5',
      'checks.typosquat.alow',
      'unknown key',
    );
    const top = project({ 'cvebuild.toml': 'fial-on = "high"\n' });
    assertCvebuildError(() => loadPolicy(top), 'MANIFEST_INVALID', 'cvebuild.toml:1', 'fial-on', 'unknown key');
    const check = project({ 'cvebuild.toml': '[checks.typosqat]\nenabled = false\n' });
    assertCvebuildError(() => loadPolicy(check), 'MANIFEST_INVALID', 'checks.typosqat', 'unknown key');
  });

  it('names the key path and line of a wrong type or value', () => {
    const type = project({ 'cvebuild.toml': '\n[checks.typosquat]\nallow = "requests"\n' });
    assertCvebuildError(
      () => loadPolicy(type),
      'MANIFEST_INVALID',
      'cvebuild.toml:3',
      'checks.typosquat.allow',
      'expected array',
      'got a string',
    );
    const value = project({ 'cvebuild.toml': 'fail-on = "severe"\n' });
    assertCvebuildError(() => loadPolicy(value), 'MANIFEST_INVALID', 'fail-on', 'expected one of', '"critical"');
    const duration = project({ 'cvebuild.toml': 'max-db-age = "two days"\n' });
    assertCvebuildError(() => loadPolicy(duration), 'MANIFEST_INVALID', 'max-db-age', 'not a duration');
    const cutoff = project({ 'cvebuild.toml': '[checks.cooldown]\nexclude-newer = "soon"\n' });
    assertCvebuildError(
      () => loadPolicy(cutoff),
      'MANIFEST_INVALID',
      'cvebuild.toml:2',
      'checks.cooldown.exclude-newer',
    );
  });

  it('names the waiver entry of a bad waiver', () => {
    const text =
      '[[waivers]]\nid = "A"\nreason = "r"\nexpires = 2030-01-01\n\n[[waivers]]\nid = "B"\nreason = "r"\nexpires = "next year"\n';
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': text })),
      'MANIFEST_INVALID',
      'cvebuild.toml:9',
      'waivers[1].expires',
      'date',
    );
    const noReason = '[[waivers]]\nid = "A"\nexpires = 2030-01-01\n';
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': noReason })),
      'MANIFEST_INVALID',
      'cvebuild.toml:1',
      'waivers[0].reason',
    );
    const nothing = '[[waivers]]\nreason = "r"\nexpires = 2030-01-01\n';
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': nothing })),
      'MANIFEST_INVALID',
      'waivers[0]',
      'names an id, a package',
    );
    const publisher = '[[attestations.require]]\nchannel = "c"\npublishers = [{ issuer = "https://issuer" }]\n';
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': publisher })),
      'MANIFEST_INVALID',
      'attestations.require[0].publishers[0]',
      'identity',
    );
  });

  it('refuses days that do not exist and units that are not units, quoted or not', () => {
    const waiver = (expires: string) => `[[waivers]]\nid = "A"\nreason = "r"\nexpires = ${expires}\n`;
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': waiver('"2026-02-31"') })),
      'MANIFEST_INVALID',
      'cvebuild.toml:4',
      'waivers[0].expires',
      'expected a date',
    );
    // smol-toml would read the bare literal as 3 March
    assertCvebuildError(
      () => loadPolicy(project({ 'cvebuild.toml': waiver('2026-02-31') })),
      'TOML_SYNTAX',
      'cvebuild.toml:4',
      '2026-02-31 is not a date',
    );
    for (const age of ['1constructor', '1__proto__', '2toString']) {
      assertCvebuildError(
        () => loadPolicy(project({ 'cvebuild.toml': `max-db-age = "${age}"\n` })),
        'MANIFEST_INVALID',
        'max-db-age',
        'not a duration',
      );
    }
  });

  it('reports malformed TOML with its line', () => {
    const dir = project({ 'cvebuild.toml': 'fail-on = "high"\n[checks\n' });
    assertCvebuildError(() => loadPolicy(dir), 'TOML_SYNTAX', 'cvebuild.toml:2', 'TOML syntax error');
  });

  it('reports a missing --policy file', () => {
    assertCvebuildError(
      () => loadPolicy(project({}), join(tempDirectory(), 'nope.toml')),
      'INPUT_NOT_FOUND',
      'nope.toml',
    );
  });
});
