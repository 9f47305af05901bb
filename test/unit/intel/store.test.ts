import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import type { Advisory, AffectedPackage, FeedMetadata } from '../../../src/intel/model.ts';
import { defaultStorePath } from '../../../src/intel/paths.ts';
import { openStore, SCHEMA_VERSION } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { APPLICATION_ID, MIGRATIONS } from '../../../src/intel/store-schema.ts';
import { assertCvebuildError } from '../../helpers/errors.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const pypi = (name: string, extra: Partial<AffectedPackage> = {}): AffectedPackage => ({
  ecosystem: 'PyPI',
  name,
  normalizedName: name.toLowerCase(),
  scheme: 'pep440',
  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
  versions: [],
  ...extra,
});

const advisory = (id: string, extra: Partial<Advisory> = {}): Advisory => ({
  id,
  aliases: [],
  kind: 'vulnerability',
  modified: '2024-01-01T00:00:00Z',
  severity: { vectors: [] },
  cwes: [],
  affected: [pypi('demo-lib')],
  references: [],
  feed: 'pypa',
  ...extra,
});

function newStore(): IntelStore {
  return openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
}

describe('openStore', () => {
  it('migrates a store of an older schema, even for a read-only caller, keeping its data', () => {
    const path = join(tempDirectory(), 'v1.sqlite');
    const db = new DatabaseSync(path);
    db.exec(MIGRATIONS[0] ?? '');
    db.exec(`PRAGMA user_version = 1; PRAGMA application_id = ${APPLICATION_ID};`);
    db.exec(
      "INSERT INTO feeds (name, url, fetched_at, count, checksum) VALUES ('kev', 'https://x/kev.json', '2026-01-01T00:00:00.000Z', 3, 'ab')",
    );
    db.close();
    const store = openStore(path, { readOnly: true });
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(store.feed('kev'), {
      name: 'kev',
      url: 'https://x/kev.json',
      fetchedAt: '2026-01-01T00:00:00.000Z',
      count: 3,
      checksum: 'ab',
    });
    store.close();
    const writable = openStore(path);
    writable.recordFeed({ ...(writable.feed('kev') as FeedMetadata), finalUrl: 'https://mirror/kev.json' });
    assert.equal(writable.feed('kev')?.finalUrl, 'https://mirror/kev.json');
    writable.close();
  });

  it('creates a store (and its directory) with the current schema', () => {
    const path = join(tempDirectory(), 'deep', 'dir', 'intel.sqlite');
    const store = openStore(path, { create: true });
    assert.equal(store.path, path);
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(store.counts(), {
      advisories: 0,
      malicious: 0,
      withdrawn: 0,
      kev: 0,
      nameMap: 0,
      popularity: 0,
      maliciousNames: 0,
    });
    store.close();
    const again = openStore(path, { readOnly: true });
    assert.equal(again.schemaVersion, SCHEMA_VERSION);
    again.close();
  });

  it('refuses a missing store without create: DB_MISSING says how to get one', () => {
    const path = join(tempDirectory(), 'none.sqlite');
    assertCvebuildError(() => openStore(path), 'DB_MISSING', path, 'cvebuild db update', 'cvebuild db import');
    assertCvebuildError(() => openStore(path, { create: true, readOnly: true }), 'DB_MISSING');
  });

  it('refuses a file that is not SQLite, an empty file and a foreign SQLite database: DB_CORRUPT', () => {
    const garbage = join(tempDirectory(), 'garbage.sqlite');
    writeFileSync(garbage, 'this is not a database, just some bytes written by a test '.repeat(20));
    assertCvebuildError(() => openStore(garbage), 'DB_CORRUPT', garbage, 'delete it and re-import');
    assertCvebuildError(() => openStore(garbage, { create: true }), 'DB_CORRUPT');

    const empty = join(tempDirectory(), 'empty.sqlite');
    writeFileSync(empty, '');
    assertCvebuildError(() => openStore(empty, { readOnly: true }), 'DB_CORRUPT', 'empty file');

    const foreign = join(tempDirectory(), 'foreign.sqlite');
    const db = new DatabaseSync(foreign);
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    assertCvebuildError(() => openStore(foreign), 'DB_CORRUPT', 'not a cvebuild store');
  });

  it('initialises an empty file when asked to create', () => {
    const empty = join(tempDirectory(), 'empty.sqlite');
    writeFileSync(empty, '');
    const store = openStore(empty, { create: true });
    assert.equal(store.schemaVersion, SCHEMA_VERSION);
    store.close();
  });

  it('refuses a store written by a newer cvebuild: DB_SCHEMA with a fix', () => {
    const store = newStore();
    const { path } = store;
    store.close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assertCvebuildError(() => openStore(path), 'DB_SCHEMA', `version ${SCHEMA_VERSION + 1}`, 'upgrade cvebuild');
    assertCvebuildError(() => openStore(path, { readOnly: true }), 'DB_SCHEMA');
  });

  it('opens an in-memory store', () => {
    const store = openStore(':memory:', { create: true });
    assert.equal(store.upsertAdvisory(advisory('PYSEC-2024-1')), true);
    assert.equal(store.advisoriesFor('PyPI', 'demo-lib').length, 1);
    store.close();
  });
});

