/** OSA distance with a cutoff agrees with the textbook DP, and single edits are named correctly. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { osaDistance, singleEdit } from '../../../src/typosquat/distance.ts';
import { seededRandom } from '../../helpers/random.ts';

/** The unbanded O(n·m) optimal-string-alignment DP, as the reference. */
function referenceOsa(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}

describe('osaDistance', () => {
  it('counts a transposition as one edit', () => {
    assert.equal(osaDistance('reqeusts', 'requests', 2), 1);
    assert.equal(osaDistance('equests', 'requests', 2), 1);
    assert.equal(osaDistance('requests', 'requests', 0), 0);
    assert.equal(osaDistance('kitten', 'sitting', 3), 3);
  });

  it('stops at the cutoff and returns max + 1', () => {
    assert.equal(osaDistance('abcdef', 'uvwxyz', 2), 3);
    assert.equal(osaDistance('short', 'much-longer-name', 2), 3);
    assert.equal(osaDistance('ca', 'abc', 2), 3, 'OSA (not true Damerau) scores ca/abc as 3');
  });

  it('agrees with the unbanded DP on random near strings', () => {
    const random = seededRandom(16);
    const letters = 'abcde-';
    const word = (length: number) =>
      Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join('');
    for (let n = 0; n < 3000; n++) {
      const a = word(Math.floor(random() * 9));
      const b = random() < 0.5 ? word(Math.floor(random() * 9)) : a.slice(0, Math.floor(random() * 9)) + word(2);
      const max = Math.floor(random() * 4);
      assert.equal(osaDistance(a, b, max), Math.min(referenceOsa(a, b), max + 1), `${a} / ${b} max ${max}`);
    }
  });
});

describe('singleEdit', () => {
  it('names the one edit between two names', () => {
    assert.deepEqual(singleEdit('pillow', 'p8llow'), { kind: 'substitution', position: 1, expected: 'i', actual: '8' });
    assert.deepEqual(singleEdit('requests', 'reqeusts'), { kind: 'transposition', position: 3 });
    assert.deepEqual(singleEdit('requests', 'reqquests'), {
      kind: 'insertion',
      position: 3,
      actual: 'q',
      doubled: true,
    });
    assert.deepEqual(singleEdit('requests', 'equests'), { kind: 'deletion', position: 0, expected: 'r' });
    assert.deepEqual(singleEdit('certifi', 'certifii'), { kind: 'insertion', position: 7, actual: 'i', doubled: true });
  });

  it('is undefined for names more than one edit apart', () => {
    assert.equal(singleEdit('requests', 'reqeustz'), undefined);
    assert.equal(singleEdit('requests', 'requests'), undefined);
  });
});
