/** The name variants the index keys on, and the lookalike tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adjacentKeys,
  forEachHomoglyphSwap,
  HOMOGLYPHS,
  homoglyphPair,
  homoglyphVariants,
  swapsFrom,
} from '../../../src/typosquat/lookalikes.ts';
import { affixStrips, deletions, forEachDeletion, skeleton } from '../../../src/typosquat/variants.ts';

describe('name variants', () => {
  it('lists each 1-deletion once', () => {
    assert.deepEqual(deletions('abb'), ['bb', 'ab']);
  });

  it('gives the positions of the 1-deletions, leaving out a range when asked', () => {
    const positions = (name: string, skipped?: { from: number; to: number }) => {
      const out: number[] = [];
      forEachDeletion(name, (at) => out.push(at), skipped);
      return out;
    };
    assert.deepEqual(positions('abbcd'), [0, 1, 3, 4]);
    assert.deepEqual(positions('abbcdde', { from: 2, to: 5 }), [0, 1, 6]);
    // a run that starts inside the range and ends after it is deleted inside it
    assert.deepEqual(positions('abcdde', { from: 2, to: 4 }), [0, 1, 5]);
  });

  it('drops every separator for the skeleton', () => {
    assert.equal(skeleton('python-dateutil'), 'pythondateutil');
    assert.equal(skeleton('python_date.util'), 'pythondateutil');
  });

  it('strips one affix in any spelling, keeping a core of ≥ 4 characters', () => {
    assert.deepEqual(affixStrips('python-requests'), [
      { core: 'requests', affix: 'python-' },
      { core: 'thon-requests', affix: 'py' },
    ]);
    assert.deepEqual(affixStrips('requests2'), [{ core: 'requests', affix: '2' }]);
    assert.deepEqual(affixStrips('colorama_dev'), [{ core: 'colorama', affix: '_dev' }]);
    assert.deepEqual(
      affixStrips('pyrequests-api').map((strip) => strip.core),
      ['requests-api', 'pyrequests'],
    );
    assert.deepEqual(affixStrips('pyjwt'), [], 'a 3-character core is too short');
  });
});

describe('lookalikes', () => {
  it('knows QWERTY neighbours, digits included', () => {
    assert.ok(adjacentKeys('i', '8'));
    assert.ok(adjacentKeys('l', 'p'));
    assert.ok(adjacentKeys('t', 'r'));
    assert.ok(!adjacentKeys('a', 'p'));
    assert.ok(!adjacentKeys('q', 'm'));
  });

  it('swaps one lookalike sequence at a time, or all of one kind', () => {
    assert.ok(homoglyphVariants('rnatplotlib').includes('matplotlib'));
    assert.ok(homoglyphVariants('c1ick').includes('click'));
    assert.ok(homoglyphVariants('g00gle').includes('google'));
    assert.ok(homoglyphVariants('vvheel').includes('wheel'));
    assert.ok(homoglyphPair('o', '0') && homoglyphPair('1', 'l') && !homoglyphPair('a', 'b'));
  });

  it('gives each lookalike variant as a change of the name, in the same order', () => {
    // the variants as the nested pairs were once scanned, both ways, then all occurrences at once
    const expected = (name: string) => {
      const out: string[] = [];
      for (const [x, y] of HOMOGLYPHS) {
        for (const [from, to] of [
          [x, y],
          [y, x],
        ] as const) {
          let count = 0;
          for (let at = name.indexOf(from); at !== -1; at = name.indexOf(from, at + 1)) {
            out.push(name.slice(0, at) + to + name.slice(at + from.length));
            count++;
          }
          if (count > 1) out.push(name.replaceAll(from, to));
        }
      }
      return out;
    };
    for (const name of ['g00gle', 'rnatplotlib', 'vvvheel', 'click-1ib', 'ros-humble-nav2-msgs', 'numpy']) {
      assert.deepEqual(homoglyphVariants(name), expected(name), name);
    }
    const visited: string[] = [];
    forEachHomoglyphSwap(
      'g00gle-1ib',
      {
        one: (start, end, insert) => visited.push(`${start}-${end}:${insert}`),
        all: (from, to) => visited.push(`all ${from}→${to}`),
      },
      swapsFrom('0'),
    );
    assert.deepEqual(visited, ['1-2:o', '2-3:o', 'all 0→o']);
  });
});
