import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dbStatusCommand } from '../../../src/cli/db-import.ts';
import { renderUpdate } from '../../../src/cli/db-update.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { DEFAULT_FEEDS, EXTRA_FEEDS, type FeedSource, selectFeeds } from '../../../src/intel/feeds.ts';
import { MAX_RECORD_BYTES } from '../../../src/intel/import/source.ts';
import { openStore } from '../../../src/intel/store.ts';
import type { IntelStore } from '../../../src/intel/store-api.ts';
import { type UpdateProgress, updateFailure, updateFeeds } from '../../../src/intel/update.ts';
import { osvZipBomb } from '../../helpers/bombs.ts';
import { type FeedServer, startFeedServer } from '../../helpers/feed-server.ts';
import { tempDirectory } from '../../helpers/temp.ts';
import { zipEntries } from '../../helpers/zip-writer.ts';

const BIN = fileURLToPath(new URL('../../../bin/cvebuild.js', import.meta.url));

const osvRecord = (id: string, name: string, extra: object = {}) => ({
  id,
  modified: '2025-01-01T00:00:00Z',
  published: '2025-01-01T00:00:00Z',
  aliases: [],
  affected: [
    {
      package: { ecosystem: 'PyPI', name },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }],
    },
  ],
  ...extra,
});

const osvZip = zipEntries([
  { name: 'PYSEC-2025-1.json', data: JSON.stringify(osvRecord('PYSEC-2025-1', 'demo-lib')) },
  { name: 'MAL-2025-1.json', data: JSON.stringify(osvRecord('MAL-2025-1', 'demo-typo')) },
]);

const kev = JSON.stringify({
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2025.01.01',
  dateReleased: '2025-01-01T00:00:00.000Z',
  count: 1,
  vulnerabilities: [
    {
      cveID: 'CVE-2023-4863',
      vendorProject: 'Google',
      product: 'Chromium WebP',
      vulnerabilityName: 'Google Chromium WebP Heap-Based Buffer Overflow Vulnerability',
      dateAdded: '2023-09-13',
      shortDescription: 'heap overflow',
      requiredAction: 'Apply mitigations per vendor instructions.',
      dueDate: '2023-10-04',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: ['CWE-787'],
    },
  ],
});

const topPypi = JSON.stringify({
  last_update: '2025-01-01 00:00:00',
  rows: [
    { download_count: 100, project: 'boto3' },
    { download_count: 50, project: 'requests' },
  ],
});

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

let server: FeedServer;
before(async () => {
  server = await startFeedServer();
});
after(() => server.close());

let counter = 0;
/** Fresh paths on the server and a fresh store for each case, so faults and validators never leak between cases. */
function setup(): { store: IntelStore; feeds: FeedSource[]; paths: Record<'osv' | 'kev' | 'top', string> } {
  const prefix = `/u${++counter}`;
  const paths = { osv: `${prefix}/all.zip`, kev: `${prefix}/kev.json`, top: `${prefix}/top.json` };
  server.serve(paths.osv, { body: osvZip });
  server.serve(paths.kev, { body: kev });
  server.serve(paths.top, { body: topPypi });
  const catalogue = (name: string) => [...DEFAULT_FEEDS, ...EXTRA_FEEDS].find((feed) => feed.name === name);
  const feeds: FeedSource[] = [
    { ...(catalogue('osv-pypi') as FeedSource), url: server.url(paths.osv) },
    { ...(catalogue('kev') as FeedSource), url: server.url(paths.kev) },
    { ...(catalogue('top-pypi') as FeedSource), url: server.url(paths.top) },
  ];
  const store = openStore(join(tempDirectory(), 'intel.sqlite'), { create: true });
  return { store, feeds, paths };
}

const fast = { backoffMs: 1, retries: 1 };

function leftovers(store: IntelStore): string[] {
  return readdirSync(dirname(store.path)).filter((name) => name.startsWith('.cvebuild-update-'));
}

