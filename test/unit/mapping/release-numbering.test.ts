import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparatorFor } from '../../../src/intel/schemes.ts';
import { nativeProduct } from '../../../src/mapping/native.ts';
import { affectedInCondaNumbering, inCondaNumbering } from '../../../src/mapping/release-numbering.ts';

const SERIES = [
  { from: 22, to: 25, major: 4 },
  { from: 26, to: 29, major: 5 },
  { from: 30, to: 33, major: 6 },
];

describe('release numbering restated in conda’s', () => {
  it('prefixes a release number with its series’ major and leaves runtime numbers and 0 alone', () => {
    assert.equal(inCondaNumbering(SERIES, '28.2'), '5.28.2');
    assert.equal(inCondaNumbering(SERIES, '22.0'), '4.22.0');
    assert.equal(inCondaNumbering(SERIES, '33.0'), '6.33.0');
    assert.equal(inCondaNumbering(SERIES, '4.25.0'), '4.25.0');
    assert.equal(inCondaNumbering(SERIES, '3.21.12'), '3.21.12');
    assert.equal(inCondaNumbering(SERIES, '0'), '0');
    assert.equal(inCondaNumbering([], '28.2'), '28.2', 'no table: as written');
  });

  it('leaves a release the table does not place unreadable, so the range is undecided, not guessed', () => {
    const unplaced = inCondaNumbering(SERIES, '34.1');
    assert.equal(unplaced, 'release 34.1');
    assert.equal(comparatorFor('upstream').parse(unplaced), undefined);
  });

  it('compares libprotobuf 5.28.1 below release 28.2 and 5.28.2 equal to it', () => {
    const upstream = comparatorFor('upstream');
    const bound = upstream.parse(inCondaNumbering(SERIES, '28.2'));
    const before = upstream.parse('5.28.1');
    const at = upstream.parse('5.28.2');
    assert.ok(bound && before && at);
    assert.ok(upstream.compare(before, bound) < 0);
    assert.equal(upstream.compare(at, bound), 0);
    const raw = upstream.parse('28.2');
    assert.ok(
      raw && upstream.compare(upstream.parse('6.30.0') as NonNullable<typeof raw>, raw) < 0,
      'unrestated, 6.30 would sort below 28.2',
    );
  });

  it('restates every bound and listed version of a product that has a table, and nothing of one that has not', () => {
    const protobuf = nativeProduct('protobuf');
    assert.ok(protobuf);
    const entry = {
      ecosystem: 'upstream' as const,
      name: 'protobuf',
      normalizedName: 'protobuf',
      scheme: 'upstream' as const,
      ranges: [{ type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: '28.2' }] }],
      versions: ['29.0', '4.25.1'],
    };
    const restated = affectedInCondaNumbering(protobuf, entry);
    assert.deepEqual(restated.ranges[0]?.events, [{ introduced: '0' }, { fixed: '5.28.2' }]);
    assert.deepEqual(restated.versions, ['5.29.0', '4.25.1']);
    const zlib = nativeProduct('zlib');
    assert.ok(zlib);
    assert.equal(affectedInCondaNumbering(zlib, entry), entry);
  });
});
