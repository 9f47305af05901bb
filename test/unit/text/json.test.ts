/**
 * `toJson` masks credentials by searching the serialised text and rewriting only the string
 * literals that could hold one. It must write exactly what masking every string and key before
 * serialising writes (`toJsonByWalk`), and leave no secret behind, whatever the strings hold:
 * quotes, backslashes, escapes, separators, credentials in keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskCredentials } from '../../../src/text/credentials.ts';
import { toJson, toJsonByWalk } from '../../../src/text/json.ts';

const SECRET = 'Qz9kWmTnVrLpXsYj';

function assertSameAsWalk(document: unknown): string {
  for (const indent of [2, 0]) {
    const json = toJson(document, { indent });
    assert.equal(json, toJsonByWalk(document, maskCredentials, indent));
    assert.ok(!json.includes(SECRET), `secret left in ${json}`);
  }
  return toJson(document);
}

describe('toJson credential masking', () => {
  it('masks a credential in a nested value', () => {
    const json = assertSameAsWalk({ a: [{ url: `https://alice:${SECRET}@pypi.example.com/simple` }] });
    assert.match(json, /https:\/\/\*\*\*:\*\*\*@pypi\.example\.com\/simple/);
  });

  it('masks every form the masker knows, in prose and as whole values', () => {
    assertSameAsWalk({
      channel: `https://conda.anaconda.org/t/${SECRET}/private/linux-64/x-1-0.conda`,
      bare: `conda.anaconda.org/t/${SECRET}/private`,
      query: `see https://host.example/x?token=${SECRET}&page=2 for details`,
      encoded: `https://host.example/?next=https%3A%2F%2Fu%3A${SECRET}%40inner.example%2F`,
      git: `git+https://${SECRET}@gitlab.example/org/repo.git@v1.0#egg=x`,
    });
  });

  it('finds the literal around quotes and backslashes', () => {
    assertSameAsWalk([
      `"https://u:${SECRET}@h.example/"`,
      `\\"https://u:${SECRET}@h.example/\\`,
      'ends in a backslash \\',
      `https://u:${SECRET}@h.example/`,
      `x"https://u:${SECRET}@h.example/"y`,
      `{"a": "https://u:${SECRET}@h.example/"}`,
      `a\\\\"b": https://u:${SECRET}@h.example/`,
      '"',
      '\\',
    ]);
  });

  it('masks next to escapes, separators and characters beyond ASCII', () => {
    assertSameAsWalk({
      newline: `line\nhttps://u:${SECRET}@h.example/\ttab`,
      separators: `\u2028https://u:${SECRET}@h.example/\u2029\u202e`,
      unicode: `naïve ☃ https://u:${SECRET}@h.example/ \u{1f600}`,
      lone: `\ud800https://u:${SECRET}@h.example/\udc00`,
      control: `\u0000\u001b[31mhttps://u:${SECRET}@h.example/`,
    });
  });

  it('masks credentials in keys, also when masked keys collide', () => {
    const json = assertSameAsWalk({
      [`https://a:${SECRET}@h.example/`]: 1,
      [`https://b:${SECRET}2@h.example/`]: `https://c:${SECRET}@h.example/`,
      'key=value': `https://h.example/?key=${SECRET}`,
    });
    assert.deepEqual(Object.keys(JSON.parse(json)), ['https://***:***@h.example/', 'key=value']);
  });

  it('masks what toJSON returns', () => {
    assertSameAsWalk({
      when: new Date(0),
      custom: { toJSON: () => ({ nested: `https://u:${SECRET}@h.example/` }) },
      text: { toJSON: () => `https://u:${SECRET}@h.example/` },
    });
  });

  it('masks a document that is one string, and keeps other documents as they are', () => {
    assert.equal(assertSameAsWalk(`https://u:${SECRET}@h.example/`), '"https://***:***@h.example/"');
    assert.equal(
      toJson({ a: 'key=value', b: 'a@b', c: [1, null, true] }, { indent: 0 }),
      '{"a":"key=value","b":"a@b","c":[1,null,true]}',
    );
    assert.equal(toJson(undefined), toJsonByWalk(undefined, maskCredentials, 2));
  });

  it('writes what the walk writes for random documents built from hostile pieces', () => {
    const pieces = [
      '"',
      '\\',
      '\\"',
      '@',
      '=',
      '/t/',
      '%40',
      '%3A%2F%2F',
      ':',
      ' ',
      '\n',
      '\u2028',
      '\u00e9',
      '\ud83d\ude00',
      '\ud800',
      'https://',
      'u',
      `:${SECRET}`,
      '@h.example',
      '/path',
      '?token=',
      SECRET,
      '&',
      '#',
      'conda.anaconda.org',
      'file://',
    ];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const text = (): string => Array.from({ length: random(12) }, () => pieces[random(pieces.length)]).join('');
    const value = (depth: number): unknown => {
      const kind = random(depth > 2 ? 2 : 4);
      if (kind === 0) return text();
      if (kind === 1) return random(3) === 0 ? null : random(1000);
      if (kind === 2) return Array.from({ length: random(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: random(4) }, () => [text(), value(depth + 1)]));
    };
    let masked = 0;
    for (let round = 0; round < 300; round++) {
      const document = value(0);
      if (toJson(document) !== JSON.stringify(document, null, 2)) masked++;
      for (const indent of [2, 0]) {
        assert.equal(toJson(document, { indent }), toJsonByWalk(document, maskCredentials, indent));
      }
    }
    assert.ok(masked > 30, `only ${masked} documents had something to mask`);
  });
});
