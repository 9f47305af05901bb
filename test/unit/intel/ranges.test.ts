// OSV affected-entry evaluation on the real traps of the corpus (values copied from the records named).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedPackage, AffectedRange, RangeEvent, VersionSchemeName } from '../../../src/intel/model.ts';
import { firstAffected, isAffected, isAffectedMatch, type Verdict } from '../../../src/intel/ranges.ts';

function entry(
  name: string,
  ranges: AffectedRange[],
  versions: string[] = [],
  scheme: VersionSchemeName = 'pep440',
): AffectedPackage {
  const ecosystem = scheme === 'pep440' ? 'PyPI' : 'upstream';
  return { ecosystem, name, normalizedName: name.toLowerCase(), scheme, ranges, versions };
}

const ecosystem = (...events: RangeEvent[]): AffectedRange => ({ type: 'ECOSYSTEM', events });
const semverRange = (...events: RangeEvent[]): AffectedRange => ({ type: 'SEMVER', events });

/** version → expected: true (affected), false (not affected). */
function table(title: string, affected: AffectedPackage, expected: Record<string, boolean>): void {
  describe(title, () => {
    for (const [version, hit] of Object.entries(expected)) {
      it(`${version} ${hit ? 'is' : 'is not'} affected`, () => {
        const verdict = isAffected(version, affected);
        assert.equal(isAffectedMatch(verdict), hit, JSON.stringify(verdict));
        if (!hit) assert.equal(verdict, undefined);
      });
    }
  });
}

table(
  'tensorflow GHSA-gwcx-jrx4-92w2: hyphenated pre-release in events and versions',
  entry('tensorflow', [ecosystem({ introduced: '2.8.0-rc0' }, { fixed: '2.8.0' })], ['2.8.0-rc0']),
  { '2.7.1': false, '2.8.0rc0': true, '2.8.0-rc0': true, '2.8.0rc1': true, '2.8.0': false, '2.8.1': false },
);

table(
  'gradio PYSEC-2026-1421: last_affected 5.0.0-beta.2',
  entry(
    'gradio',
    [ecosystem({ introduced: '4.38.0' }, { last_affected: '5.0.0-beta.2' })],
    ['4.38.0', '4.38.1', '4.39.0', '4.40.0', '4.41.0', '4.42.0', '4.43.0', '4.44.0', '4.44.1', '5.0.0b1'],
  ),
  { '4.37.2': false, '4.38.0': true, '4.44.1': true, '5.0.0b2': true, '5.0.0b3': false, '5.0.0': false },
);

table(
  'django PYSEC-2015-9: several introduced/fixed pairs in one range, fixed 1.8c1',
  entry('django', [
    ecosystem(
      { introduced: '0' },
      { fixed: '1.4.20' },
      { introduced: '1.5' },
      { fixed: '1.6.11' },
      { introduced: '1.7' },
      { fixed: '1.7.7' },
      { introduced: '1.8a0' },
      { fixed: '1.8c1' },
    ),
  ]),
  {
    '1.0.1': true,
    '1.4.19': true,
    '1.4.20': false,
    '1.4.22': false,
    '1.5': true,
    '1.6.10': true,
    '1.6.11': false,
    '1.7': true,
    '1.7.6': true,
    '1.7.7': false,
    '1.8a1': true,
    '1.8b2': true,
    '1.8rc1': false,
    '1.8': false,
    '2.0': false,
  },
);

table(
  'certifi GHSA-248v-346w-9cwc: leading zeros in events',
  entry('certifi', [ecosystem({ introduced: '2021.05.30' }, { fixed: '2024.07.04' })]),
  { '2021.5.29': false, '2021.5.30': true, '2023.7.22': true, '2024.2.2': true, '2024.7.4': false, '2024.8.30': false },
);

table(
  'numpy GHSA-fpfv-jqm9-f5jm: fixed 1.22 is 1.22.0',
  entry('numpy', [ecosystem({ introduced: '0' }, { fixed: '1.22' })]),
  { '1.21.6': true, '1.22.0rc1': true, '1.22.0': false, '1.22': false, '1.26.4': false },
);

table(
  'litellm PYSEC-2026-2: introduced 1.82.7, last_affected 1.82.8',
  entry('litellm', [ecosystem({ introduced: '1.82.7' }, { last_affected: '1.82.8' })], ['1.82.7', '1.82.8']),
  { '1.82.6': false, '1.82.7': true, '1.82.8': true, '1.82.8.post1': false, '1.82.9': false },
);

