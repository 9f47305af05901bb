import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const TOKENS = { CVEBUILD_PROXY_TOKENS: 'alice=0123456789abcdef0123' };

describe('cvebuild proxy', () => {
  it('check validates the bundled example, policy included', () => {
    const result = runCli(['proxy', 'check', '--config', join(projectRoot, 'examples/proxy/proxy.toml')], {
      env: TOKENS,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /valid\n {2}conda conda-forge → https:\/\/conda\.anaconda\.org\/conda-forge\n/);
    assert.match(result.stdout, /policy: .*examples\/proxy\/cvebuild\.toml/);
    assert.match(result.stdout, /admin tokens: 1/);
  });

  it('a bad configuration is one line naming the file and key, exit 2', () => {
    const dir = tempDirectory();
    const file = join(dir, 'proxy.toml');
    writeFileSync(file, '[[conda]]\nname = "cf"\nurl = "https://example.org/cf"\nexclude_newer = "3d"\n');
    for (const command of ['check', 'serve']) {
      const result = runCli(['proxy', command, '--config', file], { env: TOKENS });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /proxy\.toml:4: conda\[0\]\.exclude_newer: unknown key/);
    }
    const missing = runCli(['proxy', 'serve', '--config', join(dir, 'nope.toml')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /nope\.toml/);
  });

  it('refuses admin tokens too short to be secret', () => {
    const result = runCli(['proxy', 'check', '--config', join(projectRoot, 'examples/proxy/proxy.toml')], {
      env: { CVEBUILD_PROXY_TOKENS: 'alice=short' },
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /at least 16 characters/);
  });
});
