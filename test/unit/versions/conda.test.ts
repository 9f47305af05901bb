// Conda version scheme: CEP-33 ordering, real conda-forge versions and VersionSpec matching, via rattler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import { condaScheme as conda, schemeFor } from '../../../src/versions/index.ts';

// The canonical order from CEP-33 ("Version literals and their ordering"), verbatim.
const CEP33_CHAIN =
  '0.4 == 0.4.0 < 0.4.1.rc == 0.4.1.RC < 0.4.1+local < 0.4.1+0.local < 0.4.1 == 0.4.1+0 < 0.4.1+1.local ' +
  '< 0.5a1 < 0.5b3 < 0.5C1 < 0.5 < 0.9.6 < 0.960923 < 1.0 < 1.1dev1 < 1.1a1 < 1.1.0dev1 == 1.1.dev1 < 1.1.a1 ' +
  '< 1.1.0rc1 < 1.1.0.0 == 1.1.0 == 1.1 < 1.1.post1 == 1.1.0post1 < 1.1post1 < 1996.07.12 < 1!0.4.1 ' +
  '< 1!3.1.1.6 < 2!0.4.1';

const tokens = CEP33_CHAIN.split(' ');
const pairs: Array<[string, '<' | '==', string]> = [];
for (let i = 0; i + 2 < tokens.length; i += 2) {
  pairs.push([tokens[i] as string, tokens[i + 1] as '<' | '==', tokens[i + 2] as string]);
}
const chainVersions = tokens.filter((_, i) => i % 2 === 0);