table('litellm MAL-2026-2144: listed versions only', entry('litellm', [], ['1.82.7', '1.82.8']), {
  '1.82.6': false,
  '1.82.7': true,
  '1.82.8': true,
  '1.82.9': false,
  '1.82.8rc1': false,
});

table(
  'ultralytics PYSEC-2024-154: introduced 8.3.41, fixed 8.3.47, versions unsorted',
  entry(
    'ultralytics',
    [ecosystem({ introduced: '8.3.41' }, { fixed: '8.3.47' })],
    ['8.3.41', '8.3.42', '8.3.45', '8.3.46', '8.3.43', '8.3.44'],
  ),
  { '8.3.40': false, '8.3.41': true, '8.3.44': true, '8.3.46': true, '8.3.47': false },
);

table(
  'twisted PYSEC-2024-75: fixed 24.7.0rc1 (a pre-release fix)',
  entry('twisted', [ecosystem({ introduced: '0' }, { fixed: '24.7.0rc1' })]),
  { '24.3.0': true, '24.7.0rc0': true, '24.7.0rc1': false, '24.7.0rc2': false, '24.7.0': false },
);

table(
  'pre-releases inside a range are affected (OSV ranges are not PEP 440 specifiers)',
  entry('pkg', [ecosystem({ introduced: '1.0' }, { fixed: '2.0' })]),
  { '1.0rc1': false, '1.0': true, '1.5a1': true, '1.5.dev3': true, '2.0rc1': true, '2.0': false },
);

table(
  'httpx GHSA-h8pj-cxx2-jfg2: introduced 0 only, unbounded above',
  entry('httpx', [ecosystem({ introduced: '0' })]),
  { '0.0.1': true, '0.27.0': true, '99!1.0': true },
);

table('only introduced (not 0): everything from it on', entry('pkg', [ecosystem({ introduced: '3.10.0b1' })]), {
  '3.9.5': false,
  '3.10.0a1': false,
  '3.10.0b1': true,
  '3.10.0': true,
  '4.0': true,
});

table(
  'several ranges: any one affects',
  entry('pkg', [
    ecosystem({ introduced: '1.0' }, { fixed: '1.2' }),
    ecosystem({ introduced: '2.0' }, { fixed: '2.1' }),
  ]),
  { '0.9': false, '1.1': true, '1.2': false, '2.0.5': true, '2.1': false },
);

table(
  'unsorted events are sorted first, as OSV specifies',
  entry('pkg', [ecosystem({ introduced: '2.0' }, { fixed: '2.1' }, { introduced: '0' }, { fixed: '1.2' })]),
  { '1.0': true, '1.2': false, '1.9': false, '2.0': true, '2.1': false },
);

table(
  'fixed X then introduced X (adjacent branches): X stays affected',
  entry('pkg', [ecosystem({ introduced: '1.0' }, { fixed: '2.0' }, { introduced: '2.0' }, { fixed: '2.1' })]),
  { '1.5': true, '2.0': true, '2.0.9': true, '2.1': false },
);

table(
  'limit: the range stops below it (exclusive)',
  entry('pkg', [ecosystem({ introduced: '1.0' }, { limit: '1.5' })]),
  { '0.9': false, '1.0': true, '1.4.9': true, '1.5': false, '2.0': false },
);

table(
  'several limits: below any of them is enough; "*" is infinity',
  entry('pkg', [
    ecosystem({ introduced: '0' }, { fixed: '3.0' }, { limit: '1.5' }, { limit: '2.5' }),
    ecosystem({ introduced: '5.0' }, { limit: '*' }),
  ]),
  { '1.0': true, '2.4': true, '2.5': false, '2.9': false, '5.0': true, '9.0': true },
);

table(
  'SEMVER ranges use SemVer precedence (OSV schema example)',
  entry('pkg', [semverRange({ introduced: '1.0.0' }, { fixed: '1.0.2' }, { introduced: '3.0.0' }, { fixed: '3.2.5' })]),
  {
    '0.9.9': false,
    '1.0.0-rc.1': false,
    '1.0.0': true,
    '1.0.2-beta.1': true,
    '1.0.2': false,
    '3.2.4': true,
    '3.2.5': false,
  },
);