describe('updateFeeds', () => {
  it('downloads every feed and imports them, recording URL, validators and checksum', async () => {
    const { store, feeds } = setup();
    const report = await updateFeeds(store, { feeds, ...fast });
    assert.equal(report.imported, true);
    assert.deepEqual(
      report.feeds.map((feed) => [feed.feed, feed.status, feed.records]),
      [
        ['osv-pypi', 'downloaded', 2],
        ['kev', 'downloaded', 1],
        ['top-pypi', 'downloaded', 2],
      ],
    );
    assert.equal(updateFailure(report), undefined);
    assert.equal(store.advisoryById('MAL-2025-1')?.kind, 'malicious');
    assert.equal(store.kevFor(['CVE-2023-4863']).length, 1);
    const kevFeed = store.feed('kev');
    assert.equal(kevFeed?.url, feeds[1]?.url);
    assert.equal(kevFeed?.checksum, sha256(kev));
    assert.equal(report.feeds[1]?.sha256, sha256(kev));
    assert.match(kevFeed?.etag ?? '', /^"/);
    assert.equal(kevFeed?.lastModified, 'Wed, 01 Jan 2025 00:00:00 GMT');
    assert.deepEqual(leftovers(store), []);
    store.close();
  });

  it('tells its progress: each download starts, counts its bytes and ends, then the import goes file by file', async () => {
    const { store, feeds } = setup();
    const events: UpdateProgress[] = [];
    await updateFeeds(store, { feeds, ...fast, onProgress: (event) => events.push(event) });
    const names = feeds.map((feed) => feed.name);
    for (const name of names) {
      const mine = events.filter((event) => 'feed' in event && event.feed === name);
      assert.deepEqual(mine[0], { type: 'download-start', feed: name, feeds: 3 });
      const last = mine.filter((event) => event.type === 'download-bytes').at(-1);
      const end = events.find((event) => event.type === 'download-end' && event.update.feed === name);
      assert.ok(end?.type === 'download-end' && last?.type === 'download-bytes');
      assert.equal(last.bytes, end.update.bytes);
      assert.equal(last.total, end.update.bytes, 'the loopback server announces the length');
      assert.ok(events.indexOf(last) < events.indexOf(end));
    }
    const importing = events.slice(events.findIndex((event) => event.type === 'import-start'));
    assert.deepEqual(
      importing.map((event) =>
        event.type === 'import-file' ? `${event.type} ${event.feed} ${event.index}/${event.files}` : event.type,
      ),
      ['import-start', 'import-file osv-pypi 0/3', 'import-file kev 1/3', 'import-file top-pypi 2/3', 'import-end'],
    );
    assert.ok(
      events.slice(0, events.length - importing.length).every((event) => event.type.startsWith('download-')),
      'every download ends before the import starts',
    );
    store.close();
  });

  it('sends the stored validators next time: 304 refreshes fetchedAt and imports nothing', async () => {
    const { store, feeds, paths } = setup();
    await updateFeeds(store, { feeds, ...fast, now: () => new Date('2025-01-01T00:00:00Z') });
    const counts = store.counts();
    const later = new Date('2025-02-01T00:00:00Z');
    const report = await updateFeeds(store, { feeds, ...fast, now: () => later });
    assert.equal(report.imported, false);
    assert.deepEqual(
      report.feeds.map((feed) => feed.status),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    assert.deepEqual(store.counts(), counts);
    for (const feed of store.feeds()) assert.equal(feed.fetchedAt, later.toISOString());
    const kevRequests = server.requests.filter((request) => request.path === paths.kev);
    assert.deepEqual(
      kevRequests.map((request) => request.status),
      [200, 304],
    );
    assert.equal(kevRequests[1]?.ifNoneMatch, store.feed('kev')?.etag);
    store.close();
  });

  it('downloads in full when the feed moved to another URL', async () => {
    const { store, feeds } = setup();
    await updateFeeds(store, { feeds, ...fast });
    const moved = `/moved-${counter}/kev.json`;
    server.serve(moved, { body: kev });
    const kevFeed = { ...(feeds[1] as FeedSource), url: server.url(moved) };
    const report = await updateFeeds(store, { feeds: [kevFeed], ...fast });
    assert.equal(report.feeds[0]?.status, 'downloaded');
    assert.equal(server.requests.at(-1)?.ifNoneMatch, undefined);
    assert.equal(store.feed('kev')?.url, kevFeed.url);
    store.close();
  });

  it('follows a redirect to another host, and records and reports where the data came from', async () => {
    const mirror = await startFeedServer({ '/mirror/kev.json': { body: kev } });
    try {
      const { store, feeds, paths } = setup();
      const kevFeed = feeds[1] as FeedSource;
      const landed = mirror.url('/mirror/kev.json');
      // a presigned location: its query signs the request and must not be kept or shown
      server.fail(paths.kev, { status: 302, headers: { location: `${landed}?X-Amz-Signature=s3cr3t` } });
      const report = await updateFeeds(store, { feeds: [kevFeed], ...fast });
      assert.equal(report.feeds[0]?.status, 'downloaded');
      assert.equal(report.feeds[0]?.finalUrl, landed);
      assert.equal(store.kevFor(['CVE-2023-4863']).length, 1);
      assert.equal(store.feed('kev')?.url, kevFeed.url);
      assert.equal(store.feed('kev')?.finalUrl, landed);
      assert.ok(
        renderUpdate(report, store.path).includes(`\nkev: ${kevFeed.url} redirected to ${landed}\n`),
        renderUpdate(report, store.path),
      );
      store.close();
      const status = JSON.parse(dbStatusCommand({ db: store.path, format: 'json' }));
      assert.equal(status.feeds[0].finalUrl, landed);
      const table = dbStatusCommand({ db: store.path, format: 'table' });
      assert.match(table, /redirected to/);
      assert.ok(table.includes(landed), table);
      assert.ok(!`${table}${JSON.stringify(status)}`.includes('s3cr3t'));

      // the next update is not redirected: the store says so
      const again = openStore(store.path);
      const next = await updateFeeds(again, { feeds: [kevFeed], ...fast });
      assert.equal(next.feeds[0]?.status, 'unchanged');
      assert.equal(next.feeds[0]?.finalUrl, undefined);
      assert.equal(again.feed('kev')?.finalUrl, undefined);
      again.close();
    } finally {
      await mirror.close();
    }
  });

  it('fails closed: a required feed that cannot be downloaded leaves the store unchanged', async () => {
    const { store, feeds, paths } = setup();
    server.fail(paths.kev, { status: 404 });
    const report = await updateFeeds(store, { feeds, ...fast });
    assert.equal(report.imported, false);
    assert.equal(report.failedClosed, true);
    assert.deepEqual(
      report.feeds.map((feed) => feed.status),
      ['downloaded', 'failed', 'downloaded'],
    );
    assert.match(report.feeds[1]?.error ?? '', /HTTP 404 Not Found after 1 attempt/);
    assert.deepEqual(store.feeds(), []);
    assert.equal(store.counts().advisories, 0);
    const failure = updateFailure(report);
    assert.ok(failure instanceof CvebuildError);
    assert.equal(failure.code, 'NETWORK');
    assert.match(failure.toLine(), /^1 of 3 feeds could not be downloaded, the store was left unchanged .*kev: could/);
    assert.deepEqual(leftovers(store), []);
    store.close();
  });

  it('with keepGoing imports what downloaded and still reports the failure', async () => {
    const { store, feeds, paths } = setup();
    server.fail(paths.kev, { status: 503 }, { status: 503 });
    const report = await updateFeeds(store, { feeds, ...fast, keepGoing: true });
    assert.equal(report.imported, true);
    assert.equal(report.feeds[1]?.status, 'failed');
    assert.match(report.feeds[1]?.error ?? '', /HTTP 503 Service Unavailable after 2 attempts/);
    assert.deepEqual(
      store
        .feeds()
        .map((feed) => feed.name)
        .sort(),
      ['osv-pypi', 'top-pypi'],
    );
    assert.equal(report.failedClosed, false);
    assert.match(updateFailure(report)?.toLine() ?? '', /the other feeds were imported: kev: could not download/);
    store.close();
  });

  it('does not fail the update for an optional feed', async () => {
    const { store, feeds, paths } = setup();
    server.fail(paths.top, { status: 500 }, { status: 500 });
    const report = await updateFeeds(store, { feeds, ...fast });
    assert.equal(report.imported, true);
    assert.equal(report.feeds[2]?.status, 'failed');
    assert.equal(report.feeds[2]?.required, false);
    assert.equal(updateFailure(report), undefined);
    assert.ok(store.feed('kev'));
    store.close();
  });

  it('imports in one transaction: an invalid feed leaves the store as it was and names its URL', async () => {
    const { store, feeds, paths } = setup();
    server.serve(paths.kev, { body: '{"not": "kev"' });
    const error = await updateFeeds(store, { feeds, ...fast }).then(
      () => assert.fail('expected the import to fail'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CvebuildError, String(error));
    assert.equal(error.code, 'FEED_INVALID');
    assert.ok(error.toLine().startsWith(feeds[1]?.url ?? '-'), error.toLine());
    assert.deepEqual(store.feeds(), []);
    assert.equal(store.counts().advisories, 0);
    assert.deepEqual(leftovers(store), []);
    store.close();
  });
});

describe('updateFeeds under a hostile feed', () => {
  it('refuses an archive of oversized records, naming its URL and entry, and leaves neither data nor its work directory', async () => {
    const { store, feeds, paths } = setup();
    server.serve(paths.osv, { body: osvZipBomb(30, MAX_RECORD_BYTES + 1024) });
    const error = await updateFeeds(store, { feeds, ...fast }).then(
      () => assert.fail('expected the import to fail'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CvebuildError, String(error));
    assert.equal(error.code, 'FEED_INVALID');
    assert.ok(error.toLine().startsWith(`${feeds[0]?.url}: PYSEC-0.json: entry of`), error.toLine());
    assert.deepEqual(store.feeds(), []);
    assert.equal(store.counts().advisories, 0);
    assert.deepEqual(leftovers(store), []);
    store.close();
  });

  it('removes work directories that updates on this host left when they died, and no others', async () => {
    const { store, feeds } = setup();
    const root = dirname(store.path);
    const dead = 2 ** 30; // above any pid_max: no such process
    const names = {
      abandoned: `.cvebuild-update-${hostname()}-${dead}-aaaaaa`,
      running: `.cvebuild-update-${hostname()}-${process.pid}-bbbbbb`,
      elsewhere: `.cvebuild-update-another-host-${dead}-cccccc`,
    };
    for (const name of Object.values(names)) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'osv-pypi.zip.part'), 'partial download');
    }
    await updateFeeds(store, { feeds, ...fast });
    assert.deepEqual(leftovers(store).sort(), [names.elsewhere, names.running].sort());
    store.close();
  });
});

describe('selectFeeds', () => {
  it('takes the defaults, in order', () => {
    assert.deepEqual(
      selectFeeds({ env: {} }).map((feed) => feed.name),
      [
        'osv-pypi',
        'kev',
        'parselmouth',
        'curl',
        'nvd',
        'cve5',
        'top-pypi',
        'openssl',
        'nodejs',
        'oss-fuzz',
        'conda-forge-names',
        'osv-crates-io',
        'osv-go',
      ],
    );
  });

  it('makes the name lists and the tool ecosystems optional, and every other advisory feed required', () => {
    const optional = DEFAULT_FEEDS.filter((feed) => !feed.required).map((feed) => feed.name);
    // a tool ecosystem that never imported leaves its tools not-checked, so its outage still fails closed
    assert.deepEqual(optional, ['top-pypi', 'conda-forge-names', 'osv-crates-io', 'osv-go']);
  });

  it('redirects a feed with --feed over CVEBUILD_FEED_<NAME> over the default', () => {
    const env = { CVEBUILD_FEED_OSV_PYPI: 'https://mirror.example/all.zip', CVEBUILD_FEED_KEV: 'file:///m/kev.json' };
    const feeds = selectFeeds({ env, overrides: ['kev=https://other.example/kev.json'] });
    assert.equal(feeds.find((feed) => feed.name === 'osv-pypi')?.url, 'https://mirror.example/all.zip');
    assert.equal(feeds.find((feed) => feed.name === 'kev')?.url, 'https://other.example/kev.json');
    assert.equal(feeds.find((feed) => feed.name === 'curl')?.url, DEFAULT_FEEDS[3]?.url);
  });

  it('adds a feed named by --feed, and --only restricts the selection', () => {
    const added = selectFeeds({ env: {}, overrides: ['malicious-names=https://m.example/pypi.jsonl'] });
    assert.equal(added.at(-1)?.name, 'malicious-names');
    assert.equal(added.at(-1)?.format, 'jsonl');
    const only = selectFeeds({ env: {}, only: ['kev, malicious-names'] });
    assert.deepEqual(
      only.map((feed) => [feed.name, feed.url]),
      [
        ['kev', DEFAULT_FEEDS[1]?.url],
        ['malicious-names', EXTRA_FEEDS[0]?.url],
      ],
    );
  });

  it('rejects unknown names, malformed overrides, other protocols and feeds without a URL', () => {
    assert.throws(() => selectFeeds({ only: ['kev,nope'] }), /unknown feed "nope"/);
    assert.throws(() => selectFeeds({ overrides: ['kev'] }), /--feed expects NAME=URL/);
    assert.throws(() => selectFeeds({ overrides: ['kev=ftp://x/kev.json'] }), /only http:, https: and file: URLs/);
    assert.throws(() => selectFeeds({ env: {}, only: ['ghsa'] }), /feed ghsa has no default URL/);
  });
});

describe('cvebuild db update', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'db', 'update', ...args],
        { env: { ...process.env, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  it('updates the feeds given on the command line and prints one line per feed', async () => {
    const { store, feeds } = setup();
    store.close();
    const args = ['--db', store.path, '--only', 'kev,osv-pypi', '--feed', `kev=${feeds[1]?.url}`];
    const first = await run(args, { CVEBUILD_FEED_OSV_PYPI: feeds[0]?.url });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^kev\s+downloaded 536 B\s+1\s+\d+\.\d s$/m);
    assert.match(first.stdout, /^osv-pypi\s+downloaded .*\s+2\s+/m);
    assert.match(first.stdout, /imported into .*intel\.sqlite/);
    const second = await run(args, { CVEBUILD_FEED_OSV_PYPI: feeds[0]?.url });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^kev\s+unchanged \(304\)/m);
    assert.match(second.stdout, /nothing to import/);
  });

  it('prints the summary, then fails with one line and exit 2 when a feed is missing', async () => {
    const { store, feeds, paths } = setup();
    store.close();
    server.fail(paths.kev, { status: 503 }, { status: 503 });
    const result = await run(['--db', store.path, '--only', 'kev', '--feed', `kev=${feeds[1]?.url}`, '--retries', '1']);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /^kev\s+failed/m);
    assert.match(result.stdout, /nothing imported/);
    assert.match(result.stderr, /retrying in/);
    const last = result.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, /^cvebuild: 1 of 1 feeds could not be downloaded, the store was left unchanged/);
  });

  it('rejects bad options with a usage error before downloading anything', async () => {
    const requests = server.requests.length;
    const bad = await run(['--timeout', 'soon', '--db', join(tempDirectory(), 'x.sqlite')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^cvebuild: --timeout: not a positive number: soon$/m);
    const unknown = await run(['--only', 'kevv', '--db', join(tempDirectory(), 'x.sqlite')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown feed "kevv"/);
    assert.equal(server.requests.length, requests);
  });
});
