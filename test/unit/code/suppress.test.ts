import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSuppression, type SuppressibleHit } from '../../../src/code/suppress.ts';

const hit: SuppressibleHit = { line: 2, rule: 'subprocess-shell-true', bandit: 'B602' };
const at = (lines: string[], family: 'sast' | 'secrets' = 'sast', h = hit) => findSuppression(lines, h, family);

describe('inline suppressions', () => {
  it('accepts our marker on the line, for every rule or the listed ones (rule id or Bandit id)', () => {
    assert.deepEqual(at(['', 'run(cmd, shell=True)  # cvebuild: ignore']), { marker: 'cvebuild: ignore', line: 2 });
    assert.ok(at(['', 'run(cmd, shell=True)  # cvebuild: ignore[subprocess-shell-true]']));
    assert.ok(at(['', 'run(cmd, shell=True)  # cvebuild: ignore[eval, B602]']));
    assert.equal(at(['', 'run(cmd, shell=True)  # cvebuild: ignore[eval]']), undefined);
  });

  it('accepts ignore-next-line on the line above, and nothing further away', () => {
    assert.deepEqual(at(['# cvebuild: ignore-next-line', 'run(cmd, shell=True)']), {
      marker: 'cvebuild: ignore-next-line',
      line: 1,
    });
    assert.equal(at(['# cvebuild: ignore', 'run(cmd, shell=True)']), undefined);
    assert.equal(at(['# cvebuild: ignore-next-line[eval]', 'run(cmd, shell=True)']), undefined);
  });

  it("honours Bandit's nosec (bare or with ids) and nosemgrep for SAST only", () => {
    assert.ok(at(['', 'run(cmd, shell=True)  # nosec']));
    assert.ok(at(['', 'run(cmd, shell=True)  # nosec B602']));
    assert.ok(at(['', 'run(cmd, shell=True)  # nosec: B101,B602']));
    assert.equal(at(['', 'run(cmd, shell=True)  # nosec B101']), undefined);
    assert.ok(at(['', 'run(cmd, shell=True)  # nosemgrep']));
    assert.equal(at(['', 'TOKEN = "x"  # nosec'], 'secrets', { line: 2, rule: 'github-token' }), undefined);
  });

  it('honours the secret scanners’ markers for secrets only', () => {
    const secret = { line: 2, rule: 'github-token' };
    assert.ok(at(['', 'T = "x"  # secretlint-disable-line'], 'secrets', secret));
    assert.ok(at(['', 'T = "x"  # gitleaks:allow'], 'secrets', secret));
    assert.ok(at(['', 'T = "x"  # pragma: allowlist secret'], 'secrets', secret));
    assert.deepEqual(at(['// secretlint-disable-next-line', 'T = "x"'], 'secrets', secret), {
      marker: 'secretlint-disable-next-line',
      line: 1,
    });
    assert.equal(at(['', 'run(cmd)  # gitleaks:allow'], 'sast'), undefined);
  });

  it('does not mistake other text for a marker', () => {
    assert.equal(at(['', 'x = "cvebuild: ignored files are listed"']), undefined);
    assert.equal(at(['', 'run(cmd, shell=True)']), undefined);
  });
});
