/** The probes a stored typosquat index files names under and a candidate asks, and their bands. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { homoglyphVariants } from '../../../src/typosquat/lookalikes.ts';
import {
  BAND_EDGE,
  bandOfProbe,
  probesOfCandidate,
  probesOfEntry,
  visitProbesOfCandidate,
} from '../../../src/typosquat/probes.ts';
import { affixStrips, deletions, skeleton } from '../../../src/typosquat/variants.ts';

const NAMES = [
  'reqeusts',
  'python-dateutils',
  'g00gle',
  'c1ick',
  'rnatplotlib',
  'ros-humble-nav2-msgs',
  'pyjwt',
  'abc',
];

describe('typosquat probes', () => {
  it("asks a candidate's key, skeleton, core, lookalikes, affix cores and 1-deletions", () => {
    for (const key of NAMES) {
      const expected = [
        `k:${key}`,
        `s:${skeleton(key)}`,
        `c:${key}`,
        ...homoglyphVariants(key).map((variant) => `k:${variant}`),
        ...affixStrips(key).map(({ core }) => `k:${core}`),
        `d:${key}`,
        ...deletions(key).map((variant) => `d:${variant}`),
      ];
      assert.deepEqual(probesOfCandidate(key), expected, key);
    }
  });

  it('files a popular name under its key, skeleton, cores and its 1-deletions (a short name too: it is judged with evidence)', () => {
    assert.deepEqual(probesOfEntry({ name: 'Numpy', key: 'numpy', rank: 2 }), [
      'k:numpy',
      's:numpy',
      'd:numpy',
      ...deletions('numpy').map((variant) => `d:${variant}`),
    ]);
    assert.deepEqual(probesOfEntry({ name: 'six', key: 'six', rank: 9 }), [
      'k:six',
      's:six',
      'd:six',
      'd:ix',
      'd:sx',
      'd:si',
    ]);
    assert.deepEqual(probesOfEntry({ name: 'q', key: 'q', rank: 14360 }), ['k:q', 's:q', 'd:q', 'd:']);
  });

  it("puts a probe in the band of its value's length and ends, whatever its kind; not one too short to have two", () => {
    assert.equal(bandOfProbe('d:requests'), '#8:rets');
    assert.equal(bandOfProbe('k:requests'), '#8:rets');
    assert.equal(bandOfProbe('k:abcd'), '#4:abcd');
    assert.equal(bandOfProbe('k:abc'), undefined);
  });

  it('skips only the probes that keep both ends of the key, of a length out of the band', () => {
    for (const key of NAMES) {
      const all = probesOfCandidate(key);
      for (const out of [key.length - 1, key.length, key.length + 1]) {
        const inBand = (length: number) => length !== out;
        const visited: string[] = [];
        visitProbesOfCandidate(key, {
          splice: (kind, start, end, insert) =>
            visited.push(`${kind}:${key.slice(0, start)}${insert}${key.slice(end)}`),
          swapAll: (from, to) => visited.push(`k:${key.replaceAll(from, to)}`),
          skeleton: () => visited.push(`s:${skeleton(key)}`),
          inBand,
        });
        const skipped = all.filter((probe) => !visited.includes(probe));
        for (const probe of skipped) {
          const value = probe.slice(2);
          assert.equal(value.length, out, `${key}: ${probe}`);
          assert.equal(value.slice(0, BAND_EDGE), key.slice(0, BAND_EDGE), `${key}: ${probe}`);
          assert.equal(value.slice(-BAND_EDGE), key.slice(-BAND_EDGE), `${key}: ${probe}`);
        }
        assert.ok(visited.every((probe) => all.includes(probe)));
      }
    }
    // what a band rules out, it rules out for the key itself, and the deletions and lookalikes inside it
    const visited: string[] = [];
    visitProbesOfCandidate('reqeusts', {
      splice: (kind, start, end, insert) => visited.push(`${kind}:${start}-${end}:${insert}`),
      swapAll: (from, to) => visited.push(`k:all ${from}→${to}`),
      skeleton: () => visited.push('s:'),
      inBand: () => false,
    });
    assert.deepEqual(
      visited.filter((probe) => probe.startsWith('d:')),
      ['d:0-1:', 'd:1-2:', 'd:6-7:', 'd:7-8:'],
    );
  });
});
