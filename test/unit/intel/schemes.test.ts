// Advisory version schemes: PEP 440 spellings seen in advisories, SemVer, OpenSSL letter releases, upstream C libraries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VersionSchemeName } from '../../../src/intel/model.ts';
import { comparatorFor } from '../../../src/intel/schemes.ts';
import { pep440Scheme } from '../../../src/versions/index.ts';
import { pick, seededRandom } from '../../helpers/random.ts';

function compare(scheme: VersionSchemeName, a: string, b: string): number {
  const c = comparatorFor(scheme);
  const pa = c.parse(a) ?? assert.fail(`${scheme} cannot read ${a}`);
  const pb = c.parse(b) ?? assert.fail(`${scheme} cannot read ${b}`);
  return Math.sign(c.compare(pa, pb));
}

/** Every pair of an ascending list compares in order, and each equals itself. */
function assertAscending(scheme: VersionSchemeName, ascending: string[]): void {
  for (const [i, a] of ascending.entries()) {
    for (const [j, b] of ascending.entries()) {
      assert.equal(compare(scheme, a, b), Math.sign(i - j), `${scheme}: ${a} vs ${b}`);
    }
  }
}

function assertSame(scheme: VersionSchemeName, a: string, b: string): void {
  const c = comparatorFor(scheme);
  assert.equal(compare(scheme, a, b), 0, `${a} == ${b}`);
  assert.equal(c.parse(a)?.key, c.parse(b)?.key, `${a} and ${b} share a key`);
}

describe('pep440 comparator', () => {
  const normalized: Array<[string, string]> = [
    ['2.8.0-rc0', '2.8.0rc0'], // tensorflow GHSA-gwcx-jrx4-92w2
    ['5.0.0-beta.2', '5.0.0b2'], // gradio
    ['1.8c1', '1.8rc1'], // django
    ['2021.05.30', '2021.5.30'], // certifi GHSA-248v-346w-9cwc
    ['2024.07.04', '2024.7.4'],
    ['1.40.3.dev2', '1.40.3.dev2'],
    ['1.22', '1.22'],
  ];
  for (const [input, expected] of normalized) {
    it(`normalizes ${input} to ${expected}`, () => assert.equal(comparatorFor('pep440').normalize(input), expected));
  }

  const equal: Array<[string, string]> = [
    ['2021.05.30', '2021.5.30'],
    ['2024.07.04', '2024.7.4'],
    ['1.22', '1.22.0'], // numpy GHSA-fpfv-jqm9-f5jm
    ['1.22', '1.22.0.0'],
    ['2.8.0-rc0', '2.8.0rc0'],
    ['2.8.0-rc0', '2.8rc0'],
    ['5.0.0-beta.2', '5.0.0b2'],
    ['1.8c1', '1.8rc1'],
    ['1!1.0', '1!1.0.0'],
    ['1.0+ABC', '1.0.0+abc'],
  ];
  for (const [a, b] of equal) it(`${a} == ${b}`, () => assertSame('pep440', a, b));

  it('orders pre-, dev- and post-releases as PEP 440 does', () => {
    assertAscending('pep440', [
      '1.0.dev0',
      '1.0a1',
      '1.0b2',
      '1.0rc1',
      '1.0',
      '1.0.post1',
      '1.1',
      '24.7.0rc0',
      '24.7.0rc1',
      '24.7.0',
      '1!0.1',
    ]);
  });

  it('keeps distinct versions apart by key', () => {
    const c = comparatorFor('pep440');
    assert.notEqual(c.parse('1.0')?.key, c.parse('1.0.post0')?.key);
    assert.notEqual(c.parse('10')?.key, c.parse('1.0')?.key);
    assert.notEqual(c.parse('1.0')?.key, c.parse('1!1.0')?.key);
  });

  for (const bad of ['0.2.0-alpha\\.33', '2.9.0-NA', '2019-09-12', '2.6.0-cu124', 'banana', '']) {
    it(`cannot read ${JSON.stringify(bad)}`, () => {
      assert.equal(comparatorFor('pep440').parse(bad), undefined);
      assert.equal(comparatorFor('pep440').normalize(bad), undefined);
    });
  }

  it('orders 5,000 random pairs exactly as the PEP 440 scheme does (plain-release fast path included)', () => {
    const random = seededRandom(440);
    const part = () => String(pick(random, [0, 0, 1, 2, 9, 10, 22, 2021]));
    const suffix = () => pick(random, ['', '', '', 'rc1', 'a0', 'b2', '.post1', '.dev3', '+local.1', '.0']);
    const version = () =>
      `${pick(random, ['', '', '1!'])}${Array.from({ length: 1 + Math.floor(random() * 4) }, part).join('.')}${suffix()}`;
    for (let i = 0; i < 5000; i++) {
      const a = version();
      const b = version();
      assert.equal(compare('pep440', a, b), pep440Scheme.compare(a, b), `${a} vs ${b}`);
      const sameKey = comparatorFor('pep440').parse(a)?.key === comparatorFor('pep440').parse(b)?.key;
      assert.equal(sameKey, pep440Scheme.compare(a, b) === 0, `keys of ${a} and ${b}`);
    }
  });

  it('reads plain releases (leading zeros, long digit runs) with the normal form the PEP 440 scheme gives', () => {
    const c = comparatorFor('pep440');
    for (const text of [
      '0',
      '1.0',
      '01.002.0',
      '2021.05.30',
      '1.0.0.0.0',
      '123456789012345.1',
      '1234567890123456.1',
      '99999999999999999999',
    ]) {
      assert.equal(c.parse(text)?.normalized, pep440Scheme.normalize(text), text);
    }
    assert.equal(c.parse('1.2.0')?.key, c.parse('01.2')?.key);
    assert.equal(c.parse('1..2'), undefined);
    assert.equal(c.parse('1.2.'), undefined);
  });

  it('returns the cached reading for a repeated version', () => {
    const c = comparatorFor('pep440');
    assert.equal(c.parse('3.2.1'), c.parse('3.2.1'));
  });
});

