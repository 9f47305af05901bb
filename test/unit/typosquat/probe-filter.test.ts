import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProbeFilter } from '../../../src/typosquat/probe-filter.ts';
import { stringHash } from '../../../src/typosquat/probe-hash.ts';

describe('the probe filter', () => {
  it('never misses a key it holds, and lets few others through', () => {
    const held = Array.from({ length: 20_000 }, (_, i) => `pypi\u0000d:name-${i}`);
    const filter = ProbeFilter.forEntries(held.length);
    for (const key of held) filter.add(key);
    for (const key of held) assert.ok(filter.has(key), key);
    let passed = 0;
    for (let i = 0; i < 20_000; i++) if (filter.has(`conda\u0000d:other-${i}`)) passed++;
    assert.ok(passed < 20_000 * 0.03, `${passed} false positives in 20,000`);
  });

  it('answers a key by its hash as by its string', () => {
    const filter = ProbeFilter.forEntries(1000);
    for (let i = 0; i < 1000; i++) filter.add(`k:name-${i}`);
    for (let i = 0; i < 2000; i++) {
      const key = `k:name-${i}`;
      assert.equal(filter.hasHash(stringHash(key)), filter.has(key), key);
    }
  });

  it('reads back from its bytes as it was written', () => {
    const filter = ProbeFilter.forEntries(100);
    for (const key of ['k:requests', 's:numpy', 'd:reqests']) filter.add(key);
    const again = ProbeFilter.fromBytes(Uint8Array.from(filter.bytes));
    assert.ok(again);
    for (const key of ['k:requests', 's:numpy', 'd:reqests']) assert.ok(again.has(key));
    assert.equal(again.has('k:absent-name-of-a-package'), filter.has('k:absent-name-of-a-package'));
  });

  it('is no filter at all when the stored bytes cannot be one, so nothing is filtered away', () => {
    for (const bytes of [undefined, null, new Uint8Array(0), new Uint8Array(7), 'bytes', [1, 2, 3]]) {
      assert.equal(ProbeFilter.fromBytes(bytes), undefined);
    }
  });
});
