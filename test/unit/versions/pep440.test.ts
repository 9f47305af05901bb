// PEP 440 scheme: normalization, ordering and specifier vectors taken from PEP 440 and packaging.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { pep440Scheme as pep, schemeFor } from '../../../src/versions/index.ts';

function throwsInvalid(fn: () => unknown, bad: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CvebuildError);
    assert.equal(e.code, 'VERSION_INVALID');
    assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
    assert.ok(e.message.includes('PEP 440'), e.message);
    return true;
  });
}

describe('pep440 normalization', () => {
  const cases: Array<[string, string]> = [
    ['1.0', '1.0'],
    ['2021.05.30', '2021.5.30'],
    ['01.02', '1.2'],
    ['1.0RC1', '1.0rc1'],
    ['1.0c1', '1.0rc1'],
    ['1.0pre1', '1.0rc1'],
    ['1.0preview1', '1.0rc1'],
    ['1.0.alpha1', '1.0a1'],
    ['1.0-beta-2', '1.0b2'],
    ['1.0-beta-2-3', '1.0b2.post3'],
    ['1.0a', '1.0a0'],
    ['2.8.0-rc0', '2.8.0rc0'],
    ['1.0.0-alpha.1', '1.0.0a1'],
    ['1.0-1', '1.0.post1'],
    ['1.0-r1', '1.0.post1'],
    ['1.0.rev1', '1.0.post1'],
    ['1.0.post', '1.0.post0'],
    ['1.0-dev', '1.0.dev0'],
    ['1.0dev2', '1.0.dev2'],
    ['v1.0', '1.0'],
    ['V1.0', '1.0'],
    ['1!0.1', '1!0.1'],
    ['0!1.0', '1.0'],
    ['1.0+abc', '1.0+abc'],
    ['1.0+ABC.01-x_y', '1.0+abc.1.x.y'],
    ['1!2.0.post1.dev3+local.7', '1!2.0.post1.dev3+local.7'],
    ['1.82.8', '1.82.8'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      assert.equal(pep.isValid(input), true);
      assert.equal(pep.normalize(input), expected);
    });
  }

  const invalid = [
    'banana',
    '',
    ' 1.0',
    '1.0 ',
    '1.0_1',
    '1.0+',
    '1.0.*',
    '1..0',
    '>=1.0',
    '1.0.post1.post2',
    'v',
    '1.0+abc+def',
  ];
  for (const v of invalid) {
    it(`rejects ${JSON.stringify(v)}`, () => {
      assert.equal(pep.isValid(v), false);
      throwsInvalid(() => pep.normalize(v), v);
      throwsInvalid(() => pep.compare(v, '1.0'), v);
      throwsInvalid(() => pep.compare('1.0', v), v);
      throwsInvalid(() => pep.satisfies(v, '>=1.0'), v);
    });
  }

  it('is what schemeFor("pep440") returns', () => assert.equal(schemeFor('pep440'), pep));
});

describe('pep440 ordering', () => {
  // The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering").
  const chain = [
    '1.dev0',
    '1.0.dev456',
    '1.0a1',
    '1.0a2.dev456',
    '1.0a12.dev456',
    '1.0a12',
    '1.0b1.dev456',
    '1.0b2',
    '1.0b2.post345.dev456',
    '1.0b2.post345',
    '1.0rc1.dev456',
    '1.0rc1',
    '1.0',
    '1.0+abc.5',
    '1.0+abc.7',
    '1.0+5',
    '1.0.post456.dev34',
    '1.0.post456',
    '1.0.15',
    '1.1.dev1',
  ];
  for (let i = 0; i + 1 < chain.length; i++) {
    const a = chain[i] as string;
    const b = chain[i + 1] as string;
    it(`${a} < ${b}`, () => {
      assert.equal(pep.compare(a, b), -1);
      assert.equal(pep.compare(b, a), 1);
    });
  }

  it('sorts the PEP 440 example from reverse order', () => {
    assert.deepEqual([...chain].reverse().sort(pep.compare), chain);
  });

  const less: Array<[string, string]> = [
    ['1.0.dev0', '1.0a0'],
    ['1.0a0', '1.0'],
    ['1.0', '1.0.post1'],
    ['1.0', '1.0+abc'],
    ['1.0+abc', '1.0+abd'],
    ['1.0+abc', '1.0+1'],
    ['1.0+1', '1.0+2'],
    ['1.0+abc', '1.0+abc.1'],
    ['2.0', '1!0.1'],
    ['1!1.0', '2!0.1'],
    ['1.0a1', '1.0b1'],
    ['1.0b1', '1.0rc1'],
    ['2.8.0rc0', '2.8.0'],
    ['1.9', '1.10'],
    ['1.82.8rc1', '1.82.8'],
    ['1.82.8', '1.82.9'],
    ['2021.5.30', '2021.12.1'],
  ];
  for (const [a, b] of less) {
    it(`${a} < ${b}`, () => {
      assert.equal(pep.compare(a, b), -1);
      assert.equal(pep.compare(b, a), 1);
    });
  }

  const equal: Array<[string, string]> = [
    ['2021.05.30', '2021.5.30'],
    ['1.22', '1.22.0'],
    ['1.0', '1.0.0.0'],
    ['2.8.0-rc0', '2.8.0rc0'],
    ['1.0RC1', '1.0rc1'],
    ['1.0c1', '1.0rc1'],
    ['1.0-1', '1.0.post1'],
    ['v1.0', '1.0'],
    ['0!1.0', '1.0'],
    ['1.0+ABC', '1.0+abc'],
    ['1.0+abc.1', '1.0+abc-1'],
  ];
  for (const [a, b] of equal) {
    it(`${a} == ${b}`, () => assert.equal(pep.compare(a, b), 0));
  }
});

