import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CvebuildError } from '../../../src/errors.ts';
import type { ImportSource } from '../../../src/intel/import/api.ts';
import { importSources } from '../../../src/intel/import/index.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

function newStore(): IntelStore {
  return openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
}

const sources = (...paths: string[]): ImportSource[] => paths.map((path) => ({ path }));
const counts = (report: Awaited<ReturnType<typeof importSources>>) =>
  report.results.map(({ feed, records, written, skipped }) => ({ feed, records, written, skipped }));

async function rejects(run: () => unknown, code: string, ...fragments: string[]): Promise<void> {
  await assert.rejects(
    async () => run(),
    (error: unknown) => {
      assert.ok(error instanceof CvebuildError, String(error));
      assert.equal(error.code, code, error.toLine());
      for (const fragment of fragments) assert.ok(error.toLine().includes(fragment), error.toLine());
      return true;
    },
  );
}

describe('CISA KEV', () => {
  it('imports entries by CVE id, idempotently', async () => {
    const store = newStore();
    const path = fixture('intel/kev.json');
    assert.deepEqual(counts(await importSources(store, sources(path))), [
      { feed: 'kev', records: 2, written: 2, skipped: 0 },
    ]);
    assert.deepEqual(store.kevFor(['CVE-2099-0001']), [
      {
        cveId: 'CVE-2099-0001',
        vendorProject: 'Demo',
        product: 'demo-lib',
        vulnerabilityName: 'Demo Path Traversal Vulnerability',
        dateAdded: '2099-01-01',
        dueDate: '2099-01-22',
        knownRansomwareCampaignUse: 'Known',
        cwes: ['CWE-22'],
      },
    ]);
    assert.deepEqual(counts(await importSources(store, sources(path))), [
      { feed: 'kev', records: 2, written: 0, skipped: 2 },
    ]);
    assert.equal(store.counts().kev, 2);
    store.close();
  });

  it('names the entry without a CVE id', async () => {
    const path = writeTemp(
      'kev.json',
      JSON.stringify({ catalogVersion: '1', vulnerabilities: [{ cveID: 'nope', dateAdded: 'x' }] }),
    );
    await rejects(() => importSources(newStore(), sources(path)), 'FEED_INVALID', 'vulnerabilities[0]', 'cveID');
  });
});

describe('parselmouth conda→PyPI maps', () => {
  it('reads the v0 (lists), legacy (strings) and grayskull forms; the v0 map answers first', async () => {
    const store = newStore();
    const report = await importSources(
      store,
      sources(
        fixture('intel/parselmouth-mapping_as_grayskull.json'),
        fixture('intel/parselmouth-compressed_mapping.json'),
        fixture('intel/parselmouth-conda-forge-compressed_mapping.v0.json'),
      ),
    );
    assert.deepEqual(counts(report), [
      { feed: 'parselmouth', records: 3, written: 3, skipped: 0 },
      { feed: 'parselmouth', records: 6, written: 6, skipped: 0 },
      { feed: 'parselmouth', records: 6, written: 6, skipped: 0 },
    ]);
    assert.deepEqual(store.pypiNamesForConda('pytorch'), ['torch']);
    assert.deepEqual(store.pypiNamesForConda('openssl'), [], 'null = known, not a Python package');
    assert.deepEqual(store.pypiNamesForConda('py-opencv'), ['opencv-python', 'opencv-python-headless']);
    assert.deepEqual(store.pypiNamesForConda('ruamel.yaml'), ['ruamel-yaml'], 'PyPI names are normalised');
    assert.deepEqual(store.pypiNamesForConda('msgpack-python'), ['msgpack'], 'from the legacy map');
    assert.deepEqual(store.pypiNamesForConda('airflow'), ['apache-airflow'], 'from the grayskull map');
    assert.equal(store.pypiNamesForConda('numpy'), undefined);
    assert.equal(store.feed('parselmouth')?.count, 15);
    const again = await importSources(
      store,
      sources(fixture('intel/parselmouth-conda-forge-compressed_mapping.v0.json')),
    );
    assert.deepEqual(counts(again), [{ feed: 'parselmouth', records: 6, written: 0, skipped: 6 }]);
    store.close();
  });
});

describe('conda-forge feedstock outputs', () => {
  it('stores the name universe as popularity source conda-forge-names, alphabetically', async () => {
    const store = newStore();
    assert.deepEqual(counts(await importSources(store, sources(fixture('intel/feedstock-outputs.json')))), [
      { feed: 'conda-forge-names', records: 4, written: 4, skipped: 0 },
    ]);
    assert.deepEqual(
      store.popularity('conda-forge-names').map(({ normalizedName, rank }) => [normalizedName, rank]),
      [
        ['demo-output', 1],
        ['curl', 2],
        ['libcurl', 3],
        ['numpy', 4],
      ],
    );
    store.close();
  });

  it('needs the file name or --feed to tell it from a v0 map without nulls', async () => {
    const neutral = join(tempDirectory(), 'names.json');
    copyFileSync(fixture('intel/feedstock-outputs.json'), neutral);
    await rejects(() => importSources(newStore(), sources(neutral)), 'FEED_INVALID', '--feed conda-forge-names');
    const store = newStore();
    await importSources(store, [{ path: neutral, feed: 'conda-forge-names' }]);
    assert.equal(store.popularity('conda-forge-names').length, 4);
    await importSources(store, [{ path: neutral, feed: 'parselmouth' }]);
    assert.deepEqual(store.pypiNamesForConda('libcurl'), ['curl']);
    store.close();
  });
});

describe('top-PyPI list and malicious names', () => {
  it('ranks the top-PyPI list by position, keeping download counts', async () => {
    const store = newStore();
    await importSources(store, sources(fixture('intel/top-pypi-packages.min.json')));
    assert.deepEqual(store.popularity('top-pypi'), [
      { name: 'boto3', normalizedName: 'boto3', rank: 1, downloads: 1880218825 },
      { name: 'packaging', normalizedName: 'packaging', rank: 2, downloads: 1577819710 },
      { name: 'Demo_Lib', normalizedName: 'demo-lib', rank: 3, downloads: 1426110393 },
    ]);
    store.close();
  });

  it('stores malicious names normalised, with their MAL ids', async () => {
    const store = newStore();
    const path = fixture('intel/pypi-malicious-names.jsonl');
    assert.deepEqual(counts(await importSources(store, sources(path))), [
      { feed: 'malicious-names', records: 3, written: 3, skipped: 0 },
    ]);
    assert.deepEqual(
      store.maliciousNamesFor('demo-compromised').map((entry) => entry.id),
      ['MAL-2026-9001', 'MAL-2099-11'],
    );
    assert.equal(store.maliciousNamesFor('requests').length, 0);
    const bad = writeTemp('names.jsonl', `${readFileSync(path, 'utf8')}{"name": "x"}\n`);
    await rejects(() => importSources(store, sources(bad)), 'FEED_INVALID', `${bad}:4`);
    store.close();
  });
});
