import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advisorySafeVersion, candidateOrder } from '../../../src/fix/candidates.ts';
import { pinnedSpec, raisedSpec } from '../../../src/fix/specs.ts';
import type { BlockingPackage } from '../../../src/fix/types.ts';

function blocked(
  ecosystem: 'conda' | 'pypi',
  versions: string[],
  extra: Partial<BlockingPackage> = {},
): BlockingPackage {
  return {
    ecosystem,
    name: 'pkg',
    normalizedName: 'pkg',
    versions,
    platforms: ['linux-64'],
    environments: ['default'],
    packages: [],
    advisories: [],
    malicious: false,
    ...extra,
  };
}

describe('fix: the requirement written', () => {
  it('raises the lower bound and keeps upper bounds and exclusions', () => {
    assert.deepEqual(raisedSpec('', '11.3.0', ['10.4.0'], 'pypi'), { spec: '>=11.3.0' });
    assert.deepEqual(raisedSpec('*', '2.6.4', ['2.6.2'], 'conda'), { spec: '>=2.6.4' });
    assert.deepEqual(raisedSpec('>=9,<12', '11.3.0', ['10.4.0'], 'pypi'), { spec: '>=11.3.0,<12' });
    assert.deepEqual(raisedSpec('>=1.0, !=1.5, <3', '2.1', ['1.9'], 'conda'), { spec: '>=2.1,!=1.5,<3' });
    // an exact pin and a compatible release are lower bounds a fix replaces
    assert.deepEqual(raisedSpec('==1.6.6', '2.0.0', ['1.6.6'], 'pypi'), { spec: '>=2.0.0' });
    assert.deepEqual(raisedSpec('~=24.0', '26.3.1', ['24.8.0'], 'pypi'), { spec: '>=26.3.1' });
  });

  it('keeps a series the fix is in, and leaves one it is not', () => {
    assert.deepEqual(raisedSpec('1.26.*', '1.26.5', ['1.26.4'], 'conda'), { spec: '1.26.*,>=1.26.5' });
    assert.deepEqual(raisedSpec('1.26.*', '2.0.1', ['1.26.4'], 'conda'), { spec: '>=2.0.1' });
  });

  it('reports a declared upper bound that excludes the fix as a conflict', () => {
    assert.deepEqual(raisedSpec('<2', '2.0.1', ['1.26.4'], 'conda'), { conflict: '<2' });
    assert.deepEqual(raisedSpec('>=2.0,<2.32', '2.32.0', ['2.31.0'], 'pypi'), { conflict: '<2.32' });
    assert.deepEqual(raisedSpec('!=11.3.0', '11.3.0', ['10.4.0'], 'pypi'), { conflict: '!=11.3.0' });
  });

  it('leaves a requirement that already keeps the blocked versions out', () => {
    assert.deepEqual(raisedSpec('>=11.3.0', '11.3.0', ['10.4.0'], 'pypi'), { unchanged: true });
    // the locked version still satisfies it: the bound must move
    assert.deepEqual(raisedSpec('>=10', '11.3.0', ['10.4.0'], 'pypi'), { spec: '>=11.3.0' });
  });

  it('does not guess at alternatives or text it cannot read', () => {
    assert.ok('unsupported' in raisedSpec('1.2|1.4', '1.5', ['1.2'], 'conda'));
    assert.ok('unsupported' in raisedSpec('not a spec', '1.5', ['1.2'], 'pypi'));
  });

  it('pins a malicious release to the clean version exactly', () => {
    assert.equal(pinnedSpec('1.82.6'), '==1.82.6');
  });
});

describe('fix: candidate versions', () => {
  it('tries releases above every blocked version, lowest first, without pre-releases', () => {
    const pkg = blocked('pypi', ['10.2.0', '10.4.0']);
    assert.deepEqual(
      candidateOrder(pkg, ['9.0', '10.3.0', '11.0.0rc1', '12.0', '10.10.0', '11.3.0', 'not-a-version']),
      ['10.10.0', '11.3.0', '12.0'],
    );
  });

  it('orders conda versions by conda rules and skips its pre-release words', () => {
    const pkg = blocked('conda', ['3.3.1']);
    assert.deepEqual(candidateOrder(pkg, ['3.10.0', '3.4.0', '3.5.0rc1', '3.3.1', '3.3.2', '2024b']), [
      '3.3.2',
      '3.4.0',
      '3.10.0',
      '2024b',
    ]);
  });

  it('lets pre-releases in when a blocked version is one', () => {
    assert.deepEqual(candidateOrder(blocked('pypi', ['2.0b1']), ['2.0b2', '2.0']), ['2.0b2', '2.0']);
  });

  it('for a malicious release, tries the releases before it, highest first', () => {
    const pkg = blocked('pypi', ['1.82.7'], { malicious: true });
    assert.deepEqual(candidateOrder(pkg, ['1.82.5', '1.82.8', '1.82.6', '1.82.7']), ['1.82.6', '1.82.5']);
  });

  it("takes the advisories' highest safe version, and none when one names none", () => {
    const advisory = (id: string, safeVersion?: string) => ({
      id,
      severity: 'high' as const,
      kev: false,
      malicious: false,
      ...(safeVersion ? { safeVersion } : {}),
    });
    assert.equal(
      advisorySafeVersion(blocked('pypi', ['1.0'], { advisories: [advisory('A', '1.2'), advisory('B', '1.10')] })),
      '1.10',
    );
    assert.equal(
      advisorySafeVersion(blocked('pypi', ['1.0'], { advisories: [advisory('A', '1.2'), advisory('B')] })),
      undefined,
    );
  });
});
