// Imports are bounded whatever the feed's shape: one record has a size limit, records are written
// one at a time as they are read (never held together), and a refused import leaves the store as it was.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ImportSource } from '../../../src/intel/import/api.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { MAX_RECORD_BYTES } from '../../../src/intel/import/source.ts';
import type { Advisory } from '../../../src/intel/model.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { bulkyOsvRecord, osvZipBomb } from '../../helpers/bombs.ts';
import { runCli } from '../../helpers/cli.ts';
import { assertCvebuildErrorAsync } from '../../helpers/errors.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';

const small = (id: string) =>
  JSON.stringify({
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: `p-${id}` }, versions: ['1.0'] }],
  });
const oversized = () => bulkyOsvRecord('PYSEC-9', MAX_RECORD_BYTES + 1024);
const sources = (...paths: string[]): ImportSource[] => paths.map((path) => ({ path }));

/** A store with one feed already imported, and what it held before. */
function populatedStore(): { store: IntelStore; before: ReturnType<IntelStore['counts']> } {
  const store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
  importSources(store, sources(fixture('intel/kev.json')));
  return { store, before: store.counts() };
}

/** The store, with upserts recorded as they happen. */
function watched(store: IntelStore): { store: IntelStore; upserts: string[] } {
  const upserts: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'upsertAdvisory') {
        return (advisory: Advisory) => {
          upserts.push(advisory.id);
          return target.upsertAdvisory(advisory);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: proxy, upserts };
}

describe('one record has a size limit', () => {
  it('refuses an archive entry over it, naming the archive and the entry, and leaves the store as it was', async () => {
    const { store, before } = populatedStore();
    const path = writeTemp(
      'all.zip',
      zipEntries([
        { name: 'PYSEC-1.json', data: small('PYSEC-1') },
        { name: 'PYSEC-9.json', data: oversized() },
      ]),
    );
    await assertCvebuildErrorAsync(
      () => importSources(store, sources(path)),
      'FEED_INVALID',
      `${path}: PYSEC-9.json: entry of`,
      `over the limit of ${MAX_RECORD_BYTES}`,
    );
    assert.deepEqual(store.counts(), before);
    assert.deepEqual(
      store.feeds().map((feed) => feed.name),
      ['kev'],
    );
    store.close();
  });

  it('refuses an entry whose headers understate its size, naming the entry', async () => {
    const { store, before } = populatedStore();
    const bytes = zipEntries([{ name: 'PYSEC-9.json', data: oversized() }]);
    // Both size fields (local header at 22, central directory after the data) claim 100 bytes.
    bytes.writeUInt32LE(100, 22);
    bytes.writeUInt32LE(100, bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
    await assertCvebuildErrorAsync(
      () => importSources(store, sources(writeTemp('lying.zip', bytes))),
      'FEED_INVALID',
      'PYSEC-9.json',
    );
    assert.deepEqual(store.counts(), before);
    store.close();
  });

  it('refuses a JSON-lines record over it, naming the file and line', async () => {
    const { store, before } = populatedStore();
    const path = writeTemp('osv.jsonl', `${small('PYSEC-1')}\n${oversized()}\n`);
    await assertCvebuildErrorAsync(
      () => importSources(store, sources(path)),
      'FEED_INVALID',
      `${path}:2: record of`,
      'for one record',
    );
    assert.deepEqual(store.counts(), before);
    store.close();
  });

  it('refuses a single-record file over it', async () => {
    const { store, before } = populatedStore();
    const path = writeTemp('PYSEC-9.json', oversized());
    await assertCvebuildErrorAsync(() => importSources(store, sources(path)), 'FEED_INVALID', path, 'for one record');
    assert.deepEqual(store.counts(), before);
    store.close();
  });

  it('db import of an archive of oversized records exits 2 with one line', () => {
    const path = writeTemp('all.zip', osvZipBomb(20, MAX_RECORD_BYTES + 1024));
    const result = runCli(['db', 'import', '--db', join(tempDirectory(), 'intel.sqlite'), path]);
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /^cvebuild: \S+all\.zip: PYSEC-0\.json: entry of \d+ bytes is over the limit of \d+ for one record\n$/,
    );
  });
});

describe('records are written as they are read', () => {
  it('an archive: each record is upserted before the next is read', async () => {
    const { store: real, before } = populatedStore();
    const { store, upserts } = watched(real);
    const path = writeTemp(
      'all.zip',
      zipEntries([
        { name: 'PYSEC-1.json', data: small('PYSEC-1') },
        { name: 'PYSEC-2.json', data: small('PYSEC-2') },
        { name: 'PYSEC-3.json', data: '{"id": "PYSEC-3"' },
      ]),
    );
    await assertCvebuildErrorAsync(() => importSources(store, sources(path)), 'FEED_INVALID', 'PYSEC-3.json');
    assert.deepEqual(upserts, ['PYSEC-1', 'PYSEC-2'], 'written one by one, before the bad entry was reached');
    assert.deepEqual(real.counts(), before, 'and rolled back with the import');
    real.close();
  });

  it('JSON-lines: each line is upserted before the next is parsed', async () => {
    const { store: real, before } = populatedStore();
    const { store, upserts } = watched(real);
    const path = writeTemp('osv.jsonl', `${small('PYSEC-1')}\n${small('PYSEC-2')}\n{"id": \n`);
    await assertCvebuildErrorAsync(() => importSources(store, sources(path)), 'FEED_INVALID', `${path}:3`);
    assert.deepEqual(upserts, ['PYSEC-1', 'PYSEC-2']);
    assert.deepEqual(real.counts(), before);
    real.close();
  });
});
