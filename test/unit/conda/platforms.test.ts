import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPlatform, platformNames } from '@conda-org/rattler';
import { isKnownSubdir, PLATFORM_NAMES } from '../../../src/conda/platforms.ts';

describe('conda platform names', () => {
  it("are rattler's, in rattler's order (regenerate the copy when rattler adds one)", () => {
    assert.deepEqual(PLATFORM_NAMES, [...platformNames]);
  });
  it('answer as rattler does, noarch included and near-misses refused', () => {
    for (const name of [
      ...platformNames,
      'linux64',
      'Linux-64',
      'osx-arm',
      '',
      'constructor',
      '__proto__',
      'toString',
    ]) {
      assert.equal(isKnownSubdir(name), name === 'noarch' || isPlatform(name), name);
    }
  });
});
