/**
 * The Aho-Corasick literal matcher: on a text and on its UTF-8 bytes it finds what `includes` finds
 * (overlaps, shared prefixes, literals at the first and last position, non-ASCII and broken UTF-8
 * resetting it), with and without its skip over positions that start no literal, and on bytes
 * scanned in pieces (a literal cut between two pieces, a multi-byte character cut likewise).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiteralMatcher } from '../../../src/secrets/literal-matcher.ts';
import { FakeSecrets } from '../../helpers/fake-secrets.ts';
import { BROKEN, randomBytes } from '../../helpers/utf8-fixtures.ts';

const found = (matcher: LiteralMatcher, input: string | Buffer): number[] => {
  const marks = new Uint8Array(matcher.literals.length);
  if (typeof input === 'string') matcher.scan(input, marks);
  else matcher.scanBytes(input, marks);
  return [...marks];
};

describe('literal matcher on bytes', () => {
  const literals = ['ghp_', 'gh', 'hp_x', 'sk-ant-', 'sk-', 'ant', 'PRIVATE KEY', 'k-a', '://'];
  const pieces = ['g', 'h', 'p', '_', 'x', 's', 'k', '-', 'a', 'n', 't', ':', '/', 'PRIVATE', ' ', 'KEY', '\n', '\r\n'];
  const unicode = ['é', '€', '😀', '\u00a0', '\uFEFF', ...BROKEN];

  it('finds in UTF-8 bytes the literals the decoded text holds', () => {
    const fake = new FakeSecrets(5);
    for (const matcher of [new LiteralMatcher(literals), new LiteralMatcher([...literals, 'x'])]) {
      for (let i = 0; i < 2000; i++) {
        const bytes = randomBytes(fake, [...pieces, ...unicode], fake.int(0, 30));
        const text = bytes.toString('utf8');
        const expected = matcher.literals.map((literal) => (text.includes(literal) ? 1 : 0));
        assert.deepEqual(found(matcher, bytes), expected, JSON.stringify(text));
        assert.deepEqual(found(matcher, text), expected, JSON.stringify(text));
      }
    }
  });

  it('finds a literal at the first and the last byte, and across no line end', () => {
    const matcher = new LiteralMatcher(['ghp_', 'PRIVATE KEY']);
    for (const text of ['ghp_', 'ghp_ rest', 'rest ghp_', 'é\nghp_', 'ghp_\né', 'PRIVATE KEY', 'x\r\nPRIVATE KEY']) {
      assert.deepEqual(found(matcher, Buffer.from(text)), [
        text.includes('ghp_') ? 1 : 0,
        text.includes('KEY') ? 1 : 0,
      ]);
    }
    for (const text of ['gh\np_', 'ghé_', 'PRIVATE\nKEY', 'PRIVATE\u00a0KEY', '']) {
      assert.deepEqual(found(matcher, Buffer.from(text)), [0, 0], JSON.stringify(text));
      assert.deepEqual(found(matcher, text), [0, 0], JSON.stringify(text));
    }
  });

  it('finds in bytes scanned in pieces what it finds in the whole, wherever they are cut', () => {
    const fake = new FakeSecrets(12);
    const matcher = new LiteralMatcher(literals);
    for (let i = 0; i < 300; i++) {
      const bytes = randomBytes(fake, [...pieces, ...unicode], fake.int(1, 20));
      const whole = found(matcher, bytes);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const marks = new Uint8Array(literals.length);
        const state = matcher.scanBytes(bytes.subarray(0, cut), marks);
        matcher.scanBytes(bytes.subarray(cut), marks, state);
        assert.deepEqual([...marks], whole, `${JSON.stringify(bytes.toString())} cut at ${cut}`);
      }
    }
  });
});
