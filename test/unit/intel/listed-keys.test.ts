import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { listedKeysOf } from '../../../src/intel/listed-keys.ts';
import type { Advisory, AffectedPackage, VersionSchemeName } from '../../../src/intel/model.ts';
import { isAffected } from '../../../src/intel/ranges.ts';
import { openStore } from '../../../src/intel/store.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const entry = (scheme: VersionSchemeName, versions: string[]): AffectedPackage => ({
  ecosystem: scheme === 'pep440' ? 'PyPI' : 'upstream',
  name: 'demo',
  normalizedName: 'demo',
  scheme,
  ranges: [],
  versions,
});

const advisory = (id: string, affected: AffectedPackage[]): Advisory => ({
  id,
  aliases: [],
  kind: 'vulnerability',
  modified: '2024-01-01T00:00:00Z',
  severity: { vectors: [] },
  cwes: [],
  affected,
  references: [],
  feed: 'pypa',
});

const CASES: [VersionSchemeName, string[], string[]][] = [
  [
    'pep440',
    ['1.0', '1.0.0', '2.8.0-rc0', 'not a version', '3.1', '1.5.0', 'v1.6'],
    ['1', '1.0', '1.0.0', '2.8.0rc0', '2.8rc0', 'not a version', '3.1.0', '1.5', '1.6', '1.6.0', '9.9', 'x'],
  ],
  ['openssl', ['1.1.1t', '3.0.7', '3.0.0'], ['1.1.1t', '1.1.1u', '3.0.7', '3.0', '3.0.0']],
  ['upstream', ['2.10.3', '2.10.03', '7_88_0', '1.2.13'], ['2.10.3', '2.10.03', '2.10.3.0', '1.2.13', '7.88.0']],
];

function roundTrip(affected: AffectedPackage): AffectedPackage {
  const store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
  try {
    store.upsertAdvisory(advisory('PYSEC-1', [affected]));
    const [read] = store.advisoriesFor(affected.ecosystem, affected.normalizedName);
    assert.ok(read);
    return read.affected[0] as AffectedPackage;
  } finally {
    store.close();
  }
}

describe('listed versions keyed by the store', () => {
  for (const [scheme, listed, asked] of CASES) {
    it(`answers ${scheme} lookups exactly as parsing every listed version does`, () => {
      const fresh = entry(scheme, listed);
      const stored = roundTrip(entry(scheme, listed));
      assert.ok(listedKeysOf(stored), 'the store kept the keys');
      assert.equal(listedKeysOf(fresh), undefined);
      for (const version of asked) {
        assert.deepEqual(isAffected(version, stored), isAffected(version, fresh), `${scheme} ${version}`);
      }
    });
  }

  it('keeps the keys out of the advisory it hands back', () => {
    const stored = roundTrip(entry('pep440', ['1.0', '2.0.0']));
    assert.deepEqual(Object.keys(stored).sort(), [
      'ecosystem',
      'name',
      'normalizedName',
      'ranges',
      'scheme',
      'versions',
    ]);
  });

  it('ignores keys written under another key version, and parses instead', () => {
    const path = join(tempDirectory(), 'intel.sqlite');
    const store = openStore(path, { create: true });
    store.upsertAdvisory(advisory('PYSEC-2', [entry('pep440', ['1.0', '2.0.0'])]));
    store.close();
    const db = new DatabaseSync(path);
    const { json } = db.prepare("SELECT json FROM advisories WHERE id = 'PYSEC-2'").get() as { json: string };
    // a stale store whose keys claim that every listed version is its own key
    const record = JSON.parse(json) as { affected: { listedKeys: { v: number; x: unknown[] } }[] };
    assert.equal(record.affected[0]?.listedKeys.x.length, 2);
    for (const stored of record.affected) stored.listedKeys = { v: 0, x: [] };
    const stale = JSON.stringify(record);
    db.prepare("UPDATE advisories SET json = ? WHERE id = 'PYSEC-2'").run(stale);
    db.close();
    const reopened = openStore(path);
    try {
      const [read] = reopened.advisoriesFor('PyPI', 'demo');
      const affected = read?.affected[0] as AffectedPackage;
      assert.equal(listedKeysOf(affected), undefined);
      assert.deepEqual(isAffected('1.0.0', affected), { by: 'versions', listed: '1.0' });
      assert.deepEqual(isAffected('2', affected), { by: 'versions', listed: '2.0.0' });
    } finally {
      reopened.close();
    }
  });

  it('ignores malformed keys (out of order, not an index, not a key), and parses instead', () => {
    for (const x of [
      [
        [1, '2'],
        [0, '1'],
      ],
      [['0', '1']],
      [[0.5, '1']],
      [[0, 1]],
      [7],
    ]) {
      const path = join(tempDirectory(), 'intel.sqlite');
      const store = openStore(path, { create: true });
      store.upsertAdvisory(advisory('PYSEC-3', [entry('pep440', ['1.0', '2.0.0'])]));
      store.close();
      const db = new DatabaseSync(path);
      const { json } = db.prepare("SELECT json FROM advisories WHERE id = 'PYSEC-3'").get() as { json: string };
      const record = JSON.parse(json) as { affected: { listedKeys: { v: number; x: unknown[] } }[] };
      for (const stored of record.affected) stored.listedKeys = { v: stored.listedKeys.v, x };
      db.prepare("UPDATE advisories SET json = ? WHERE id = 'PYSEC-3'").run(JSON.stringify(record));
      db.close();
      const reopened = openStore(path);
      try {
        const affected = reopened.advisoriesFor('PyPI', 'demo')[0]?.affected[0] as AffectedPackage;
        assert.equal(listedKeysOf(affected), undefined, JSON.stringify(x));
        assert.deepEqual(isAffected('1.0.0', affected), { by: 'versions', listed: '1.0' });
        assert.deepEqual(isAffected('2', affected), { by: 'versions', listed: '2.0.0' });
      } finally {
        reopened.close();
      }
    }
  });

  it('keeps a record merged from several feeds (NVD, the CVE List) keyed, and re-importing it writes nothing', () => {
    const store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
    try {
      const fromFeed = (feed: 'nvd' | 'cve5', versions: string[]): Advisory => ({
        ...advisory('CVE-2099-3094', [{ ...entry('upstream', versions), source: feed === 'nvd' ? 'nvd' : 'cna' }]),
        feed,
      });
      const nvd = fromFeed('nvd', ['5.6.0', '5.6.01']);
      const cve5 = fromFeed('cve5', ['5.6.1']);
      assert.equal(store.upsertAdvisory(nvd), true);
      assert.equal(store.upsertAdvisory(cve5), true);
      assert.equal(store.upsertAdvisory(nvd), false, 'the same NVD statement again');
      assert.equal(store.upsertAdvisory(cve5), false, 'the same CVE List statement again');
      const [read] = store.advisoriesFor('upstream', 'demo');
      assert.ok(read?.merged);
      for (const stored of read.affected) {
        assert.ok(listedKeysOf(stored), 'every merged entry keeps its keys');
        assert.equal(Object.hasOwn(stored, 'listedKeys'), false);
      }
      const nvdEntry = read.affected.find((stored) => stored.feed === 'nvd') as AffectedPackage;
      assert.deepEqual(isAffected('5.6.1', nvdEntry), { by: 'versions', listed: '5.6.01' });
    } finally {
      store.close();
    }
  });
});
