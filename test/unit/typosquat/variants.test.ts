/** The name variants the index keys on, and the lookalike tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adjacentKeys, homoglyphPair, homoglyphVariants } from '../../../src/typosquat/lookalikes.ts';
import { affixStrips, deletions, skeleton } from '../../../src/typosquat/variants.ts';

describe('name variants', () => {
  it('lists each 1-deletion once', () => {
    assert.deepEqual(deletions('abb'), ['bb', 'ab']);
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
});
