/** A lock's names against a stored probe filter: only the probes that may be stored are asked. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterOfProbes, probesToAsk } from '../../../src/typosquat/filtered-probes.ts';
import { probesOfCandidate, probesOfEntry } from '../../../src/typosquat/probes.ts';

const POPULAR = ['requests', 'numpy', 'matplotlib', 'python-dateutil', 'colorama', 'google', 'click', 'scikit-learn'];

describe('the probes asked of a stored filter', () => {
  const stored = POPULAR.flatMap((key, i) => probesOfEntry({ name: key, key, rank: i + 1 }));
  const filter = filterOfProbes(stored);
  const held = new Set(stored);

  it('asks every stored probe of a name, and few others', () => {
    const names = [
      // one edit inside: the band of the key's ends is stored
      'reqeusts',
      'numpyy',
      'colarama',
      // at an end: that band is not, the probes at the ends still are asked
      'xrequests',
      'requestsx',
      'equests',
      'nump',
      'scikit-lear',
      // lookalikes, separators, affixes
      'g00gle',
      'c1ick',
      'rnatplotlib',
      'python_dateutil',
      'python-requests',
      'numpy2',
      'dateutil',
      // nothing near
      'ros-humble-nav2-msgs',
      'zzzzzzzz',
    ];
    let asked = 0;
    let all = 0;
    for (const name of names) {
      const expected = probesOfCandidate(name).filter((probe) => held.has(probe));
      const got = probesToAsk([name], filter);
      assert.deepEqual([...got].filter((probe) => held.has(probe)).sort(), [...new Set(expected)].sort(), name);
      asked += got.size;
      all += probesOfCandidate(name).length;
    }
    assert.ok(asked < all / 4, `${asked} of ${all} probes asked`);
  });

  it('asks every probe without a filter', () => {
    assert.deepEqual(
      [...probesToAsk(['reqeusts'], undefined)].sort(),
      [...new Set(probesOfCandidate('reqeusts'))].sort(),
    );
  });
});
