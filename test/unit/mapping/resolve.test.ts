import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdvisoryMatcher } from '../../../src/intel/matcher.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { targetsFor } from '../../../src/mapping/resolve.ts';
import type { Package } from '../../../src/model/package.ts';

function condaPackage(name: string, fields: Partial<Package> = {}): Package {
  return {
    ecosystem: 'conda',
    name,
    normalizedName: name,
    version: '1.2.0',
    platform: 'linux-64',
    location: `https://conda.anaconda.org/conda-forge/linux-64/${name}-1.2.0-0.conda`,
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: ['default'],
    origin: { file: 'pixi.lock' },
    ...fields,
  };
}

const nameMap = (condaName: string) => ({ zizmor: ['zizmor'], pytorch: ['torch'] })[condaName];

describe('targetsFor: the name map behind a lock that says purls: []', () => {
  it('still consults parselmouth, marked as the weaker name-map-fallback', () => {
    const targets = targetsFor(condaPackage('zizmor', { purlsKnown: true }), nameMap);
    assert.deepEqual(targets, [
      { ecosystem: 'PyPI', normalizedName: 'zizmor', mappedBy: 'name-map-fallback', version: '1.2.0' },
    ]);
  });

  it('keeps name-map for a lock that records no purls at all', () => {
    const [target] = targetsFor(condaPackage('pytorch'), nameMap);
    assert.equal(target?.mappedBy, 'name-map');
    assert.equal(target?.normalizedName, 'torch');
  });

  it('prefers the lock purls over the map', () => {
    const pkg = condaPackage('pytorch', { purls: ['pkg:pypi/torch'], purlsKnown: true });
    assert.deepEqual(
      targetsFor(pkg, nameMap).map((target) => target.mappedBy),
      ['purl'],
    );
  });

  it('maps nothing when neither the lock nor the map knows the package', () => {
    assert.deepEqual(targetsFor(condaPackage('libfoo', { purlsKnown: true }), nameMap), []);
  });
});

describe('AdvisoryMatcher.targetsOf: one answer per artifact, never shared across different ones', () => {
  it('keeps apart two records whose purls would join to the same text', () => {
    const matcher = new AdvisoryMatcher({ pypiNamesForConda: () => undefined } as unknown as IntelStore);
    const glued = condaPackage('foo', { purls: ['pkg:pypi/foo\u0000pkg:pypi/requests'] });
    const split = condaPackage('foo', { purls: ['pkg:pypi/foo', 'pkg:pypi/requests'] });
    const names = (pkg: Package) => matcher.targetsOf(pkg).map((target) => target.normalizedName);
    assert.deepEqual(names(split), ['foo', 'requests']);
    assert.notDeepEqual(names(glued), names(split));
    // the same artifact on another platform gets the very same answer
    assert.equal(matcher.targetsOf({ ...split, platform: 'osx-arm64' }), matcher.targetsOf(split));
  });
});
