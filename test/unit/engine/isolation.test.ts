/**
 * One check failing must neither hide the others' findings nor pass: it becomes one blocking
 * not-checked finding naming it. Bad input still stops the run with its one-line error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine } from '../../../src/engine/engine.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { inventoryFromPackages } from '../../../src/readers/packages.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';
import { reportingCheck, throwingCheck } from './fake-checks.ts';

const inventory = inventoryFromPackages([condaPackage('numpy', '2.0.0'), condaPackage('zlib', '1.3.1')]);
const clock = () => new Date('2026-11-22T12:00:00Z');

describe('engine: a check that throws', () => {
  it('fails the verdict closed, naming the check and its error, while the other checks still report', async () => {
    const engine = createEngine({
      clock,
      http: null,
      checks: [
        reportingCheck('before'),
        throwingCheck('boom', new TypeError('x is undefined')),
        reportingCheck('after'),
      ],
    });
    const result = await engine.audit({ inventory });
    assert.equal(result.verdict.outcome, 'fail');
    assert.deepEqual(result.verdict.reasons, [
      'not checked: the boom check failed and checked nothing: TypeError: x is undefined',
    ]);
    const failed = result.findings.find((finding) => finding.check === 'boom');
    assert.equal(failed?.rule, 'boom/not-checked');
    assert.equal(failed?.severity, 'critical');
    assert.equal(failed?.blocking, true);
    assert.equal(failed?.evidence.unchecked, true);
    assert.deepEqual(
      result.findings.filter((finding) => finding.rule.endsWith('/seen')).map((f) => `${f.check} ${f.subject?.name}`),
      ['after numpy', 'before numpy', 'after zlib', 'before zlib'],
    );
    assert.deepEqual(
      result.checks.map(({ id, status, findings, error }) => ({ id, status, findings, error })),
      [
        { id: 'before', status: 'ok', findings: 2, error: undefined },
        { id: 'boom', status: 'failed', findings: 1, error: 'TypeError: x is undefined' },
        { id: 'after', status: 'ok', findings: 2, error: undefined },
      ],
    );
    assert.equal(result.summary.byCheck.boom, 1);
  });

  it('fails closed whatever the threshold and even with fail-on-unchecked off', async () => {
    const engine = createEngine({ clock, http: null, checks: [throwingCheck('boom', 'a string thrown')] });
    const policy = { ...defaultPolicy(), failOn: 'critical' as const, failOnUnchecked: false };
    const result = await engine.audit({ inventory, policy });
    assert.equal(result.verdict.outcome, 'fail');
    assert.match(result.findings[0]?.message ?? '', /^the boom check failed and checked nothing: a string thrown$/);
  });

  it('a network error no lookup caught is the check failing, not the run', async () => {
    const engine = createEngine({
      clock,
      checks: [
        throwingCheck('lookup', new CvebuildError('NETWORK', 'could not download https://x.example/: HTTP 503')),
      ],
    });
    const result = await engine.audit({ inventory });
    assert.equal(result.checks[0]?.status, 'failed');
    assert.equal(result.verdict.outcome, 'fail');
  });

  it('bad input still stops the run with its own error (the CLI exit 2)', async () => {
    for (const error of [
      new CvebuildError('USAGE', 'cooldown: not a cutoff'),
      new CvebuildError('INPUT_NOT_FOUND', '/nowhere: no such file or directory to scan'),
      Object.assign(new Error('EACCES: open'), { code: 'EACCES', syscall: 'open', path: '/srv/x' }),
    ]) {
      const engine = createEngine({
        clock,
        http: null,
        checks: [reportingCheck('first'), throwingCheck('bad', error)],
      });
      await assert.rejects(engine.audit({ inventory }), (thrown) => thrown === error);
    }
    await assertCvebuildErrorAsync(
      () => createEngine({ clock, checks: [reportingCheck('only')] }).audit({ inventory, checks: ['nosuch'] }),
      'USAGE',
      'unknown check "nosuch" (have: only)',
    );
  });
});
