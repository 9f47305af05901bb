import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import type { ImportSource } from '../../../src/intel/import/api.ts';
import { ARCHIVE_LIMITS, importArchive } from '../../../src/intel/import/archive.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';

const OSV_DIR = fixture('intel/osv');
const PYSEC = fixture('intel/osv/PYSEC-2099-1.json');
const recordFiles = [
  'PYSEC-2099-1.json',
  'PYSEC-2020-900.json',
  'GHSA-dem0-l1b0-0002.json',
  'OSV-2099-3.json',
  'nested/MAL-2026-9001.json',
];
const records = recordFiles.map((name) => JSON.parse(readFileSync(join(OSV_DIR, name), 'utf8')) as { id: string });

function newStore(): IntelStore {
  return openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
}

const sources = (...paths: string[]): ImportSource[] => paths.map((path) => ({ path }));

async function rejects(run: () => unknown, code: string, ...fragments: string[]): Promise<CvebuildError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof CvebuildError, `expected a CvebuildError, got ${String(error)}`);
    assert.equal(error.code, code, error.toLine());
    for (const fragment of fragments)
      assert.ok(error.toLine().includes(fragment), `"${error.toLine()}" lacks "${fragment}"`);
    assert.ok(!error.toLine().includes('\n'));
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('OSV records', () => {
  it('keeps PyPI entries only, drops GIT ranges (malformed ones too), keeps versions as given', async () => {
    const store = newStore();
    const report = await importSources(store, sources(PYSEC));
    assert.deepEqual(
      report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped })),
      [{ feed: 'pypa', records: 1, written: 1, skipped: 0 }],
    );
    const advisory = store.advisoryById('PYSEC-2099-1');
    assert.ok(advisory);
    assert.deepEqual(advisory.affected, [
      {
        ecosystem: 'PyPI',
        name: 'demo-lib',
        normalizedName: 'demo-lib',
        scheme: 'pep440',
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: [{ introduced: '0' }, { fixed: '1.4.2' }, { introduced: '2.0.0rc1' }, { fixed: '2.0.1' }],
          },
        ],
        versions: ['1.0', '1.4.1', '2.0.0rc1', '1.2', '2.0.0'],
      },
    ]);
    assert.equal(advisory.kind, 'vulnerability');
    assert.equal(advisory.feed, 'pypa');
    assert.deepEqual(advisory.aliases, ['CVE-2099-0001', 'GHSA-dem0-l1b0-0001']);
    assert.equal(
      advisory.summary,
      'Path traversal in demo-lib before 2.0.1 allows remote attackers to read arbitrary files.',
    );
    assert.equal(advisory.modified, '2099-01-02T00:00:00Z');
    assert.deepEqual(advisory.severity, {
      level: 'critical',
      score: 9.3,
      vectors: [
        'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
        'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
      ],
      basis: 'cvss',
    });
    assert.deepEqual(advisory.references, [
      'https://github.com/advisories/GHSA-demo-demo-demo',
      'https://example.org/demo-lib/security',
    ]);
    store.close();
  });

  it('reads a directory recursively, one result per feed, skipping records of no package cvebuild tracks', async () => {
    const store = newStore();
    const report = await importSources(store, sources(OSV_DIR));
    const byFeed = Object.fromEntries(report.results.map((result) => [result.feed, result]));
    assert.deepEqual(Object.keys(byFeed).sort(), ['ghsa', 'malicious', 'oss-fuzz', 'pypa']);
    assert.equal(byFeed.pypa?.records, 2);
    assert.equal(byFeed['oss-fuzz']?.skipped, 1);
    assert.deepEqual(byFeed['oss-fuzz']?.notes, [
      '1 record: OSS-Fuzz project of no product in the product map (OSV-2099-3)',
    ]);
    assert.equal(store.advisoryById('OSV-2099-3'), undefined);

    // withdrawn: stored, but never returned for a package
    assert.equal(store.advisoryById('PYSEC-2020-900')?.withdrawn, '2024-06-01T00:00:00Z');
    assert.deepEqual(
      store.advisoriesFor('PyPI', 'demo-lib').map((advisory) => advisory.id),
      ['PYSEC-2099-1'],
    );

    const mal = store.advisoriesFor('PyPI', 'demo-compromised');
    assert.equal(mal.length, 1);
    assert.equal(mal[0]?.kind, 'malicious');
    assert.deepEqual(mal[0]?.affected[0]?.versions, ['1.82.7', '1.82.8']);
    assert.equal(mal[0]?.affected[0]?.name, 'Demo_Compromised');
    assert.deepEqual(mal[0]?.severity, { level: 'critical', vectors: [], basis: 'malicious' });
    assert.deepEqual(mal[0]?.aliases, ['PYSEC-2099-2']);

    const ghsa = store.advisoryById('GHSA-dem0-l1b0-0002');
    assert.deepEqual(
      ghsa?.affected.map((entry) => [entry.normalizedName, entry.ranges[0]?.events]),
      [
        ['demo-web', [{ introduced: '5.0' }, { fixed: '5.0.8' }]],
        ['demo-web', [{ introduced: '0' }, { last_affected: '4.2.14' }]],
        ['golang.org/x/demo', [{ introduced: '0' }, { fixed: '0.17.0' }]],
      ],
      'both branches kept, and the Go entry (matched by conda tools through the ecosystem-purl map)',
    );
    assert.equal(ghsa?.affected[2]?.ecosystem, 'Go');
    assert.equal(ghsa?.affected[2]?.scheme, 'semver');
    assert.deepEqual(ghsa?.severity, { level: 'medium', vectors: [], basis: 'ghsa' });
    assert.deepEqual(ghsa?.cwes, ['CWE-444']);
    assert.equal(store.advisoriesFor('PyPI', 'demo-web').length, 1);
    assert.deepEqual(store.counts(), {
      advisories: 4,
      malicious: 1,
      withdrawn: 1,
      kev: 0,
      nameMap: 0,
      popularity: 0,
      maliciousNames: 0,
    });
    store.close();
  });

  it('reads JSON-lines, records feed metadata, and writes nothing on a second import', async () => {
    const path = writeTemp('osv.jsonl', `${records.map((record) => JSON.stringify(record)).join('\n')}\n`);
    const store = newStore();
    const first = await importSources(store, sources(path));
    assert.deepEqual(
      first.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped })),
      [{ feed: 'osv-pypi', records: 5, written: 4, skipped: 1 }],
      'a file mixing PYSEC, GHSA and MAL records is an osv.dev export',
    );
    assert.equal(store.advisoryById('GHSA-dem0-l1b0-0002')?.feed, 'ghsa', 'each record keeps the feed of its id');
    const metadata = store.feed('osv-pypi');
    assert.equal(metadata?.url, path);
    assert.equal(metadata?.count, 5);
    assert.equal(metadata?.checksum, createHash('sha256').update(readFileSync(path)).digest('hex'));
    assert.ok(!Number.isNaN(Date.parse(metadata?.fetchedAt ?? '')));

    const countsBefore = store.counts();
    const second = await importSources(store, sources(path));
    assert.deepEqual(
      second.results.map(({ written, skipped }) => ({ written, skipped })),
      [{ written: 0, skipped: 5 }],
    );
    assert.deepEqual(store.counts(), countsBefore);
    store.close();
  });

  it('names the file and line of a malformed JSON-lines record', async () => {
    const path = writeTemp('bad.jsonl', `${JSON.stringify(records[0])}\n{"id": "PYSEC-1", "modified": \n`);
    await rejects(() => importSources(newStore(), sources(path)), 'FEED_INVALID', `${path}:2`, 'not valid JSON-lines');
    const noId = writeTemp('no-id.jsonl', `${JSON.stringify(records[0])}\n${JSON.stringify({ modified: 'x' })}\n`);
    await rejects(() => importSources(newStore(), sources(noId)), 'FEED_INVALID', `${noId}:2`);
  });

  it('labels every record with --feed, and refuses a feed that does not fit', async () => {
    const store = newStore();
    await importSources(store, [{ path: PYSEC, feed: 'local' }]);
    assert.equal(store.advisoryById('PYSEC-2099-1')?.feed, 'local');
    assert.equal(store.feed('local')?.count, 1);
    await rejects(
      () => importSources(store, [{ path: PYSEC, feed: 'kev' }]),
      'FEED_INVALID',
      '--feed kev does not apply',
    );
    store.close();
  });

  it('refuses what it does not recognise, naming the file', async () => {
    const store = newStore();
    await rejects(
      () => importSources(store, sources(writeTemp('x.json', '{"hello": 1}'))),
      'FEED_INVALID',
      'not a format',
    );
    await rejects(
      () => importSources(store, sources(writeTemp('y.json', '{"hello": '))),
      'FEED_INVALID',
      'not valid JSON',
    );
    await rejects(() => importSources(store, sources(writeTemp('z.jsonl', '\n\n'))), 'FEED_INVALID', 'empty file');
    await rejects(() => importSources(store, sources(writeTemp('w.jsonl', '{"a": 1}\n'))), 'FEED_INVALID', 'w.jsonl:1');
    await rejects(() => importSources(store, sources('/no/such/file.json')), 'INPUT_NOT_FOUND');
    store.close();
  });
});

