/** Per-check skip sets: a caller holding an earlier result of one check for some packages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEngine } from '../../../src/engine/engine.ts';
import { defaultPolicy } from '../../../src/policy/policy.ts';
import { inventoryFromPackages } from '../../../src/readers/packages.ts';
import { condaPackage } from '../report/sbom-fixtures.ts';
import { reportingCheck } from './fake-checks.ts';

const inventory = inventoryFromPackages([
  condaPackage('numpy', '2.0.0'),
  condaPackage('openssl', '3.0.7'),
  condaPackage('zlib', '1.3.1'),
]);
const clock = () => new Date('2026-11-22T12:00:00Z');

describe('engine: skip sets', () => {
  it('runs a check without the packages it skips for it, and every other check and the policy on all', async () => {
    const engine = createEngine({ clock, http: null, checks: [reportingCheck('held'), reportingCheck('other')] });
    const known = new Set(inventory.packages.filter((pkg) => pkg.name !== 'openssl'));
    const policy = defaultPolicy();
    policy.settings = { ...policy.settings, trustedChannels: ['https://conda.anaconda.org/conda-forge'] };
    const result = await engine.audit({ inventory, policy, skip: new Map([['held', known]]) });
    const seen = (id: string) =>
      result.findings.filter((finding) => finding.check === id).map((finding) => finding.subject?.name);
    assert.deepEqual(seen('held'), ['openssl']);
    assert.deepEqual(seen('other').sort(), ['numpy', 'openssl', 'zlib']);
    // the policy still reports what no running check enforces, once, as without a skip set
    assert.equal(seen('policy').length, 1);
    assert.equal(result.summary.packages, 3);
    const all = await engine.audit({ inventory, policy });
    assert.deepEqual(
      all.findings.filter((finding) => finding.check !== 'held').map((finding) => finding.message),
      result.findings.filter((finding) => finding.check !== 'held').map((finding) => finding.message),
    );
  });
});
