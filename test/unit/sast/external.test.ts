import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import type { CodeFile, CodeHit } from '../../../src/code/types.ts';
import { mergeHits, parseBanditJson, parseSemgrepJson, runExternal } from '../../../src/sast/external.ts';
import { scanPython } from '../../../src/sast/python.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

let hasBandit = true;
try {
  execFileSync('bandit', ['--version'], { stdio: 'ignore' });
} catch {
  hasBandit = false;
}

const files = (root: string, ...paths: string[]): CodeFile[] =>
  paths.map((path) => ({ path, absolute: `${root}/${path}`, size: 1 }));

describe('Bandit adapter', () => {
  it('parses 1.6.2 JSON (no issue_cwe): CWE from our rule of the family, file relative, snippet', () => {
    const json = JSON.stringify({
      errors: [],
      results: [
        {
          code: '3 import subprocess\n4 subprocess.call(cmd,\n5                 shell=True)\n',
          filename: '/repo/pkg/run.py',
          issue_confidence: 'HIGH',
          issue_severity: 'HIGH',
          issue_text: 'subprocess call with shell=True identified, security issue.',
          line_number: 5,
          line_range: [4, 5],
          more_info: 'https://bandit.readthedocs.io/',
          test_id: 'B602',
          test_name: 'subprocess_popen_with_shell_equals_true',
        },
        {
          filename: '/repo/pkg/run.py',
          issue_confidence: 'MEDIUM',
          issue_severity: 'LOW',
          issue_text: 'x',
          issue_cwe: { id: 330, link: 'https://cwe.mitre.org/data/definitions/330.html' },
          line_number: 9,
          col_offset: 4,
          test_id: 'B999',
        },
      ],
    });
    const [shell, other] = parseBanditJson(json, '/repo', files('/repo', 'pkg/run.py'));
    assert.equal(shell?.rule, 'bandit.B602');
    assert.equal(shell?.engine, 'bandit');
    assert.equal(shell?.file, 'pkg/run.py');
    assert.equal(shell?.cwe, 'CWE-78');
    assert.equal(shell?.severity, 'high');
    assert.equal(shell?.line, 5);
    assert.equal(shell?.snippet, 'shell=True)');
    assert.equal(other?.cwe, 'CWE-330');
    assert.equal(other?.column, 5);
    assert.equal(other?.confidence, 'medium');
  });

  it('rejects output without results', () => {
    assert.throws(() => parseBanditJson('{"errors": []}', '/r', []), /results/);
  });

  it('runs the real bandit on a fixture (skipped without bandit)', {
    skip: !hasBandit && 'bandit not on PATH',
  }, async () => {
    const path = writeTemp('proj/app.py', 'import subprocess\nsubprocess.call(cmd, shell=True)\neval(x)\n');
    const root = dirname(path);
    const result = await runExternal('bandit', root, [{ path: 'app.py', absolute: path, size: 1 }]);
    assert.ok('hits' in result, 'error' in result ? result.error : '');
    const ids = result.hits.map((h) => `${h.line}:${h.rule}:${h.cwe}`);
    assert.ok(ids.includes('2:bandit.B602:CWE-78'), ids.join(', '));
    assert.ok(ids.includes('3:bandit.B307:CWE-95'), ids.join(', '));
    assert.ok(result.hits.every((h) => h.file === 'app.py'));
  });

  it('not on PATH is an error, not a throw', async () => {
    const result = await runExternal('semgrep', tempDirectory(), files('/x', 'a.py'), { path: '/nonexistent' });
    assert.deepEqual(result, { error: 'semgrep is not on PATH' });
  });
});

