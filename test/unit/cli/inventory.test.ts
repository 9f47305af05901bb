import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture, projectRoot } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const example = join(projectRoot, 'examples/ml-service');

describe('cvebuild inventory', () => {
  it('prints the bundled example as JSON with the stable schema', () => {
    const { status, stdout, stderr } = runCli(['inventory', example, '--format', 'json']);
    assert.equal(status, 0, stderr);
    const document = JSON.parse(stdout);
    assert.equal(document.schemaVersion, 1);
    assert.deepEqual(
      document.sources.map((s: { format: string }) => s.format),
      ['pixi-lock', 'pixi-manifest'],
    );
    assert.deepEqual(Object.keys(document.packages[0]), [
      'ecosystem',
      'name',
      'version',
      'build',
      'platform',
      'environments',
      'channel',
      'index',
      'url',
      'sha256',
      'timestamp',
      'purls',
      'kind',
    ]);
    const openssl = document.packages.find((p: { name: string }) => p.name === 'openssl');
    assert.deepEqual(openssl.environments, ['default', 'minimal']);
    assert.equal(openssl.platform, 'linux-64');
    assert.equal(openssl.channel, 'https://conda.anaconda.org/conda-forge');
    assert.match(openssl.sha256, /^[0-9a-f]{64}$/);
    const requests = document.packages.find((p: { name: string }) => p.name === 'requests');
    assert.deepEqual(requests.environments, ['default']);
    assert.equal(requests.index, 'https://pypi.org/simple');
    assert.equal(requests.ecosystem, 'pypi');
    assert.equal(document.packages.length, 26);
  });

  it('is deterministic', () => {
    const first = runCli(['inventory', example, '--format', 'json']).stdout;
    assert.equal(runCli(['inventory', example, '--format', 'json']).stdout, first);
  });

  it('filters by environment and platform', () => {
    const minimal = JSON.parse(runCli(['inventory', example, '--env', 'minimal', '--format', 'json']).stdout);
    assert.equal(minimal.packages.length, 21);
    assert.ok(
      minimal.packages.every(
        (p: { ecosystem: string; environments: string[] }) =>
          p.ecosystem === 'conda' && p.environments.join() === 'minimal',
      ),
    );
    const named = JSON.parse(
      runCli(['inventory', fixture('pixi-lock/v7-named-platforms.lock'), '--platform', 'win-64', '--format', 'json'])
        .stdout,
    );
    assert.deepEqual(
      named.packages.map((p: { name: string }) => p.name),
      ['cmake', 'mytool', 'tzdata'],
    );
  });

  it('prints a table for people', () => {
    const { status, stdout } = runCli(['inventory', example]);
    assert.equal(status, 0);
    assert.match(stdout, /^read .*pixi\.lock \(pixi-lock v6\) — 21 conda, 5 pypi record\(s\)$/m);
    assert.match(stdout, /^environment default: linux-64: 26$/m);
    assert.match(
      stdout,
      /^conda\s+openssl\s+3\.3\.1\s+hb9d3cd8_3\s+linux-64\s+registry\s+default,minimal\s+https:\/\/conda\.anaconda\.org\/conda-forge$/m,
    );
    assert.match(stdout, /^26 packages \(artifact × platform\) in 2 environment\(s\)$/m);
  });

  it('masks credentials in index URLs', () => {
    const dir = tempDirectory();
    const lock = writeTemp(
      'secret/pixi.lock',
      'version: 6\nenvironments:\n  default:\n    channels: []\n    indexes:\n    - https://user:hunter2@pypi.internal.example/simple\n    packages:\n      linux-64:\n      - pypi: https://user:hunter2@pypi.internal.example/files/a-1.0-py3-none-any.whl\npackages:\n- pypi: https://user:hunter2@pypi.internal.example/files/a-1.0-py3-none-any.whl\n  name: a\n  version: 1.0\n',
    );
    const output = runCli(['inventory', lock, '--format', 'json']).stdout + runCli(['inventory', lock]).stdout;
    assert.ok(dir);
    assert.ok(!output.includes('hunter2'), output);
    // The user name is masked too: it can be a token.
    assert.match(output, /\*\*\*:\*\*\*@pypi\.internal\.example/);
    assert.doesNotMatch(output, /user:/);
  });
});

describe('cvebuild inventory with bad input: one line, exit 2, no stack trace', () => {
  const expectFailure = (args: string[], ...fragments: (string | RegExp)[]) => {
    const { status, stdout, stderr } = runCli(args);
    assert.equal(status, 2, `exit code for ${args.join(' ')}: ${stderr}`);
    assert.equal(stdout, '');
    const lines = stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line: ${stderr}`);
    assert.doesNotMatch(stderr, /\n\s+at |Error:|node:internal/);
    for (const fragment of fragments) {
      if (typeof fragment === 'string')
        assert.ok(stderr.includes(fragment), `"${stderr.trim()}" should mention "${fragment}"`);
      else assert.match(stderr, fragment);
    }
  };

  it('a missing path', () => expectFailure(['inventory', '/no/such/pixi.lock'], '/no/such/pixi.lock', 'no such file'));

  it('truncated YAML', () => {
    const path = writeTemp(
      'pixi.lock',
      'version: 6\nenvironments:\n  default:\n    channels: [\n      - url: https://conda.anaconda.org/conda-forge/\n',
    );
    expectFailure(['inventory', path], `${path}:`, 'YAML syntax error');
  });

  it('a YAML alias bomb', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) {
      const name = String.fromCharCode(97 + i);
      const previous = String.fromCharCode(96 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    expectFailure(['inventory', writeTemp('environment.yml', `${levels.join('\n')}\ndependencies: *l\n`)], 'alias');
    expectFailure(
      ['inventory', writeTemp('pixi.lock', `version: 6\n${levels.join('\n')}\n`)],
      'aliases are not allowed',
    );
  });

  it('a 200 MB file is refused before it is read', () => {
    const path = writeTemp('pixi.lock', '');
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 200 * 1024 * 1024);
    closeSync(fd);
    expectFailure(['inventory', path], path, '200.0 MiB', 'limit');
  });

  it('binary garbage', () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expectFailure(['inventory', writeTemp('pixi.lock', bytes)], 'binary data');
  });

  it('wrong field types', () => {
    const path = writeTemp(
      'pixi.lock',
      'version: 6\nenvironments: {}\npackages:\n- conda: https://c.org/x/linux-64/a-1-0.conda\n  timestamp: [1, 2]\n',
    );
    expectFailure(['inventory', path], `${path}:4: packages[0].timestamp: expected an integer`);
  });

  it('a newer lock format', () => {
    expectFailure(
      ['inventory', writeTemp('pixi.lock', 'version: 1000\nenvironments: {}\npackages: []\n')],
      'version 1000 is newer',
    );
  });

  it('a directory without project files', () =>
    expectFailure(['inventory', tempDirectory()], 'no project files found'));

  it('an unknown environment', () =>
    expectFailure(
      ['inventory', join(projectRoot, 'examples/ml-service'), '--env', 'nope'],
      'no environment named "nope"',
      'default, minimal',
    ));

  it('an unknown option or format', () => {
    expectFailure(['inventory', '--bogus'], "unknown option '--bogus'");
    expectFailure(['inventory', '--format', 'xml'], 'xml', 'table, json');
  });

  it('help exits 0', () => {
    const { status, stdout } = runCli(['inventory', '--help']);
    assert.equal(status, 0);
    assert.match(stdout, /--format <format>/);
  });
});
