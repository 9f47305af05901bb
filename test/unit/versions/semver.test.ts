// SemVer scheme: SemVer 2.0 precedence (semver.org §11), node-semver ranges, strict validity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { schemeFor, semverScheme as sv } from '../../../src/versions/index.ts';

function throwsInvalid(fn: () => unknown, bad: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CvebuildError);
    assert.equal(e.code, 'VERSION_INVALID');
    assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
    assert.ok(e.message.includes('SemVer'), e.message);
    return true;
  });
}

describe('semver ordering', () => {
  // The precedence example of semver.org §11.
  const chain = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '1.10.0',
    '2.0.0',
  ];
  for (let i = 0; i + 1 < chain.length; i++) {
    const a = chain[i] as string;
    const b = chain[i + 1] as string;
    it(`${a} < ${b}`, () => {
      assert.equal(sv.compare(a, b), -1);
      assert.equal(sv.compare(b, a), 1);
    });
  }

  it('sorts the semver.org example from reverse order', () => {
    assert.deepEqual([...chain].reverse().sort(sv.compare), chain);
  });

  const equal: Array<[string, string]> = [
    ['1.0.0', '1.0.0'],
    ['1.0.0+build.1', '1.0.0'],
    ['1.0.0+build.1', '1.0.0+build.2'],
    ['1.0.0-rc.1+exp.sha.5114f85', '1.0.0-rc.1'],
    ['v1.2.3', '1.2.3'],
  ];
  for (const [a, b] of equal) {
    it(`${a} == ${b} (build metadata and a leading v are ignored)`, () => assert.equal(sv.compare(a, b), 0));
  }
});

describe('semver validity and normalization', () => {
  const normalized: Array<[string, string]> = [
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['0.0.0', '0.0.0'],
    ['1.0.0-alpha.1', '1.0.0-alpha.1'],
    ['1.0.0-0.3.7', '1.0.0-0.3.7'],
    ['1.0.0-x.7.z.92', '1.0.0-x.7.z.92'],
    ['1.0.0+20130313144700', '1.0.0+20130313144700'],
    ['1.0.0-beta+exp.sha.5114f85', '1.0.0-beta+exp.sha.5114f85'],
    ['v2.11.0-rc.2', '2.11.0-rc.2'],
  ];
  for (const [v, n] of normalized) {
    it(`${v} -> ${n}`, () => {
      assert.equal(sv.isValid(v), true);
      assert.equal(sv.normalize(v), n);
    });
  }

  const invalid = [
    '',
    'banana',
    '1.2',
    '1',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.3-01',
    '=1.2.3',
    'vv1.2.3',
    'V1.2.3',
    ' 1.2.3',
    '1.2.3 ',
    '1.2.3-',
    '1.2.3+',
    '1.2.3foo',
    '>=1.2.3',
    '1.2.x',
  ];
  for (const v of invalid) {
    it(`rejects ${JSON.stringify(v)}`, () => {
      assert.equal(sv.isValid(v), false);
      throwsInvalid(() => sv.normalize(v), v);
      throwsInvalid(() => sv.compare(v, '1.0.0'), v);
      throwsInvalid(() => sv.compare('1.0.0', v), v);
      throwsInvalid(() => sv.satisfies(v, '*'), v);
    });
  }

  it('is what schemeFor("semver") returns', () => assert.equal(schemeFor('semver'), sv));
});

describe('semver ranges', () => {
  // [range, version, matches by default, matches with { prereleases: true }]
  const cases: Array<[string, string, boolean, boolean]> = [
    ['>=1.2.3 <2.0.0', '1.2.3', true, true],
    ['>=1.2.3 <2.0.0', '1.9.9', true, true],
    ['>=1.2.3 <2.0.0', '2.0.0', false, false],
    ['>=1.2.3 <2.0.0', '1.2.2', false, false],
    ['>=1.2.3 <2.0.0', '1.5.0-rc.1', false, true],
    ['>=1.2.3-rc.1 <2.0.0', '1.2.3-rc.2', true, true],
    ['>=1.2.3 <2.0.0', '2.0.0-rc.1', false, true],
    ['^1.2.3', '1.9.0', true, true],
    ['^1.2.3', '2.0.0', false, false],
    ['^0.2.3', '0.2.9', true, true],
    ['^0.2.3', '0.3.0', false, false],
    ['~1.2.3', '1.2.9', true, true],
    ['~1.2.3', '1.3.0', false, false],
    ['1.2.x', '1.2.7', true, true],
    ['1.x', '1.9.0', true, true],
    ['1.2.3 - 1.4.0', '1.4.0', true, true],
    ['1.2.3 - 1.4.0', '1.4.1', false, false],
    ['<1.0.0 || >=2.0.0', '0.9.0', true, true],
    ['<1.0.0 || >=2.0.0', '1.5.0', false, false],
    ['=1.2.3', '1.2.3+build.7', true, true],
    ['1.2.3', 'v1.2.3', true, true],
    ['*', '3.4.5', true, true],
    ['', '3.4.5', true, true],
    ['*', '3.4.5-beta.1', false, true],
  ];
  for (const [range, version, byDefault, withPre] of cases) {
    it(`${JSON.stringify(range)} ${byDefault ? 'matches' : 'rejects'} ${version}`, () => {
      assert.equal(sv.satisfies(version, range), byDefault);
      assert.equal(sv.satisfies(version, range, { prereleases: true }), withPre);
    });
  }

  const invalidRanges = ['banana', '>=1.2.3 <', '>=a.b.c', '~>1.0.0.0'];
  for (const range of invalidRanges) {
    it(`rejects range ${JSON.stringify(range)}`, () => throwsInvalid(() => sv.satisfies('1.0.0', range), range));
  }
});
