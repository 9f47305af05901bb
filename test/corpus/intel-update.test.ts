/**
 * `db update` end to end on the real threat-intel files, served from loopback: a first update
 * downloads and imports everything, a second one gets 304s and imports nothing. Never leaves 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_FEEDS, feedEnvironmentVariable, selectFeeds } from '../../src/intel/feeds.ts';
import type { FeedName } from '../../src/intel/model.ts';
import { openStore } from '../../src/intel/store.ts';
import type { IntelStore, StoreCounts } from '../../src/intel/store-api.ts';
import { type UpdateReport, updateFeeds } from '../../src/intel/update.ts';
import { type FeedServer, startFeedServer } from '../helpers/feed-server.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { tempDirectory } from '../helpers/temp.ts';
import { vendorFeedRoutes } from '../helpers/vendor-feeds.ts';
import { zipEntries } from '../helpers/zip-writer.ts';

const BIN = fileURLToPath(new URL('../../bin/cvebuild.js', import.meta.url));

/**
 * The corpus holds no crates.io or Go OSV records: those default feeds serve one self-made record each,
 * in osv.dev's layout, so the update still runs every default feed against loopback only.
 */
function toolEcosystemZip(ecosystem: string, id: string, name: string): Buffer {
  const record = {
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [
      { package: { ecosystem, name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.0' }] }] },
    ],
  };
  return zipEntries([{ name: `${id}.json`, data: JSON.stringify(record) }]);
}

/** Served path per default feed, named like upstream so the importer sees familiar file names. */
const ROUTES: Record<string, { feed: FeedName; file?: string; body?: Buffer }> = {
  '/crates.io/all.zip': {
    feed: 'osv-crates-io',
    body: toolEcosystemZip('crates.io', 'RUSTSEC-2099-0001', 'typos-cli'),
  },
  '/Go/all.zip': { feed: 'osv-go', body: toolEcosystemZip('Go', 'GO-2099-0001', 'github.com/cli/cli/v2') },
  '/PyPI/all.zip': { feed: 'osv-pypi' },
  '/kev/known_exploited_vulnerabilities.json': { feed: 'kev', file: 'intel/cisa-kev.json' },
  '/parselmouth/compressed_mapping.json': {
    feed: 'parselmouth',
    file: 'intel/conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json',
  },
  '/curl/vuln.pm': { feed: 'curl', file: 'intel/clibs/curl-vuln.pm' },
  '/top-pypi-packages.min.json': { feed: 'top-pypi', file: 'intel/top-pypi-packages.min.json' },
};

/** The default feeds fetched as one file each; nvd and cve5 (paged API, release zips) have their own test. */
const FILE_FEEDS = DEFAULT_FEEDS.filter((feed) => feed.format !== 'nvd-api' && feed.format !== 'cve-list-release');
const fileFeeds = (env: NodeJS.ProcessEnv) =>
  selectFeeds({ env, only: [FILE_FEEDS.map((feed) => feed.name).join(',')] });

const OSV_FILES = [
  'osv-pypi-pysec.jsonl',
  'osv-pypi-ghsa.jsonl',
  'osv-pypi-malicious.jsonl',
  'osv-pypi-malicious-recent.jsonl',
];

/** osv.dev's export layout: one `<id>.json` per record. */
function buildOsvZip(): { zip: Buffer; records: number } {
  const entries = OSV_FILES.flatMap((file) =>
    readFileSync(corpus(`intel/${file}`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({ name: `${(JSON.parse(line) as { id: string }).id}.json`, data: line })),
  );
  return { zip: zipEntries(entries), records: entries.length };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** openssl, nodejs, oss-fuzz and conda-forge-names in their upstream layouts (test/helpers/vendor-feeds.ts). */
const vendorRoutes = hasCorpus ? vendorFeedRoutes() : {};

describe('db update against the real feeds on loopback', { skip: !hasCorpus && 'corpus absent' }, () => {
  let server: FeedServer;
  let store: IntelStore;
  let storePath: string;
  let osv: { zip: Buffer; records: number };
  let env: NodeJS.ProcessEnv;
  let first: UpdateReport;
  let countsAfterFirst: StoreCounts;

  before(async () => {
    const started = performance.now();
    osv = buildOsvZip();
    const zipMs = performance.now() - started;
    server = await startFeedServer();
    env = {};
    for (const [path, route] of Object.entries(ROUTES)) {
      server.serve(path, route.file ? { file: corpus(route.file) } : { body: route.body ?? osv.zip });
      env[feedEnvironmentVariable(route.feed)] = server.url(path);
    }
    for (const [path, route] of Object.entries(vendorRoutes)) {
      server.serve(path, { file: route.path });
      env[feedEnvironmentVariable(route.feed)] = server.url(path);
    }
    storePath = join(tempDirectory(), 'intel.sqlite');
    store = openStore(storePath, { create: true });
    process.stdout.write(
      `# osv all.zip: ${osv.records} records, ${(osv.zip.length / 1024 / 1024).toFixed(1)} MiB, built in ${zipMs.toFixed(0)} ms\n`,
    );
  });

  after(async () => {
    store?.close();
    await server?.close();
  });

  it('points every default feed at the loopback server through CVEBUILD_FEED_<NAME>', () => {
    const feeds = selectFeeds({
      env: { ...env, CVEBUILD_FEED_NVD: server.url('/nvd'), CVEBUILD_FEED_CVE5: server.url('/cve5') },
    });
    assert.deepEqual(
      feeds.map((feed) => feed.name),
      DEFAULT_FEEDS.map((feed) => feed.name),
    );
    for (const feed of feeds) assert.ok(feed.url.startsWith(`${server.origin}/`), feed.url);
  });

  it('downloads and imports every feed into a fresh store', async () => {
    first = await updateFeeds(store, { feeds: fileFeeds(env), backoffMs: 10 });
    report('first update', first);
    assert.equal(first.imported, true);
    for (const feed of first.feeds) {
      assert.equal(feed.status, 'downloaded', `${feed.feed}: ${feed.error ?? ''}`);
      assert.ok((feed.records ?? 0) > 0, `${feed.feed} imported no records`);
    }
    const osvFeed = first.feeds.find((feed) => feed.feed === 'osv-pypi');
    assert.equal(osvFeed?.bytes, osv.zip.length);
    assert.equal(osvFeed?.sha256, sha256(osv.zip));
    assert.equal(osvFeed?.records, osv.records);
    const kevFeed = first.feeds.find((feed) => feed.feed === 'kev');
    assert.equal(kevFeed?.sha256, sha256(readFileSync(corpus('intel/cisa-kev.json'))));

    countsAfterFirst = store.counts();
    assert.equal(countsAfterFirst.kev, 1404);
    assert.equal(countsAfterFirst.popularity, 15_000 + 32_676, 'top-pypi and the conda-forge names');
    assert.ok(countsAfterFirst.nameMap >= 20_655, `nameMap ${countsAfterFirst.nameMap}`);
    assert.ok(countsAfterFirst.malicious >= 9_000, `malicious ${countsAfterFirst.malicious}`);
    assert.ok(countsAfterFirst.advisories >= 16_000, `advisories ${countsAfterFirst.advisories}`);
    assert.equal(store.advisoryById('PYSEC-2026-2')?.kind, 'vulnerability');
    assert.equal(store.advisoryById('MAL-2026-2144')?.kind, 'malicious');
    assert.ok(store.advisoryById('GHSA-gwcx-jrx4-92w2'), 'the GHSA sample is in the zip');
    assert.ok(store.advisoriesFor('upstream', 'curl').length > 100, 'curl advisories from vuln.pm');
    assert.deepEqual(store.kevFor(['CVE-2023-4863']).length, 1);
  });

  it('records each feed with its loopback URL, validators and checksum', () => {
    for (const feed of first.feeds) {
      const stored = store.feed(feed.feed);
      assert.ok(stored, `${feed.feed} has no metadata`);
      assert.equal(stored.url, feed.url);
      assert.equal(stored.checksum, feed.sha256);
      assert.ok(stored.etag, `${feed.feed} etag`);
      assert.ok(stored.lastModified, `${feed.feed} last-modified`);
    }
  });

  it('gets 304 for every feed on a second update and re-imports nothing', async () => {
    const fetchedBefore = new Map(store.feeds().map((feed) => [feed.name, feed.fetchedAt]));
    const requestsBefore = server.requests.length;
    const second = await updateFeeds(store, { feeds: fileFeeds(env) });
    report('second update', second);
    assert.equal(second.imported, false);
    for (const feed of second.feeds) {
      assert.equal(feed.status, 'unchanged', `${feed.feed}: ${feed.error ?? ''}`);
      assert.equal(feed.records, undefined);
    }
    const conditional = server.requests.slice(requestsBefore);
    assert.equal(conditional.length, FILE_FEEDS.length);
    for (const request of conditional) {
      assert.equal(request.status, 304, request.path);
      assert.ok(request.ifNoneMatch, `${request.path} sent no If-None-Match`);
    }
    assert.deepEqual(store.counts(), countsAfterFirst);
    for (const feed of store.feeds()) {
      const before = fetchedBefore.get(feed.name);
      assert.ok(before && feed.fetchedAt > before, `${feed.name} fetchedAt was not refreshed`);
    }
  });

  it('runs as the real CLI: a third update is all 304s and exits 0', async () => {
    const started = performance.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [BIN, 'db', 'update', '--db', storePath, '--only', FILE_FEEDS.map((feed) => feed.name).join(',')],
      {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      },
    );
    process.stdout.write(`# CLI update (all 304): ${(performance.now() - started).toFixed(0)} ms\n`);
    for (const feed of FILE_FEEDS) assert.match(stdout, new RegExp(`^${feed.name}\\s+unchanged \\(304\\)`, 'm'));
    assert.match(stdout, /nothing to import/);
  });

  it('never asked anything but the loopback server, and it saw every request', () => {
    const served = new Set([...Object.keys(ROUTES), ...Object.keys(vendorRoutes)]);
    assert.equal(server.requests.length, 3 * FILE_FEEDS.length);
    for (const request of server.requests) assert.ok(served.has(request.path), request.path);
  });
});

function report(label: string, update: UpdateReport): void {
  const lines = update.feeds.map((feed) => {
    const detail = feed.status === 'downloaded' ? `${feed.bytes} bytes, ${feed.records} records` : feed.status;
    return `#   ${feed.feed.padEnd(12)} ${detail.padEnd(34)} ${feed.downloadMs.toFixed(0).padStart(5)} ms`;
  });
  process.stdout.write(
    `# ${label}: ${update.durationMs.toFixed(0)} ms (import ${update.importMs.toFixed(0)} ms)\n${lines.join('\n')}\n`,
  );
}