describe('Semgrep adapter', () => {
  it('parses the documented JSON: check_id, positions, severity, CWE and OWASP metadata', () => {
    const json = JSON.stringify({
      version: '1.90.0',
      errors: [],
      results: [
        {
          check_id: 'python.lang.security.audit.subprocess-shell-true.subprocess-shell-true',
          path: 'pkg/run.py',
          start: { line: 4, col: 1, offset: 30 },
          end: { line: 5, col: 28, offset: 70 },
          extra: {
            message: 'Found subprocess function with shell=True.\nMore text.',
            severity: 'ERROR',
            lines: 'subprocess.call(cmd,\n    shell=True)',
            metadata: {
              cwe: [
                "CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
              ],
              owasp: ['A01:2017 - Injection', 'A03:2021 - Injection'],
              confidence: 'MEDIUM',
            },
          },
        },
      ],
    });
    const [hit] = parseSemgrepJson(json, '/repo', []);
    assert.equal(hit?.rule, 'semgrep.python.lang.security.audit.subprocess-shell-true.subprocess-shell-true');
    assert.equal(hit?.engine, 'semgrep');
    assert.equal(hit?.cwe, 'CWE-78');
    assert.equal(hit?.owasp, 'A03:2021-Injection', 'the 2021 entry, not the 2017 one');
    assert.equal(hit?.severity, 'high');
    assert.equal(hit?.confidence, 'medium');
    assert.deepEqual([hit?.file, hit?.line, hit?.column, hit?.endLine, hit?.endColumn], ['pkg/run.py', 4, 1, 5, 28]);
    assert.equal(hit?.message, 'Found subprocess function with shell=True.');
    assert.equal(hit?.snippet, 'subprocess.call(cmd,');
  });
});

describe('mergeHits', () => {
  const base = { message: 'm', severity: 'high', confidence: 'high', column: 1, endColumn: 2 } as const;
  const ours: CodeHit = {
    ...base,
    engine: 'cvebuild',
    rule: 'subprocess-shell-true',
    cwe: 'CWE-78',
    file: 'a.py',
    line: 4,
    endLine: 6,
  };
  it('drops their duplicate (same file, CWE, line within ours) and records it; keeps the rest', () => {
    const dup: CodeHit = {
      ...base,
      engine: 'bandit',
      rule: 'bandit.B602',
      cwe: 'CWE-78',
      file: 'a.py',
      line: 5,
      endLine: 5,
    };
    const otherCwe: CodeHit = {
      ...base,
      engine: 'bandit',
      rule: 'bandit.B101',
      cwe: 'CWE-703',
      file: 'a.py',
      line: 5,
      endLine: 5,
    };
    const otherLine: CodeHit = { ...dup, line: 9, endLine: 9 };
    const merged = mergeHits([ours], [dup, otherCwe, otherLine]);
    assert.deepEqual(
      merged.map((h) => [h.engine, h.rule, h.line]),
      [
        ['cvebuild', 'subprocess-shell-true', 4],
        ['bandit', 'bandit.B101', 5],
        ['bandit', 'bandit.B602', 9],
      ],
    );
    assert.deepEqual(merged[0]?.extra, { alsoReportedBy: ['bandit.B602'] });
    assert.equal(ours.extra, undefined, 'inputs are not modified');
  });

  it('our scan and real bandit on the same file merge to our hits only (skipped without bandit)', {
    skip: !hasBandit && 'bandit not on PATH',
  }, async () => {
    const path = writeTemp('merge/m.py', 'import pickle\npickle.loads(b)\nimport os\nos.system(c)\n');
    const codeFiles = [{ path: 'm.py', absolute: path, size: 1 }];
    const { hits } = await scanPython(codeFiles);
    const theirs = await runExternal('bandit', dirname(path), codeFiles);
    assert.ok('hits' in theirs);
    const merged = mergeHits(
      hits,
      theirs.hits.filter((h) => h.bandit !== 'B403' && h.bandit !== 'B404'),
    );
    assert.deepEqual(
      merged.map((h) => [h.engine, h.rule, h.extra?.alsoReportedBy]),
      [
        ['cvebuild', 'pickle-load', ['bandit.B301']],
        ['cvebuild', 'os-shell-call', ['bandit.B605']],
      ],
    );
  });
});