table(
  'OpenSSL CVE-2023-0286: one entry per branch, letter releases',
  entry(
    'openssl',
    [
      ecosystem({ introduced: '3.0.0' }, { fixed: '3.0.8' }),
      ecosystem({ introduced: '1.1.1' }, { fixed: '1.1.1t' }),
      ecosystem({ introduced: '1.0.2' }, { fixed: '1.0.2zg' }),
    ],
    [],
    'openssl',
  ),
  {
    '1.0.1u': false,
    '1.0.2': true,
    '1.0.2z': true,
    '1.0.2zf': true,
    '1.0.2zg': false,
    '1.1.0l': false,
    '1.1.1': true,
    '1.1.1s': true,
    '1.1.1t': false,
    '1.1.1w': false,
    '3.0.0-alpha1': false,
    '3.0.0': true,
    '3.0.7': true,
    '3.0.8': false,
    '3.1.0': false,
  },
);

table(
  'OpenSSL CVE-2023-0464: 1.1.1t is inside {1.1.1, lessThan 1.1.1u}',
  entry('openssl', [ecosystem({ introduced: '1.1.1' }, { fixed: '1.1.1u' })], [], 'openssl'),
  { '1.1.0l': false, '1.1.1': true, '1.1.1t': true, '1.1.1u': false, '1.1.1za': false },
);

table(
  'curl CVE-2023-38546: first 7.9.1, last vulnerable 8.3.0',
  entry('curl', [ecosystem({ introduced: '7.9.1' }, { last_affected: '8.3.0' })], [], 'upstream'),
  { '7.9': false, '7.9.1': true, '7.88.1': true, '8.3.0': true, '8.4.0': false },
);

table(
  'curl CVE-2023-27533: old two-part first vulnerable 7.7',
  entry('curl', [ecosystem({ introduced: '7.7' }, { last_affected: '7.88.1' })], [], 'upstream'),
  { '7.6.1': false, '7.7': true, '7.7.0': true, '7.10.8': true, '7.88.1': true, '8.0.0': false },
);

describe('match details', () => {
  it('says which listed spelling matched', () => {
    const tf = entry('tensorflow', [ecosystem({ introduced: '2.8.0-rc0' }, { fixed: '2.8.0' })], ['2.8.0-rc0']);
    assert.deepEqual(isAffected('2.8.0rc0', tf), { by: 'versions', listed: '2.8.0-rc0' });
    assert.deepEqual(isAffected('2.8.0-rc0', tf), { by: 'versions', listed: '2.8.0-rc0' });
  });

  it('matches a listed version written with padding', () => {
    assert.deepEqual(isAffected('1.22', entry('pkg', [], ['1.22.0'])), { by: 'versions', listed: '1.22.0' });
  });

  it('names the range and the events around the version', () => {
    const django = entry('django', [
      ecosystem({ introduced: '0' }, { fixed: '1.4.20' }, { introduced: '1.5' }, { fixed: '1.6.11' }),
    ]);
    assert.deepEqual(isAffected('1.6', django), { by: 'range', range: 0, introduced: '1.5', fixed: '1.6.11' });
    const two = entry('pkg', [ecosystem({ introduced: '0' }, { fixed: '1.0' }), ecosystem({ introduced: '2.0' })]);
    assert.deepEqual(isAffected('3.0', two), { by: 'range', range: 1, introduced: '2.0' });
    const litellm = entry('litellm', [ecosystem({ introduced: '1.82.7' }, { last_affected: '1.82.8' })]);
    assert.deepEqual(isAffected('1.82.8', litellm), {
      by: 'range',
      range: 0,
      introduced: '1.82.7',
      lastAffected: '1.82.8',
    });
    const limited = entry('pkg', [ecosystem({ introduced: '1.0' }, { limit: '2.5' }, { limit: '1.5' })]);
    assert.deepEqual(isAffected('1.2', limited), { by: 'range', range: 0, introduced: '1.0', limit: '1.5' });
  });
});