describe('one transaction per import', () => {
  it('a malformed second source leaves the first one unwritten', async () => {
    const store = newStore();
    const bad = writeTemp('bad.json', '{"id": "PYSEC-1"}');
    await rejects(() => importSources(store, sources(PYSEC, bad)), 'FEED_INVALID', bad);
    assert.equal(store.advisoryById('PYSEC-2099-1'), undefined);
    assert.deepEqual(store.feeds(), []);
    store.close();
  });

  it('a failure while writing rolls back everything written before it', async () => {
    const store = newStore();
    await importSources(store, sources(fixture('intel/osv/PYSEC-2020-900.json')));
    const before = store.counts();
    const failing = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'recordFeed') {
          return () => {
            throw new Error('disk full');
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    assert.throws(() => importSources(failing, sources(OSV_DIR)), /disk full/);
    assert.deepEqual(store.counts(), before);
    assert.equal(store.advisoryById('PYSEC-2099-1'), undefined);
    store.close();
  });
});

describe('OSV zip archives', () => {
  const entries = () => [
    ...recordFiles.map((name, index) => ({
      name: `osv/${name.replace('nested/', '')}`,
      data: JSON.stringify(records[index]),
    })),
    { name: 'osv/', data: '' },
    { name: 'LICENSE.txt', data: 'license text' },
  ];

  it('reads an osv.dev-style all.zip as feed osv-pypi, without writing entries to disk', async () => {
    const directory = tempDirectory();
    const path = join(directory, 'all.zip');
    writeFileSync(path, zipEntries(entries()));
    const store = newStore();
    const report = await importSources(store, sources(path));
    assert.deepEqual(
      report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped })),
      [{ feed: 'osv-pypi', records: 5, written: 4, skipped: 1 }],
    );
    assert.ok(report.results[0]?.notes.includes('1 archive file: not a record file (.json), ignored (LICENSE.txt)'));
    assert.equal(store.advisoryById('MAL-2026-9001')?.feed, 'osv-pypi');
    assert.equal(store.feed('osv-pypi')?.checksum, createHash('sha256').update(readFileSync(path)).digest('hex'));
    assert.deepEqual(readdirSync(directory), ['all.zip']);
    store.close();
  });

  it('refuses archives beyond its limits: entry count, entry size, total size, compression ratio', async () => {
    const path = writeTemp('all.zip', zipEntries(entries()));
    await rejects(
      () => importArchive(newStore(), path, undefined, { ...ARCHIVE_LIMITS, maxEntries: 3 }),
      'FEED_INVALID',
      'entries',
    );
    await rejects(
      () => importArchive(newStore(), path, undefined, { ...ARCHIVE_LIMITS, maxEntryBytes: 100 }),
      'FEED_INVALID',
      'limit',
    );
    await rejects(
      () => importArchive(newStore(), path, undefined, { ...ARCHIVE_LIMITS, maxTotalBytes: 2000 }),
      'FEED_INVALID',
      'expands',
    );
    const bomb = writeTemp(
      'bomb.zip',
      zipEntries([{ name: 'MAL-0.json', data: `{"id":"MAL-0","modified":"x","pad":"${' '.repeat(4_000_000)}"}` }]),
    );
    await rejects(() => importSources(newStore(), sources(bomb)), 'FEED_INVALID', 'compression ratio', 'MAL-0.json');
  });

  it('refuses a damaged archive and a bad record inside one, naming the entry', async () => {
    const bytes = zipEntries(entries());
    const truncated = writeTemp('truncated.zip', bytes.subarray(0, bytes.length - 30));
    await rejects(() => importSources(newStore(), sources(truncated)), 'FEED_INVALID', 'zip archive');
    const badRecord = writeTemp('bad.zip', zipEntries([{ name: 'PYSEC-1.json', data: '{"id": "PYSEC-1"' }]));
    await rejects(
      () => importSources(newStore(), sources(badRecord)),
      'FEED_INVALID',
      'PYSEC-1.json',
      'not valid JSON',
    );
  });

  it('makes the import asynchronous, which is otherwise synchronous', async () => {
    const store = newStore();
    const archive = importSources(store, sources(writeTemp('all.zip', zipEntries(entries()))));
    assert.ok(archive instanceof Promise);
    await archive;
    const plain = importSources(store, sources(fixture('intel/kev.json')));
    assert.ok(!(plain instanceof Promise), 'no archive: the report comes back directly');
    assert.equal(plain.results[0]?.written, 2);
    assert.throws(() => importSources(store, sources('/no/such/file.json')), /no such file/);
    store.close();
  });
});