describe('defaultStorePath', () => {
  const home = '/home/ada';
  it('prefers CVEBUILD_DB, then the platform cache directory', () => {
    assert.equal(defaultStorePath({ env: { CVEBUILD_DB: '/x/y.sqlite' }, platform: 'linux', home }), '/x/y.sqlite');
    assert.equal(
      defaultStorePath({ env: { XDG_CACHE_HOME: '/cache' }, platform: 'linux', home }),
      '/cache/cvebuild/intel.sqlite',
    );
    assert.equal(defaultStorePath({ env: {}, platform: 'linux', home }), '/home/ada/.cache/cvebuild/intel.sqlite');
    assert.equal(
      defaultStorePath({ env: {}, platform: 'darwin', home: '/Users/ada' }),
      '/Users/ada/Library/Caches/cvebuild/intel.sqlite',
    );
    assert.equal(
      defaultStorePath({
        env: { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
        platform: 'win32',
        home: 'C:\\Users\\ada',
      }),
      'C:\\Users\\ada\\AppData\\Local\\cvebuild\\intel.sqlite',
    );
  });
});

describe('advisories', () => {
  it('upserts idempotently by id and modified; a newer modified replaces, an older one does not', () => {
    const store = newStore();
    assert.equal(store.upsertAdvisory(advisory('PYSEC-2024-1', { summary: 'first' })), true);
    assert.equal(store.upsertAdvisory(advisory('PYSEC-2024-1', { summary: 'first' })), false);
    assert.equal(
      store.upsertAdvisory(advisory('PYSEC-2024-1', { summary: 'older', modified: '2023-06-01T00:00:00Z' })),
      false,
    );
    assert.equal(
      store.upsertAdvisory(
        advisory('PYSEC-2024-1', { summary: 'newer', modified: '2024-02-01T00:00:00Z', affected: [pypi('other')] }),
      ),
      true,
    );
    assert.equal(store.advisoryById('PYSEC-2024-1')?.summary, 'newer');
    assert.deepEqual(store.advisoriesFor('PyPI', 'demo-lib'), [], 'old affected rows are replaced');
    assert.equal(store.advisoriesFor('PyPI', 'other').length, 1);
    assert.equal(store.counts().advisories, 1);
    store.close();
  });

  it('clamps a modified date in the future to the import time, and stays idempotent on it', async () => {
    const store = newStore();
    const future = advisory('PYSEC-2024-115', { modified: '2099-01-01T00:00:00Z', summary: 'future' });
    assert.equal(store.upsertAdvisory(future), true);
    assert.equal(store.upsertAdvisory(future), false, 'the same record again changes nothing');
    assert.equal(
      store.upsertAdvisory(advisory('PYSEC-2024-115', { modified: '2025-06-01T00:00:00Z', summary: 'older' })),
      false,
      'older than the time the future-dated record was imported',
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const corrected = advisory('PYSEC-2024-115', { modified: new Date().toISOString(), summary: 'corrected date' });
    assert.equal(store.upsertAdvisory(corrected), true, 'a later correction still replaces it');
    assert.equal(store.advisoryById('PYSEC-2024-115')?.summary, 'corrected date');
    store.close();
  });

  it('applies a same-dated correction from the same feed, but not the same record from another feed', () => {
    const store = newStore();
    store.upsertAdvisory(advisory('CVE-2024-1', { feed: 'curl', summary: 'v1' }));
    assert.equal(store.upsertAdvisory(advisory('CVE-2024-1', { feed: 'curl', summary: 'v2' })), true);
    assert.equal(store.upsertAdvisory(advisory('CVE-2024-1', { feed: 'local', summary: 'copy' })), false);
    assert.equal(store.advisoryById('CVE-2024-1')?.summary, 'v2');
    store.close();
  });

  it("merges a vendor's, NVD's and the CVE List's records of one CVE, the vendor's fields first", () => {
    const store = newStore();
    const upstreamEntry = (name: string) => ({
      ...pypi(name),
      ecosystem: 'upstream' as const,
      scheme: 'upstream' as const,
    });
    store.upsertAdvisory(
      advisory('CVE-2024-2', {
        feed: 'nvd',
        modified: '2025-01-01T00:00:00Z',
        summary: 'nvd',
        affected: [{ ...upstreamEntry('zlib'), source: 'nvd' }],
      }),
    );
    assert.equal(
      store.upsertAdvisory(
        advisory('CVE-2024-2', { feed: 'openssl', summary: 'vendor', affected: [upstreamEntry('openssl')] }),
      ),
      true,
    );
    assert.equal(
      store.upsertAdvisory(
        advisory('CVE-2024-2', {
          feed: 'nvd',
          modified: '2026-01-01T00:00:00Z',
          summary: 'nvd',
          affected: [{ ...upstreamEntry('libxml2'), source: 'nvd' }],
        }),
      ),
      true,
      "NVD's newer record replaces NVD's statement",
    );
    assert.equal(
      store.upsertAdvisory(
        advisory('CVE-2024-2', { feed: 'nvd', modified: '2025-06-01T00:00:00Z', affected: [upstreamEntry('zlib')] }),
      ),
      false,
      'an older NVD copy changes nothing',
    );
    const merged = store.advisoryById('CVE-2024-2');
    assert.equal(merged?.summary, 'vendor');
    assert.deepEqual(
      merged?.affected.map(({ name, feed }) => [name, feed]),
      [
        ['libxml2', 'nvd'],
        ['openssl', 'openssl'],
      ],
    );
    assert.deepEqual(
      store.advisoriesFor('upstream', 'zlib').map((found) => found.id),
      [],
      "the replaced statement's index rows are gone",
    );
    assert.deepEqual(
      store.advisoriesFor('upstream', 'libxml2').map((found) => found.id),
      ['CVE-2024-2'],
    );
    store.upsertAdvisory(
      advisory('CVE-2024-2', {
        feed: 'cve5',
        modified: '2026-02-01T00:00:00Z',
        withdrawn: '2026-02-01T00:00:00Z',
        affected: [],
      }),
    );
    assert.equal(
      store.advisoryById('CVE-2024-2')?.withdrawn,
      '2026-02-01T00:00:00Z',
      'a REJECTED record withdraws the CVE',
    );
    assert.deepEqual(store.advisoriesFor('upstream', 'libxml2'), []);
    store.close();
  });

  it('finds advisories by (ecosystem, normalized name), sorted, without withdrawn ones', () => {
    const store = newStore();
    store.upsertAdvisory(advisory('PYSEC-2024-2'));
    store.upsertAdvisory(advisory('GHSA-aaaa-bbbb-cccc', { affected: [pypi('demo-lib'), pypi('demo-lib')] }));
    store.upsertAdvisory(advisory('PYSEC-2020-9', { withdrawn: '2024-01-01T00:00:00Z' }));
    store.upsertAdvisory(
      advisory('CVE-2023-0286', {
        affected: [{ ...pypi('demo-lib'), ecosystem: 'upstream', scheme: 'openssl' }],
        feed: 'openssl',
      }),
    );
    assert.deepEqual(
      store.advisoriesFor('PyPI', 'demo-lib').map((found) => found.id),
      ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2024-2'],
    );
    assert.deepEqual(
      store.advisoriesFor('upstream', 'demo-lib').map((found) => found.id),
      ['CVE-2023-0286'],
    );
    assert.equal(store.advisoryById('PYSEC-2020-9')?.withdrawn, '2024-01-01T00:00:00Z');
    assert.equal(store.counts().withdrawn, 1);
    assert.deepEqual(store.advisoriesFor('PyPI', 'absent'), []);
    store.close();
  });

  it('answers a lookup for an absent name from the index, in microseconds', () => {
    const store = newStore();
    store.transaction(() => {
      for (let i = 0; i < 5000; i++)
        store.upsertAdvisory(advisory(`PYSEC-2024-${i}`, { affected: [pypi(`pkg-${i}`)] }));
    });
    const lookups = 20_000;
    const started = performance.now();
    for (let i = 0; i < lookups; i++) store.advisoriesFor('PyPI', `absent-${i}`);
    const microseconds = ((performance.now() - started) * 1000) / lookups;
    assert.ok(microseconds < 100, `${microseconds.toFixed(1)} µs per lookup`);
    store.close();
  });
});

describe('transactions', () => {
  it('rolls back everything when the function throws', () => {
    const store = newStore();
    store.upsertAdvisory(advisory('PYSEC-2024-1'));
    assert.throws(
      () =>
        store.transaction(() => {
          store.upsertAdvisory(advisory('PYSEC-2024-2'));
          store.upsertKev({
            cveId: 'CVE-2024-1',
            vendorProject: 'v',
            product: 'p',
            vulnerabilityName: 'n',
            dateAdded: '2024-01-01',
            cwes: [],
          });
          store.replaceNameMap('parselmouth', [['pytorch', ['torch']]]);
          throw new Error('boom');
        }),
      /boom/,
    );
    assert.equal(store.counts().advisories, 1);
    assert.equal(store.advisoryById('PYSEC-2024-2'), undefined);
    assert.deepEqual(store.kevFor(['CVE-2024-1']), []);
    assert.equal(store.pypiNamesForConda('pytorch'), undefined);
    store.close();
  });

  it('nests: an inner failure caught inside rolls back only the inner part', () => {
    const store = newStore();
    store.transaction(() => {
      store.upsertAdvisory(advisory('PYSEC-2024-1'));
      assert.throws(() =>
        store.transaction(() => {
          store.upsertAdvisory(advisory('PYSEC-2024-2'));
          throw new Error('inner');
        }),
      );
    });
    assert.ok(store.advisoryById('PYSEC-2024-1'));
    assert.equal(store.advisoryById('PYSEC-2024-2'), undefined);
    store.close();
  });
});

describe('KEV, name maps, popularity, malicious names, feeds', () => {
  it('stores KEV entries by CVE id', () => {
    const store = newStore();
    const entry = {
      cveId: 'CVE-2023-4863',
      vendorProject: 'Google',
      product: 'Chromium WebP',
      vulnerabilityName: 'Heap overflow',
      dateAdded: '2023-09-13',
      dueDate: '2023-10-04',
      knownRansomwareCampaignUse: 'Unknown',
      cwes: ['CWE-787'],
    };
    store.upsertKev(entry);
    assert.deepEqual(store.kevFor(['CVE-2023-4863', 'CVE-2000-0001', 'CVE-2023-4863']), [entry]);
    store.close();
  });

  it('maps conda names to PyPI names: the v0 map wins over the legacy and grayskull maps; [] = not Python', () => {
    const store = newStore();
    assert.equal(
      store.replaceNameMap('parselmouth-grayskull', [
        ['pytorch', ['pytorch-old']],
        ['airflow', ['apache-airflow']],
      ]),
      2,
    );
    store.replaceNameMap('parselmouth', [
      ['pytorch', ['torch']],
      ['openssl', []],
      ['py-opencv', ['opencv-python', 'Opencv_Python_Headless']],
    ]);
    assert.deepEqual(store.pypiNamesForConda('pytorch'), ['torch']);
    assert.deepEqual(store.pypiNamesForConda('PyTorch'), ['torch']);
    assert.deepEqual(store.pypiNamesForConda('airflow'), ['apache-airflow']);
    assert.deepEqual(store.pypiNamesForConda('openssl'), []);
    assert.deepEqual(store.pypiNamesForConda('py-opencv'), ['opencv-python', 'opencv-python-headless']);
    assert.equal(store.pypiNamesForConda('unknown'), undefined);
    assert.equal(
      store.replaceNameMap('parselmouth', [
        ['pytorch', ['torch']],
        ['openssl', []],
        ['py-opencv', ['opencv-python', 'opencv-python-headless']],
      ]),
      0,
      'unchanged map: nothing written',
    );
    assert.equal(store.replaceNameMap('parselmouth', [['pytorch', ['torch']]]), 2, 'two names removed');
    assert.equal(store.pypiNamesForConda('openssl'), undefined);
    store.close();
  });

  it('ranks popularity lists, replacing a source whole', () => {
    const store = newStore();
    assert.equal(
      store.replacePopularity('top-pypi', [
        { name: 'boto3', downloads: 10 },
        { name: 'Demo_Lib', downloads: 5 },
      ]),
      2,
    );
    assert.equal(store.replacePopularity('conda-forge-names', [{ name: 'Demo_Output' }]), 1);
    assert.deepEqual(store.popularity('top-pypi'), [
      { name: 'boto3', normalizedName: 'boto3', rank: 1, downloads: 10 },
      { name: 'Demo_Lib', normalizedName: 'demo-lib', rank: 2, downloads: 5 },
    ]);
    assert.deepEqual(store.popularity('conda-forge-names'), [
      { name: 'Demo_Output', normalizedName: 'demo_output', rank: 1 },
    ]);
    assert.equal(store.replacePopularity('top-pypi', [{ name: 'boto3', downloads: 10 }]), 1);
    assert.equal(store.popularity('top-pypi').length, 1);
    store.close();
  });

  it('replaces malicious names and feed metadata', () => {
    const store = newStore();
    const names = [
      { ecosystem: 'PyPI' as const, normalizedName: 'reqquests', id: 'MAL-2024-1' },
      { ecosystem: 'PyPI' as const, normalizedName: 'reqquests', id: 'MAL-2024-2' },
    ];
    assert.equal(store.replaceMaliciousNames(names), 2);
    assert.equal(store.replaceMaliciousNames(names), 0);
    assert.deepEqual(store.maliciousNamesFor('reqquests'), names);
    const metadata = {
      name: 'kev' as const,
      url: 'https://example.org/kev.json',
      fetchedAt: '2025-01-01T00:00:00.000Z',
      count: 2,
      checksum: 'ab'.repeat(32),
      etag: '"x"',
    };
    store.recordFeed(metadata);
    store.recordFeed({ ...metadata, count: 3 });
    assert.deepEqual(store.feeds(), [{ ...metadata, count: 3 }]);
    assert.deepEqual(store.feed('kev'), { ...metadata, count: 3 });
    assert.equal(store.feed('pypa'), undefined);
    store.close();
  });
});