describe('pep440 specifiers', () => {
  // [spec, version, matches by default, matches with { prereleases: true }]
  const cases: Array<[string, string, boolean, boolean]> = [
    ['>=1.82.7,<1.82.9', '1.82.7', true, true],
    ['>=1.82.7,<1.82.9', '1.82.8', true, true],
    ['>=1.82.7,<1.82.9', '1.82.9', false, false],
    ['>=1.82.7,<1.82.9', '1.82.6', false, false],
    ['>=1.82.7,<1.82.9', '1.82.8rc1', false, true],
    ['>=1.82.7, <1.82.9', '1.82.8', true, true],
    ['>= 1.82.7 , < 1.82.9', '1.82.8', true, true],
    ['~=1.4.2', '1.4.2', true, true],
    ['~=1.4.2', '1.4.9', true, true],
    ['~=1.4.2', '1.4.1', false, false],
    ['~=1.4.2', '1.5', false, false],
    ['~=1.4', '1.9', true, true],
    ['~=1.4', '2.0', false, false],
    ['~=2.2.post3', '2.2.post4', true, true],
    ['~=2.2.post3', '2.3', true, true],
    ['~=2.2.post3', '3.0', false, false],
    ['~=1.4.5a4', '1.4.5', true, true],
    ['~=1.4.5a4', '1.4.5a5', true, true],
    ['==1.4.*', '1.4', true, true],
    ['==1.4.*', '1.4.7', true, true],
    ['==1.4.*', '1.4.7.post1', true, true],
    ['==1.4.*', '1.5', false, false],
    ['==1.4.*', '1.4.0rc1', false, true],
    ['==1.0.*', '1', true, true],
    ['==1.0.0.*', '1.0', true, true],
    ['==1!1.*', '1!1.2', true, true],
    ['==1!1.*', '1.2', false, false],
    ['!=1.4.*', '1.4.7', false, false],
    ['!=1.4.*', '1.5', true, true],
    ['!=1.0.1', '1.0.1', false, false],
    ['!=1.0.1', '1.0.2', true, true],
    ['!=1.0.1', '1.0.1+local', false, false],
    ['===1.0', '1.0', true, true],
    ['===1.0', '1.0.0', false, false],
    ['==1.0', '1.0.0', true, true],
    ['==1.0', '1.0+local.1', true, true],
    ['==1.0+local.1', '1.0+local.1', true, true],
    ['==1.0+local.1', '1.0', false, false],
    ['==1.0+local.1', '1.0+local.2', false, false],
    ['<=1.0', '1.0+local', true, true],
    ['>=1.0', '1.0+local', true, true],
    // Exclusive ordered comparisons (PEP 440): `>V` skips post-releases and local versions of V,
    // `<V` skips pre-releases of V, unless V itself is one.
    ['>1.0', '1.0.post1', false, false],
    ['>1.0', '1.0+local', false, false],
    ['>1.0', '1.0.1', true, true],
    ['>1.0.post1', '1.0.post2', true, true],
    ['>1.0rc1', '1.0', true, true],
    ['<1.0', '1.0rc1', false, false],
    ['<1.0', '1.0.dev0', false, false],
    ['<1.0', '0.9', true, true],
    ['<1.0', '0.9rc1', false, true],
    ['<1.0rc2', '1.0rc1', false, true],
    ['<1.0.post1', '1.0', true, true],
    ['<2.0', '2.0rc1', false, false],
    // Pre-releases: allowed when a clause names one (>=, <=, ==, ~=), for the whole set.
    ['>=1.0rc1', '1.0rc2', true, true],
    ['>=1.0rc1,<2.0', '1.0rc2', true, true],
    ['>=1.0', '2.0rc1', false, true],
    ['>=1.0.dev0', '1.0.dev1', true, true],
    ['==2.8.0rc0', '2.8.0-rc0', true, true],
    ['>=2021.5.30', '2021.05.30', true, true],
    ['>=1!0.1', '2.0', false, false],
    ['<1!0.1', '2.0', true, true],
    ['', '1.0', true, true],
    ['', '1.0rc1', false, true],
    ['>=1.0,', '1.5', true, true],
  ];
  for (const [spec, version, byDefault, withPre] of cases) {
    it(`${JSON.stringify(spec)} ${byDefault ? 'matches' : 'rejects'} ${version}`, () => {
      assert.equal(pep.satisfies(version, spec), byDefault);
      assert.equal(pep.satisfies(version, spec, { prereleases: true }), withPre);
    });
  }

  it('caches specifiers without changing results', () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(pep.satisfies('1.82.8', '>=1.82.7,<1.82.9'), true);
      assert.equal(pep.satisfies('1.82.9', '>=1.82.7,<1.82.9'), false);
    }
  });

  const invalidSpecs = [
    'banana',
    '>=',
    '=>1.0',
    '1.0',
    '>=1.0.*',
    '~=1',
    '~=1.0.*',
    '>=1.0+local',
    '==1.0rc1.*',
    '==1.0+abc.*',
    '>=1,<2 || >3',
    '>=1.0;python_version>"3"',
  ];
  for (const spec of invalidSpecs) {
    it(`rejects spec ${JSON.stringify(spec)}`, () => throwsInvalid(() => pep.satisfies('1.0', spec), spec));
  }
});