function throwsInvalid(fn: () => unknown, bad: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CvebuildError);
    assert.equal(e.code, 'VERSION_INVALID');
    assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
    assert.ok(e.message.includes('conda'), e.message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

describe('conda ordering: CEP-33 canonical chain', () => {
  it('has every element of the chain', () => assert.equal(chainVersions.length, 32));

  for (const [a, op, b] of pairs) {
    it(`${a} ${op} ${b}`, () => {
      const expected = op === '<' ? -1 : 0;
      assert.equal(conda.compare(a, b), expected);
      assert.equal(conda.compare(b, a), op === '<' ? 1 : 0);
    });
  }

  it('is transitive across the whole chain', () => {
    for (let i = 0; i < chainVersions.length; i++) {
      for (let j = i + 1; j < chainVersions.length; j++) {
        const a = chainVersions[i] as string;
        const b = chainVersions[j] as string;
        // Only pairs joined by `==` runs may compare equal.
        const equalRun = tokens.slice(2 * i, 2 * j + 1).every((t, k) => k % 2 === 0 || t === '==');
        assert.equal(conda.compare(a, b), equalRun ? 0 : -1, `${a} vs ${b}`);
      }
    }
  });

  const transitive: Array<[string, string]> = [
    ['0.4', '0.4.1'],
    ['0.4.1.rc', '0.4.1'],
    ['0.5a1', '0.5'],
    ['1.1dev1', '1.1'],
    ['0.960923', '1996.07.12'],
    ['1996.07.12', '1!0.4.1'],
    ['0.4', '2!0.4.1'],
  ];
  for (const [a, b] of transitive) {
    it(`${a} < ${b}`, () => assert.equal(conda.compare(a, b), -1));
  }
});

describe('conda ordering: real versions', () => {
  const less: Array<[string, string]> = [
    ['1.0a1', '1.0'],
    ['1.1.1k', '1.1.1w'],
    ['1.1.1w', '3.0.13'],
    ['3.0.13', '3.0.14'],
    ['2.0.0rc1', '2.0.0'],
    ['2.0.0b2', '2.0.0rc1'],
    ['1.26.4', '1.26.10'],
    ['1.26.4', '2.0.0rc1'],
    ['4.5', '4.10'],
    ['3.13.2', '3.13.11'],
    ['3.12.8', '3.13.0'],
    ['2024.2.2', '2024.7.4'],
    ['2024.7.4', '2024.12.14'],
    ['2024.12.14', '2025.1.31'],
    ['9e', '9f'],
    ['1.0.post1', '1.0post1'],
    // A letter suffix sorts BELOW the bare version: the shorter version is padded with 0 and strings
    // order before integers, the same rule that puts `0.4.1.rc < 0.4.1` in the CEP-33 chain (conda's
    // VersionOrder agrees). conda-forge's openssl 1.1.1a..w series still orders among itself.
    ['1.1.1k', '1.1.1'],
    ['1.1.1w', '1.1.1'],
  ];
  for (const [a, b] of less) {
    it(`${a} < ${b}`, () => {
      assert.equal(conda.compare(a, b), -1);
      assert.equal(conda.compare(b, a), 1);
    });
  }

  const equal: Array<[string, string]> = [
    ['1.1_2', '1.1.2'],
    ['1.0', '1.0.0'],
    ['1.0-1', '1.0_1'],
    ['1.0-1', '1.0.1'],
    ['2024.07.04', '2024.7.4'],
    ['1.0RC1', '1.0rc1'],
    ['0!1.0', '1.0'],
    ['3.13.11', '3.13.11'],
  ];
  for (const [a, b] of equal) {
    it(`${a} == ${b}`, () => assert.equal(conda.compare(a, b), 0));
  }

  it('sorts a shuffled list', () => {
    const sorted = ['0.9', '1.0a1', '1.0', '1.0.post1', '1.1dev1', '1.1', '2024.7.4', '1!0.1'];
    const shuffled = ['1.1', '0.9', '1!0.1', '1.0', '1.1dev1', '1.0a1', '2024.7.4', '1.0.post1'];
    assert.deepEqual(shuffled.sort(conda.compare), sorted);
  });
});

describe('conda validity and normalization', () => {
  const valid = ['2024.7.4', '3.13.11', '1.26.4', '4.5', '2.0.0rc1', '1.1.1w', '1!2.0+abc', '1.1_2', '1.0_', 'v1.0'];
  for (const v of valid) {
    it(`accepts ${v}`, () => assert.equal(conda.isValid(v), true));
  }

  const invalid = ['', ' 1.0', '1.0 ', '1..0', '1.0+', '1.0*', '>=1.0', '1.0,2', '1!!1', '1.0 1'];
  for (const v of invalid) {
    it(`rejects ${JSON.stringify(v)}`, () => {
      assert.equal(conda.isValid(v), false);
      throwsInvalid(() => conda.normalize(v), v);
      throwsInvalid(() => conda.compare(v, '1.0'), v);
      throwsInvalid(() => conda.compare('1.0', v), v);
      throwsInvalid(() => conda.satisfies(v, '>=1'), v);
    });
  }

  const normalized: Array<[string, string]> = [
    ['2024.7.4', '2024.7.4'],
    ['0.4.1.RC', '0.4.1.rc'],
    ['1.0RC1', '1.0rc1'],
    ['1!1.0+ABC', '1!1.0+abc'],
    ['1.1_2', '1.1_2'],
  ];
  for (const [v, n] of normalized) {
    it(`normalizes ${v} to ${n}`, () => assert.equal(conda.normalize(v), n));
  }

  it('is what schemeFor("conda") returns', () => assert.equal(schemeFor('conda'), conda));
});

describe('conda VersionSpec matching', () => {
  const cases: Array<[string, string, boolean]> = [
    ['>=1.2,<2', '1.5', true],
    ['>=1.2,<2', '2.0a1', true],
    ['>=1.2,<2', '2.0', false],
    ['>=1.2,<2', '1.1', false],
    ['>=1.2, <2', '1.5', true],
    ['1.2.*', '1.2.9', true],
    ['1.2.*', '1.2', true],
    ['1.2.*', '1.3', false],
    ['=1.5', '1.5.9', true],
    ['~=1.4.2', '1.4.9', true],
    ['~=1.4.2', '1.4.2', true],
    ['~=1.4.2', '1.4.1', false],
    ['~=1.4.2', '1.5', false],
    ['~=1.4', '1.9', true],
    ['~=1.4', '2.0', false],
    ['>=1.0|<0.5', '0.4', true],
    ['>=1.0|<0.5', '1.2', true],
    ['>=1.0|<0.5', '0.7', false],
    ['>=1.0,<2|>=3', '3.2', true],
    ['(>=1,<2)|>3', '3.5', true],
    ['1.5|1.6', '1.6', true],
    ['!=1.5', '1.5.0', false],
    ['!=1.5', '1.5.1', true],
    ['!=1.5.*', '1.5.2', false],
    ['1.2.*,!=1.2.3', '1.2.3', false],
    ['1.2.*,!=1.2.3', '1.2.4', true],
    ['1.5', '1.5', true],
    ['1.5', '1.5.0', true],
    ['1.5', '1.5.3', false],
    ['==1.5', '1.5.0', true],
    ['*', '1.0a1', true],
    // Lenient parsing: `>=1.2.*` is read as `>=1.2`.
    ['>=1.2.*', '1.3', true],
    ['>=1.2.*', '1.1', false],
    ['>=1.1.1k', '1.1.1w', true],
    ['>=3.0,<3.1', '3.0.13', true],
    ['2024.7.4', '2024.07.04', true],
    ['>=2024.7', '2024.10.1', true],
    ['>1.0', '1.0post1', true],
    ['<1.0', '1.0a1', true],
  ];
  for (const [spec, version, expected] of cases) {
    it(`${spec} ${expected ? 'matches' : 'rejects'} ${version}`, () => {
      assert.equal(conda.satisfies(version, spec), expected);
    });
  }

  const invalidSpecs = ['', '>=', '>= 1.0', '1.0 ', ' >=1.0', '>=1.0,,<2'];
  for (const spec of invalidSpecs) {
    it(`rejects spec ${JSON.stringify(spec)}`, () => throwsInvalid(() => conda.satisfies('1.0', spec), spec));
  }
});

describe('conda caches', () => {
  it('stays correct across cache eviction (rattler objects freed)', () => {
    // More distinct versions than the 50k cache bound, so eviction and free() run mid-stream.
    let previous = '0.0.0';
    for (let i = 1; i <= 60_000; i++) {
      const v = `1.${i}.0`;
      assert.equal(conda.compare(previous, v), -1);
      previous = v;
    }
    assert.equal(conda.satisfies('1.59999.0', '>=1.5,<2'), true);
  });
});
