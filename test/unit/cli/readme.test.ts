/**
 * The README shows what its commands print; these tests run them from the repository root and
 * compare, so the README stays true.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The first fenced block after `marker` in the README. */
function blockAfter(marker: string): string {
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `README has no ${JSON.stringify(marker)}`);
  const open = README.indexOf('```\n', at);
  const close = README.indexOf('\n```', open + 4);
  return README.slice(open + 4, close + 1);
}

describe('README outputs', () => {
  it('the main command: the litellm example fails the gate with exit 1, as printed', () => {
    const result = runCli(['gate', 'examples/litellm-compromise', '--db', 'examples/litellm-compromise/intel'], {
      cwd: ROOT,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, blockAfter('The\ngate fails with exit code 1:'));
  });

  it('scan-code on examples/code-scan: exit 1, as printed', () => {
    const result = runCli(['scan-code', 'examples/code-scan'], { cwd: ROOT });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, blockAfter('`npx cvebuild scan-code examples/code-scan` exits 1 and prints:'));
  });
});
