// The file (Python nested 600 levels deep) aborted the process inside tree-sitter (exit 134)
// in scan-code and gate. It is now a sast/not-scanned finding, the secrets check still reads it, and
// a file at every limit the pre-check allows at once goes through the real parser. Each case runs
// the CLI in a child process, so an abort would show as its exit status.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NESTING_LIMITS } from '../../../src/sast/python-nesting.ts';
import { PYTHON_NESTING } from '../../helpers/bombs.ts';
import { runCli } from '../../helpers/cli.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const TOKEN = new FakeSecrets(511).githubClassic();

function project(files: Record<string, string>): string {
  const root = tempDirectory();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

interface JsonFinding {
  check: string;
  id: string;
  message: string;
  code: { path: string | null };
}

function findings(stdout: string): JsonFinding[] {
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;
}

describe('a Python file nested past the parser', () => {
  const root = project({
    'deep.py': PYTHON_NESTING.indent(600, `TOKEN = "${TOKEN}"`),
    'run.py': 'import subprocess\nsubprocess.call(cmd, shell=True)\n',
    'pixi.lock': 'version: 6\nenvironments: {}\npackages: []\n',
  });

  for (const command of ['scan-code', 'gate'] as const) {
    it(`${command}: a not-scanned finding for it, the other file scanned, its secret found`, () => {
      const args = command === 'gate' ? ['gate', root, '--checks', 'sast,secrets'] : ['scan-code', root];
      const result = runCli([...args, '--format', 'json']);
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stderr, '');
      const all = findings(result.stdout);
      const notScanned = all.find((finding) => finding.id === 'sast/not-scanned');
      assert.match(
        notScanned?.message ?? '',
        /^1 file\(s\) indented 320 columns or more .* not scanned for SAST: deep\.py$/,
      );
      assert.ok(all.some((finding) => finding.id === 'subprocess-shell-true'));
      assert.ok(
        all.some((finding) => finding.check === 'secrets' && finding.code.path === 'deep.py'),
        JSON.stringify(all.map((finding) => `${finding.check} ${finding.id} ${finding.code.path}`)),
      );
    });
  }
});

describe('a file at every limit the pre-check allows goes through the parser', () => {
  it('100 indentation levels, 150 strings nested at the bottom, 200 brackets, a 1000-deep chain', () => {
    const levels = NESTING_LIMITS.indentLevels - 1;
    const strings = NESTING_LIMITS.strings;
    const body = `x = ${'f"{'.repeat(strings)}1${'}"'.repeat(strings)}`;
    const root = project({
      'limits.py': [
        PYTHON_NESTING.indent(levels, body),
        PYTHON_NESTING.parentheses(NESTING_LIMITS.brackets),
        PYTHON_NESTING.sum(NESTING_LIMITS.chain - 2),
        'eval(x)\n',
      ].join(''),
    });
    const result = runCli(['scan-code', root, '--checks', 'sast', '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const all = findings(result.stdout);
    assert.deepEqual(
      all.map((finding) => finding.id),
      ['eval'],
    );
  });
});