describe('undecided entries', () => {
  it('an entry with neither ranges nor versions is an unknown range (gradio PYSEC-2024-261)', () => {
    const gradio = entry('gradio', []);
    assert.deepEqual(isAffected('4.0.0', gradio), { undecided: 'unknown-range' });
    assert.equal(isAffectedMatch(isAffected('4.0.0', gradio)), false);
  });

  it('a version the scheme cannot read is never affected by a range', () => {
    const pkg = entry('pkg', [ecosystem({ introduced: '0' }, { fixed: '9.0' })]);
    assert.deepEqual(isAffected('0.1-bulbasaur', pkg), { undecided: 'unparseable', values: ['0.1-bulbasaur'] });
    const curl = entry('curl', [ecosystem({ introduced: '7.7' }, { last_affected: '8.3.0' })], [], 'upstream');
    assert.deepEqual(isAffected('8.1.2_1', curl), { undecided: 'unparseable', values: ['8.1.2_1'] });
  });

  it('an unreadable version is still affected when listed verbatim', () => {
    const pkg = entry('pkg', [ecosystem({ introduced: '0' }, { fixed: '1.0' })], ['0.1-bulbasaur']);
    assert.deepEqual(isAffected('0.1-bulbasaur', pkg), { by: 'versions', listed: '0.1-bulbasaur' });
  });

  it('an unreadable version is not affected by a versions-only entry (exact listing is complete)', () => {
    assert.equal(isAffected('0.1-bulbasaur', entry('pkg', [], ['1.0'])), undefined);
  });

  it('a range with an unreadable event is undecided (PYSEC-2024-264 last_affected 2.9.0-NA)', () => {
    const pkg = entry('pkg', [ecosystem({ introduced: '0' }, { last_affected: '2.9.0-NA' })]);
    assert.deepEqual(isAffected('2.0.0', pkg), { undecided: 'unparseable', values: ['2.9.0-NA'] });
    const other = entry('pkg', [
      ecosystem({ introduced: '0' }, { last_affected: '2.9.0-NA' }),
      ecosystem({ introduced: '3.0' }, { fixed: '3.1' }),
    ]);
    assert.equal(isAffectedMatch(isAffected('3.0.5', other)), true, 'another range still decides');
  });

  it('introduced "0" alone needs no comparison: any version of a malicious package (MAL-2022-7433)', () => {
    const equests = entry('equests', [ecosystem({ introduced: '0' })]);
    assert.deepEqual(isAffected('0.1-bulbasaur', equests), { by: 'range', range: 0, introduced: '0' });
    assert.deepEqual(isAffected('1.0', equests), { by: 'range', range: 0, introduced: '0' });
  });

  it('a PEP 440 version is unreadable in a SEMVER range', () => {
    const pkg = entry('pkg', [semverRange({ introduced: '1.0.0' }, { fixed: '2.0.0' })]);
    assert.deepEqual(isAffected('1.5', pkg), { undecided: 'unparseable', values: ['1.5'] });
  });
});

describe('firstAffected over several entries', () => {
  // django GHSA-5hgc-2vfp-mqvc: one affected entry per branch.
  const django = [
    entry('Django', [ecosystem({ introduced: '5.1' }, { fixed: '5.1.1' })]),
    entry('Django', [ecosystem({ introduced: '5.0' }, { fixed: '5.0.9' })]),
    entry('Django', [ecosystem({ introduced: '4.2' }, { fixed: '4.2.16' })]),
  ];
  const cases: Array<[string, number | undefined]> = [
    ['4.1.13', undefined],
    ['4.2', 2],
    ['4.2.15', 2],
    ['4.2.16', undefined],
    ['5.0.8', 1],
    ['5.0.9', undefined],
    ['5.1', 0],
    ['5.1.1', undefined],
  ];
  for (const [version, index] of cases) {
    it(`django ${version}: ${index === undefined ? 'none' : `entry ${index}`}`, () => {
      const hit = firstAffected(version, django);
      assert.equal(hit?.index, index);
      if (hit) assert.equal(isAffectedMatch(hit.verdict), true);
    });
  }

  it('falls back to the first undecided entry when nothing matches', () => {
    const entries = [entry('gradio', [ecosystem({ introduced: '5.0' }, { fixed: '5.1' })]), entry('gradio', [])];
    const verdict: Verdict = firstAffected('4.0', entries)?.verdict;
    assert.deepEqual(firstAffected('4.0', entries), { index: 1, verdict: { undecided: 'unknown-range' } });
    assert.equal(isAffectedMatch(verdict), false);
    assert.equal(firstAffected('5.0.1', entries)?.index, 0);
  });

  it('is undefined for no entries', () => assert.equal(firstAffected('1.0', []), undefined));
});
