// Safe versions across several advisories, and the fixed list of an entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AffectedPackage, RangeEvent, VersionSchemeName } from '../../../src/intel/model.ts';
import { fixedVersions, safeVersion } from '../../../src/intel/safe-version.ts';

function entry(events: RangeEvent[][], versions: string[] = [], scheme: VersionSchemeName = 'pep440'): AffectedPackage {
  return {
    ecosystem: scheme === 'pep440' ? 'PyPI' : 'upstream',
    name: 'pkg',
    normalizedName: 'pkg',
    scheme,
    ranges: events.map((e) => ({ type: 'ECOSYSTEM', events: e })),
    versions,
  };
}

describe('safeVersion', () => {
  it('gives the same answers through a memo shared by several versions of one package', () => {
    const entries = [
      entry([[{ introduced: '0' }, { fixed: '2.0' }]]),
      entry([[{ introduced: '2.0' }, { fixed: '2.3' }]]),
      entry([[{ introduced: '2.5' }, { fixed: '2.6' }]]),
    ];
    const memo = new Map<string, boolean>();
    for (const current of ['1.0', '2.1', '2.5', '1.5', '2.0']) {
      assert.deepEqual(safeVersion(current, entries, 'pep440', memo), safeVersion(current, entries, 'pep440'), current);
    }
    assert.deepEqual([...memo].sort(), [
      ['2.0', false],
      ['2.3', true],
      ['2.6', true],
    ]);
  });

  const cases: Array<[title: string, current: string, entries: AffectedPackage[], expected: unknown]> = [
    [
      'the current version when nothing affects it',
      '2.5',
      [entry([[{ introduced: '0' }, { fixed: '2.0' }]])],
      { version: '2.5' },
    ],
    ['the fix of a single advisory', '1.5', [entry([[{ introduced: '0' }, { fixed: '2.0' }]])], { version: '2.0' }],
    [
      'A fixed 2.0, B introduced 2.0 fixed 2.3 → 2.3',
      '1.0',
      [entry([[{ introduced: '0' }, { fixed: '2.0' }]]), entry([[{ introduced: '2.0' }, { fixed: '2.3' }]])],
      { version: '2.3' },
    ],
    [
      'A fixed 2.0, B introduced 1.0 last_affected 2.5 → none (nothing known above 2.5)',
      '1.0',
      [entry([[{ introduced: '0' }, { fixed: '2.0' }]]), entry([[{ introduced: '1.0' }, { last_affected: '2.5' }]])],
      { none: 'no fixed version known' },
    ],
    [
      'litellm PYSEC-2026-2 last_affected only → none',
      '1.82.7',
      [entry([[{ introduced: '1.82.7' }, { last_affected: '1.82.8' }]], ['1.82.7', '1.82.8'])],
      { none: 'no fixed version known' },
    ],
    ['MAL introduced 0 only → none', '1.0', [entry([[{ introduced: '0' }]])], { none: 'no fixed version known' }],
    [
      'the lowest fix above the current version in a multi-pair range (django PYSEC-2015-9)',
      '1.5.2',
      [
        entry([
          [
            { introduced: '0' },
            { fixed: '1.4.20' },
            { introduced: '1.5' },
            { fixed: '1.6.11' },
            { introduced: '1.7' },
            { fixed: '1.7.7' },
          ],
        ]),
      ],
      { version: '1.6.11' },
    ],
    [
      'the branch fix, not the highest fix (django GHSA-5hgc-2vfp-mqvc, three entries)',
      '4.2.10',
      [
        entry([[{ introduced: '5.1' }, { fixed: '5.1.1' }]]),
        entry([[{ introduced: '5.0' }, { fixed: '5.0.9' }]]),
        entry([[{ introduced: '4.2' }, { fixed: '4.2.16' }]]),
      ],
      { version: '4.2.16' },
    ],
    [
      'a fix that another advisory lists as affected is skipped',
      '1.0',
      [
        entry([[{ introduced: '0' }, { fixed: '1.1' }]]),
        entry([], ['1.1']),
        entry([[{ introduced: '0' }, { fixed: '1.2' }]]),
      ],
      { version: '1.2' },
    ],
    [
      'the fix in canonical spelling (certifi GHSA-248v-346w-9cwc)',
      '2023.7.22',
      [entry([[{ introduced: '2021.05.30' }, { fixed: '2024.07.04' }]])],
      { version: '2024.7.4' },
    ],
    [
      'a pre-release fix is the lowest safe version (twisted fixed 24.7.0rc1)',
      '24.3.0',
      [entry([[{ introduced: '0' }, { fixed: '24.7.0rc1' }]])],
      { version: '24.7.0rc1' },
    ],
    ['a limit is a candidate', '1.2', [entry([[{ introduced: '1.0' }, { limit: '1.5' }]])], { version: '1.5' }],
    [
      'fixes below the current version are no candidates',
      '3.0',
      [entry([[{ introduced: '0' }, { fixed: '2.0' }, { introduced: '2.5' }]])],
      { none: 'no fixed version known' },
    ],
    [
      'an unknown-range entry does not block a fix of another advisory',
      '4.0',
      [entry([]), entry([[{ introduced: '0' }, { fixed: '4.1' }]])],
      { version: '4.1' },
    ],
    [
      'a candidate an advisory cannot read is not proven safe',
      '1.0',
      [entry([[{ introduced: '0' }, { fixed: '2.0' }]]), entry([[{ introduced: '0' }, { last_affected: '2.9.0-NA' }]])],
      { none: 'no fixed version known' },
    ],
    [
      'OpenSSL: from 1.1.1s to the branch fix 1.1.1u across two CVEs',
      '1.1.1s',
      [
        entry(
          [
            [{ introduced: '1.1.1' }, { fixed: '1.1.1t' }],
            [{ introduced: '3.0.0' }, { fixed: '3.0.8' }],
          ],
          [],
          'openssl',
        ),
        entry(
          [
            [{ introduced: '1.1.1' }, { fixed: '1.1.1u' }],
            [{ introduced: '3.0.0' }, { fixed: '3.0.9' }],
          ],
          [],
          'openssl',
        ),
      ],
      { version: '1.1.1u' },
    ],
    [
      'curl last vulnerable 8.3.0 offers no fix version by itself',
      '8.1.2',
      [entry([[{ introduced: '7.9.1' }, { last_affected: '8.3.0' }]], [], 'upstream')],
      { none: 'no fixed version known' },
    ],
  ];
  for (const [title, current, entries, expected] of cases) {
    it(title, () => {
      const scheme = entries[0]?.scheme ?? 'pep440';
      assert.deepEqual(safeVersion(current, entries, scheme), expected);
    });
  }

  it('says when the current version cannot be compared', () => {
    const entries = [entry([[{ introduced: '0' }, { fixed: '2.0' }]])];
    assert.deepEqual(safeVersion('0.1-bulbasaur', entries, 'pep440'), { none: 'version not comparable' });
  });

  it('is the current version when there are no entries', () => {
    assert.deepEqual(safeVersion('1.0', [], 'pep440'), { version: '1.0' });
  });
});

describe('fixedVersions', () => {
  it('lists fixed events in source order, once each, across ranges', () => {
    const django = entry([
      [{ introduced: '0' }, { fixed: '1.4.20' }, { introduced: '1.5' }, { fixed: '1.6.11' }],
      [{ introduced: '1.5' }, { fixed: '1.6.11' }, { introduced: '1.8a0' }, { fixed: '1.8c1' }],
    ]);
    assert.deepEqual(fixedVersions(django), ['1.4.20', '1.6.11', '1.8c1']);
  });

  it('has no last_affected, limit or introduced values', () => {
    const litellm = entry([[{ introduced: '1.82.7' }, { last_affected: '1.82.8' }, { limit: '2.0' }]]);
    assert.deepEqual(fixedVersions(litellm), []);
  });
});
