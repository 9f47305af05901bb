/**
 * Input/output failures are the environment's, not bugs: one line naming the path and the reason,
 * exit 2. A report that could not be written to standard output is not a pass.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reportError } from '../../../src/cli/main.ts';
import { fixture } from '../../helpers/paths.ts';
import { syntheticLock } from '../../helpers/synthetic-lock.ts';

const BIN = fileURLToPath(new URL('../../../bin/cvebuild.js', import.meta.url));
const PASSING_GATE = ['gate', fixture('audit/project'), '--db', fixture('audit/intel'), '--checks', 'vulnerability'];

function reported(error: unknown): { line: string; exitCode: number } {
  let line = '';
  const exitCode = reportError(error, (text) => {
    line += text;
  });
  return { line, exitCode };
}

const systemError = (code: string, errno: number, syscall: string, path?: string) =>
  Object.assign(new Error(`${code}: ${syscall}`), { code, errno, syscall, ...(path ? { path } : {}) });

describe('I/O errors', () => {
  it('a system error nothing wrapped is one line naming the path, not an internal error', () => {
    let real: unknown;
    try {
      readdirSync('/nonexistent/cvebuild-test');
    } catch (error) {
      real = error;
    }
    assert.deepEqual(reported(real), {
      line: 'cvebuild: /nonexistent/cvebuild-test: scandir: no such file or directory (ENOENT)\n',
      exitCode: 2,
    });
    for (const [code, errno, words] of [
      ['EACCES', -13, 'permission denied'],
      ['EISDIR', -21, 'illegal operation on a directory'],
      ['ENOSPC', -28, 'no space left on device'],
      ['EROFS', -30, 'read-only file system'],
    ] as const) {
      assert.deepEqual(reported(systemError(code, errno, 'open', '/srv/x')), {
        line: `cvebuild: /srv/x: open: ${words} (${code})\n`,
        exitCode: 2,
      });
    }
    assert.equal(reported(systemError('EIO', -5, 'write')).line, 'cvebuild: write: i/o error (EIO)\n');
  });

  it('only a real bug is an internal error', () => {
    const { line, exitCode } = reported(new TypeError("Cannot read properties of undefined (reading 'x')"));
    assert.match(line, /^cvebuild: internal error: Cannot read properties/);
    assert.equal(exitCode, 2);
  });

  it('a passing run whose report cannot be written to standard output exits 2 with one line', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [PASSING_GATE, ['inventory', fixture('audit/project')], ['--help']]) {
        const result = spawnSync(process.execPath, [BIN, ...args], {
          stdio: ['ignore', full, 'pipe'],
          encoding: 'utf8',
        });
        assert.equal(result.status, 2, `${args[0]}: ${result.stderr}`);
        assert.equal(result.stderr, 'cvebuild: standard output: cannot write: no space left on device (ENOSPC)\n');
      }
    } finally {
      closeSync(full);
    }
  });

  it('a reader that closes the pipe early gets no message, but the run is not a pass', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      ecosystem: 'conda' as const,
      name: `pkg${i}`,
      version: '1.0',
    }));
    const child = spawn(process.execPath, [BIN, 'sbom', syntheticLock(many)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 2);
    assert.equal(stderr, '');
  });
});