describe('semver comparator', () => {
  it('orders by SemVer 2.0 precedence', () => {
    assertAscending('semver', [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.10',
      '2.0.0',
    ]);
  });

  it('ignores build metadata in ordering and keys', () => assertSame('semver', '1.0.0+build.5', '1.0.0'));
  it('normalizes a v prefix away', () => assert.equal(comparatorFor('semver').normalize('v1.2.3'), '1.2.3'));
  for (const bad of ['1.2', '1.0.0rc1', '01.2.3', 'x']) {
    it(`cannot read ${bad}`, () => assert.equal(comparatorFor('semver').parse(bad), undefined));
  }
});

describe('openssl comparator', () => {
  it('puts a branch head (`-cvs`, as OpenSSL writes fixes on a branch) after every letter release of it', () => {
    // CVE-2004-0975 in OpenSSL's own records: {version: 0.9.6, lessThan: 0.9.6-cvs} = all of 0.9.6 … 0.9.6m.
    assertAscending('openssl', ['0.9.6', '0.9.6a', '0.9.6m', '0.9.6-cvs', '0.9.7']);
  });

  it('orders letter releases: none < a < … < z < za < zb', () => {
    assertAscending('openssl', [
      '0.9.6',
      '0.9.6m',
      '0.9.6-cvs',
      '0.9.7-beta3',
      '0.9.7',
      '0.9.8',
      '0.9.8a',
      '0.9.8y',
      '0.9.8z',
      '0.9.8za',
      '0.9.8zh',
      '1.0.2',
      '1.0.2a',
      '1.0.2k',
      '1.0.2u',
      '1.0.2z',
      '1.0.2za',
      '1.0.2zb',
      '1.0.2zl',
      '1.1.0-pre6',
      '1.1.0',
      '1.1.1-pre9',
      '1.1.1',
      '1.1.1a',
      '1.1.1t',
      '1.1.1u',
      '1.1.1w',
      '1.1.1za',
      '3.0.0-alpha1',
      '3.0.0-alpha17',
      '3.0.0-beta1',
      '3.0.0-beta2',
      '3.0.0',
      '3.0.7',
      '3.0.8',
      '3.0.13',
      '3.1.0',
      '3.5.1',
      '4.0.0',
    ]);
  });

  it('treats a missing part as 0', () => assertSame('openssl', '3.0', '3.0.0'));
  it('normalizes case and pre-release numbers', () => {
    assert.equal(comparatorFor('openssl').normalize('3.0.0-Alpha01'), '3.0.0-alpha1');
    assert.equal(comparatorFor('openssl').normalize('1.1.1W'), '1.1.1w');
  });
  for (const bad of ['fips-1.1.1', '1', '1.1.1-fips', '3.0.0rc1', 'OpenSSL_1_1_1t', '1.1.1zzzz']) {
    it(`cannot read ${bad}`, () => assert.equal(comparatorFor('openssl').parse(bad), undefined));
  }
});

describe('upstream comparator', () => {
  it('orders dotted numeric releases segment by segment', () => {
    assertAscending('upstream', ['7.9', '7.9.1', '7.10.8', '7.88.1', '8.3.0', '8.4.0', '8.10.0']);
    assertAscending('upstream', ['1.2.11', '1.2.11.1', '1.2.13', '1.3', '1.3.1']); // zlib
    assertAscending('upstream', ['3.45.3', '3.46.0', '3.46.1']); // sqlite
  });

  it('orders pre-releases before their release', () => {
    assertAscending('upstream', [
      '3.12.4',
      '3.13.0a1',
      '3.13.0a2',
      '3.13.0b1',
      '3.13.0rc1',
      '3.13.0-rc2',
      '3.13.0',
      '3.13.1',
    ]);
    assertAscending('upstream', ['2.0.0-beta', '2.0.0-beta2', '2.0.0']);
  });

  it('orders ncurses date patch releases between releases', () => {
    assertAscending('upstream', ['6.4', '6.4.20230408', '6.4.20240210', '6.5', '6.5.20240427']);
    assertSame('upstream', '6.4-20240210', '6.4.20240210');
  });

  const equal: Array<[string, string]> = [
    ['7.9', '7.9.0'],
    ['8.4.0', '8.4'],
    ['3.13.0rc1', '3.13.0-RC1'],
    ['3.13.0rc1', '3.13rc1'],
    ['3.13.0c1', '3.13.0rc1'],
    ['1.0b', '1.0beta0'],
  ];
  for (const [a, b] of equal) it(`${a} == ${b}`, () => assertSame('upstream', a, b));

  it('normalizes to dotted numbers and a short tag', () => {
    assert.equal(comparatorFor('upstream').normalize('3.13.0-RC1'), '3.13.0rc1');
    assert.equal(comparatorFor('upstream').normalize('6.4-20230408'), '6.4.20230408');
  });

  for (const bad of ['1.1.1t', '9e', 'curl-7_57_0', '1.2.3-1', '1.2.3.post1', '', '1..2', `${'9'.repeat(16)}.0`]) {
    it(`cannot read ${JSON.stringify(bad)}`, () => assert.equal(comparatorFor('upstream').parse(bad), undefined));
  }
});
