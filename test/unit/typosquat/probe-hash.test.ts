import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpliceHasher, stringHash } from '../../../src/typosquat/probe-hash.ts';
import { skeleton } from '../../../src/typosquat/variants.ts';

describe('the probe hash', () => {
  it('hashes a key with one span replaced as it hashes the string that makes', () => {
    const hasher = new SpliceHasher();
    const head = stringHash('d:');
    for (const key of ['requests', 'ros-humble-nav2-msgs', 'a', '', 'x'.repeat(300)]) {
      hasher.reset(key);
      for (let start = 0; start <= key.length; start++) {
        for (const end of new Set([
          start,
          Math.min(start + 1, key.length),
          Math.min(start + 2, key.length),
          key.length,
        ])) {
          for (const insert of ['', '1', 'rn', 'google']) {
            const value = key.slice(0, start) + insert + key.slice(end);
            assert.equal(
              hasher.splice(head, start, end, insert),
              stringHash(`d:${value}`),
              `${key} ${start} ${end} ${insert}`,
            );
          }
        }
      }
    }
  });

  it('hashes a key with every lookalike swapped as it hashes the string that makes', () => {
    const hasher = new SpliceHasher();
    const head = stringHash('k:');
    for (const key of ['g00gle', 'vvvheel', 'rnrnatplotlib', 'click', '']) {
      hasher.reset(key);
      for (const [from, to] of [
        ['0', 'o'],
        ['vv', 'w'],
        ['rn', 'm'],
        ['m', 'rn'],
        ['c', 'cc'],
      ] as const) {
        assert.equal(hasher.swapAll(head, from, to), stringHash(`k:${key.replaceAll(from, to)}`), `${key} ${from}`);
      }
    }
  });

  it('hashes a key without its separators as it hashes its skeleton', () => {
    const hasher = new SpliceHasher();
    for (const key of ['python-dateutil', 'python_date.util', '--a..b__', 'numpy', '']) {
      hasher.reset(key);
      assert.equal(hasher.withoutSeparators(stringHash('s:')), stringHash(`s:${skeleton(key)}`), key);
    }
  });

  it('continues from a seed as a hash of the two strings joined', () => {
    assert.equal(stringHash('numpy', stringHash('k:')), stringHash('k:numpy'));
    assert.notEqual(stringHash('k:numpy'), stringHash('k:nupmy'));
  });
});
