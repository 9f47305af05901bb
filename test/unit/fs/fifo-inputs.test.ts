/**
 * A FIFO named like an input must not hang cvebuild: every reader opens without blocking and
 * refuses what is not a regular file, in one line naming it. The readers run in a child process
 * (fifo-probe.ts), since a blocking open would hang whatever process made it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const PROBE = fileURLToPath(new URL('./fifo-probe.ts', import.meta.url));
const TIMEOUT_MS = 60_000;

function fifos(dir: string, names: string[]): void {
  for (const name of names) execFileSync('mkfifo', [join(dir, name)]);
}

describe('FIFOs named like inputs', () => {
  it('are refused by every reader, never waited on', () => {
    const dir = tempDirectory();
    mkdirSync(join(dir, 'prefix', 'conda-meta'), { recursive: true });
    mkdirSync(join(dir, 'tree', '.git', 'info'), { recursive: true });
    fifos(dir, [
      'x.lock',
      'pixi.toml',
      'prefix/conda-meta/demo-1.0-0.json',
      'policy.toml',
      'osv.json',
      'intel.sqlite',
      'demo-1.0-0.conda',
      'demo-1.0-0.tar.bz2',
      'hash.conda',
      'sign.conda',
      'trusted_root.json',
      'release.pub',
      'app.py',
      'tree/.gitignore',
      'tree/.git/info/exclude',
      'tree/code.py',
    ]);
    const probe = spawnSync(process.execPath, [PROBE, dir], { encoding: 'utf8', timeout: TIMEOUT_MS });
    assert.equal(probe.signal, null, `a reader blocked on a FIFO:\n${probe.stdout}`);
    const outcomes = probe.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; outcome: string });
    assert.equal(outcomes.length, 14, probe.stderr);
    for (const { name, outcome } of outcomes) {
      if (name === 'a tree whose ignore files are FIFOs') {
        assert.equal(outcome, 'ok', name); // ignore files that cannot be read are absent; code.py is not a file
        continue;
      }
      assert.doesNotMatch(outcome, /^BUG/, `${name}: ${outcome}`);
      assert.match(outcome, /not a regular file/, `${name}: ${outcome}`);
    }
  });

  it('make inventory, scan-code and db import exit 2 with one line', () => {
    const dir = tempDirectory();
    fifos(dir, ['pixi.lock', 'app.py', 'osv.json']);
    for (const args of [
      ['inventory', join(dir, 'pixi.lock')],
      ['scan-code', join(dir, 'app.py')],
      ['db', 'import', join(dir, 'osv.json'), '--db', join(dir, 'store.sqlite')],
    ]) {
      const result = runCli(args, { timeoutMs: TIMEOUT_MS });
      assert.equal(result.status, 2, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /^cvebuild: .*: not a regular file[^\n]*\n$/, args[0]);
    }
  });
});
